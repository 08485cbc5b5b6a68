"""Form errors a screen reader can find, and a page that opens where the mistake is
(broadsheet.lib.forms, the site's form renderer, and the templates that render fields).

Nadia is an anonymous visitor commenting; Rita is a registered reader logging in; Morgan
moderates. The pages are read as a browser would, through the discussion tests' parser.
"""

from __future__ import annotations

import pytest
from django import forms
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from broadsheet.accounts.forms import LoginForm
from broadsheet.accounts.models import User
from broadsheet.discussion.forms import CommentForm
from broadsheet.moderation.services import ensure_moderators_group
from broadsheet.publishing.models import Article
from tests.helpers import Element, make_article, make_comment, make_user, page_of, post_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def article() -> Article:
    return make_article("The ferry timetable changes again")


def parse(html: str) -> Element:
    return page_of(HttpResponse(html))


def focused(page: Element) -> list[Element]:
    """Every element the page asks the browser to focus on load."""
    return [element for element in page.iter() if "autofocus" in element.attrs]


def described_by(page: Element, element: Element) -> list[Element]:
    """The elements an aria-describedby names, each of which must be on the page."""
    found = []
    for element_id in element.attrs["aria-describedby"].split():
        description = page.by_id(element_id)
        assert description is not None, f"aria-describedby names #{element_id}, not on the page"
        found.append(description)
    return found


def field(page: Element, element_id: str) -> Element:
    element = page.by_id(element_id)
    assert element is not None, f"#{element_id} is not on the page"
    return element


# The comment form ---------------------------------------------------------------------


def test_a_comment_with_mistakes_opens_on_the_first_and_each_field_names_its_message(
    nadia: Client, article: Article
) -> None:
    response = post_form(nadia, article, name="", body="")

    assert response.status_code == 400
    page = page_of(response)
    name, body = field(page, "id_name"), field(page, "id_body")
    assert focused(page) == [name]
    for invalid in (name, body):
        assert invalid.attrs["aria-invalid"] == "true"
        message = CommentForm.base_fields[invalid.attrs["name"]].error_messages["required"]
        assert [d.text for d in described_by(page, invalid)] == [message]
    # The summary above the form is still said, but no longer takes focus.
    summary = page.by_id("comment-form-errors")
    assert summary is not None and "has not been saved yet" in summary.text


def test_a_field_with_help_text_and_an_error_names_both(nadia: Client, article: Article) -> None:
    page = page_of(post_form(nadia, article, email="nadia@"))

    email = field(page, "id_email")
    assert email.attrs["aria-describedby"] == "id_email_helptext id_email_error"
    assert [d.text for d in described_by(page, email)] == [
        "Not shown publicly.",
        "Enter a valid email address.",
    ]
    assert focused(page) == [email]


def test_each_of_several_messages_on_a_field_has_an_id_of_its_own(
    nadia: Client, article: Article
) -> None:
    # A malformed address, and no usable address for the reply mail asked for.
    page = page_of(post_form(nadia, article, email="nadia@", notify_replies="on"))

    email = field(page, "id_email")
    assert email.attrs["aria-describedby"] == "id_email_helptext id_email_error id_email_error_2"
    assert [d.text for d in described_by(page, email)] == [
        "Not shown publicly.",
        "Enter a valid email address.",
        "Give your e-mail address to receive e-mail from us.",
    ]


def test_a_comment_without_mistakes_marks_nothing_and_the_preview_keeps_the_focus(
    nadia: Client, article: Article
) -> None:
    page = page_of(nadia.get(article.get_absolute_url()))
    assert not [e for e in page.iter() if "aria-invalid" in e.attrs]
    assert focused(page) == []

    page = page_of(post_form(nadia, article, save=None, preview="1"))
    assert not [e for e in page.iter() if "aria-invalid" in e.attrs]
    assert [e.attrs.get("class") for e in focused(page)] == ["comment-preview"]


# Logging in: Django's login form puts autofocus on the username -----------------------


def test_a_wrong_password_moves_focus_to_the_alert_alone(client: Client, reader: User) -> None:
    response = client.post("/accounts/login/", {"username": "rita", "password": "wrong horse"})

    page = page_of(response)
    alert = page.find("div", "form-errors")
    assert alert is not None
    assert alert.attrs["role"] == "alert" and alert.attrs["tabindex"] == "-1"
    assert alert.find("li") is not None and alert.text  # the message, from the login form
    assert focused(page) == [alert]
    assert not [e for e in page.iter() if "aria-invalid" in e.attrs]


def test_a_missing_password_moves_focus_from_the_username_to_the_password(
    client: Client, reader: User
) -> None:
    page = page_of(client.post("/accounts/login/", {"username": "rita", "password": ""}))

    password = field(page, "id_password")
    assert focused(page) == [password]
    message = LoginForm.base_fields["password"].error_messages["required"]
    assert [d.text for d in described_by(page, password)] == [message]
    assert page.find("div", "form-errors") is None


def test_the_empty_login_form_keeps_its_focus_on_the_username(client: Client) -> None:
    page = page_of(client.get("/accounts/login/"))

    assert focused(page) == [field(page, "id_username")]


# A radio list, rendered option by option in a fieldset --------------------------------


def test_a_ban_without_a_valid_duration_focuses_the_first_option(article: Article) -> None:
    moderator = make_user("mo", display_name="Morgan Osei")
    moderator.groups.add(ensure_moderators_group())
    morgan = Client()
    morgan.force_login(moderator)
    comment = make_comment(article, email="troll@example.net")

    response = morgan.post(
        reverse("moderation:ban", args=[comment.pk]), {"expires": "forever", "reason": ""}
    )

    assert response.status_code == 400
    page = page_of(response)
    options = [e for e in page.iter() if e.tag == "input" and e.attrs.get("name") == "expires"]
    assert len(options) == 4
    assert all(option.attrs["aria-invalid"] == "true" for option in options)
    assert focused(page) == [options[0]]
    fieldset = field(page, "id_expires_error").parent
    assert fieldset is not None and fieldset.tag == "fieldset"
    assert [d.text for d in described_by(page, fieldset)] == [
        "Select a valid choice. forever is not one of the available choices."
    ]
    # The reason's help text, named by its aria-describedby, is now on the page too.
    reason = field(page, "id_reason")
    assert [d.text for d in described_by(page, reason)] == [
        "Kept in the moderation log with the action."
    ]


# The bound field on its own -------------------------------------------------------------


class TideForm(forms.Form):
    tide = forms.ChoiceField(choices=[("high", "High"), ("low", "Low")], widget=forms.RadioSelect)
    port = forms.CharField(
        widget=forms.TextInput(attrs={"aria-describedby": "port-note", "autofocus": True})
    )


def test_a_radio_list_rendered_whole_gets_no_autofocus_on_every_option() -> None:
    form = TideForm({"tide": "spring", "port": "Oban"})

    whole = parse(str(form["tide"]))
    by_option = parse("".join(option.tag() for option in form["tide"]))

    assert focused(whole) == []
    assert [e.attrs["id"] for e in focused(by_option)] == ["id_tide_0"]
    # The port has no error: the autofocus its widget sets is dropped.
    assert focused(parse(str(form["port"]))) == []


def test_an_aria_describedby_set_on_the_widget_is_kept_and_the_errors_added() -> None:
    assert TideForm()["port"].aria_describedby is None
    assert 'aria-describedby="port-note"' in str(TideForm()["port"])

    form = TideForm({"tide": "high", "port": ""})
    port = parse(str(form["port"])).find("input")

    assert port is not None
    assert port.attrs["aria-describedby"] == "port-note id_port_error"
    assert "autofocus" in port.attrs
    assert [(e.id, e.message) for e in form["port"].errors_with_ids] == [
        ("id_port_error", "This field is required.")
    ]


def test_the_forms_of_a_formset_leave_autofocus_alone() -> None:
    tides = forms.formset_factory(TideForm, extra=0)
    formset = tides(
        {
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "0",
            "form-0-tide": "high",
            "form-0-port": "",
            "form-1-tide": "low",
            "form-1-port": "",
        }
    )

    assert not formset.is_valid()
    for form in formset:
        port = parse(str(form["port"])).find("input")
        assert port is not None
        assert port.attrs["aria-describedby"] == f"port-note id_{form.prefix}-port_error"
        # Several forms share the page: their widgets keep the autofocus they set.
        assert "autofocus" in port.attrs
