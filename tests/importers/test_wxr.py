"""`broadsheet import-wxr`: a WordPress export in, articles, comments, accounts, policy
drafts and redirects out, seen through the site as a reader (or editor) would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.management.base import CommandError
from django.test import Client

from broadsheet.accounts.models import User
from broadsheet.consent.models import PolicyPage
from broadsheet.discussion.models import Comment
from broadsheet.discussion.services import set_status
from broadsheet.importers.models import ImportedItem, Redirect
from broadsheet.lib.addresses import address_hash
from broadsheet.publishing.models import Article
from tests.importers.helpers import HANNAH, OSCAR, author, cdata, comment, page, post, wxr

pytestmark = pytest.mark.django_db
Import = Callable[..., str]


def threaded_post() -> str:
    return post(
        12,
        "Council votes on the bridge",
        "The vote was close.\nNine to eight.\n\n<blockquote>We will appeal</blockquote>",
        excerpt="A <em>close</em> vote.",
        categories=("Transport",),
        tags=("Bridge", "Council"),
        comments=(
            comment(101, "Who voted against?", name="Ruth"),
            comment(103, "Thanks, that helps.", parent=102, name="Ruth"),
            comment(102, "The list is in the minutes.", parent=101, name="Hannah", user_id=2),
            comment(104, "Buy cheap watches", approved="spam", name="Spammer"),
            comment(105, "Waiting for a moderator", approved="0"),
            comment(106, "Removed long ago", approved="trash"),
            comment(107, "Linked from elsewhere", kind="pingback"),
        ),
    )


def test_a_post_becomes_an_article_readers_see(import_wxr: Import, client: Client) -> None:
    import_wxr(wxr([threaded_post()]))
    article = Article.objects.get(slug="council-votes-on-the-bridge")
    assert article.body_format == "html"
    # WordPress's automatic paragraphs applied, and the HTML kept as HTML.
    assert "<p>The vote was close.<br>\nNine to eight.</p>" in article.body_html
    assert "<blockquote>" in article.body_html
    assert article.standfirst == "A close vote."
    assert article.published_at == dt.datetime(2019, 12, 3, 10, tzinfo=dt.UTC)
    assert sorted(topic.name for topic in article.topics.all()) == [
        "Bridge",
        "Council",
        "Transport",
    ]
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "Nine to eight." in response.content.decode()


def test_comments_keep_threads_statuses_and_only_the_hashed_address(import_wxr: Import) -> None:
    import_wxr(wxr([threaded_post()]))
    by_body = {c.body_html: c for c in Comment.objects.all()}
    first = by_body["<p>Who voted against?</p>"]
    answer = by_body["<p>The list is in the minutes.</p>"]
    thanks = by_body["<p>Thanks, that helps.</p>"]
    assert (answer.parent, answer.depth, answer.thread_id) == (first, 1, first.pk)
    assert (thanks.parent, thanks.depth, thanks.thread_id) == (answer, 2, first.pk)
    assert first.thread_id == first.pk
    statuses = {c.body_source: c.status for c in Comment.objects.all()}
    assert statuses["<p>Buy cheap watches</p>"] == "spam"
    assert statuses["<p>Waiting for a moderator</p>"] == "held"
    assert statuses["<p>Removed long ago</p>"] == "deleted"
    assert not Comment.objects.filter(body_source__contains="Linked from elsewhere").exists()
    assert first.address_hash == address_hash("198.51.100.7")
    assert not Comment.objects.filter(address_hash="198.51.100.7").exists()
    assert (first.name, first.email) == ("Ruth", "pat@reader.example")
    # Published ones only, counted once at the end.
    assert Article.objects.get().comment_count == 3


def test_a_comment_by_a_site_user_is_linked_to_their_account(import_wxr: Import) -> None:
    import_wxr(wxr([threaded_post()]))
    hannah = User.objects.get(username="hannah")
    assert Comment.objects.get(body_source__contains="in the minutes").user == hannah
    assert not hannah.has_usable_password()
    assert hannah.display_name == "Hannah Brandt"


def test_imported_comments_show_on_the_article_page(import_wxr: Import, client: Client) -> None:
    import_wxr(wxr([threaded_post()]))
    page_text = client.get(Article.objects.get().get_absolute_url()).content.decode()
    assert "The list is in the minutes." in page_text
    assert "Buy cheap watches" not in page_text
    # Approving a held comment later saves it: the HTML must survive the save as it was.
    held = Comment.objects.get(status="held")
    set_status(held, Comment.Status.PUBLISHED)
    held.refresh_from_db()
    assert held.body_html == "<p>Waiting for a moderator</p>"


def test_the_creator_submits_and_co_authors_make_the_byline(import_wxr: Import) -> None:
    import_wxr(
        wxr(
            [
                post(1, "Solo piece", creator="oscar"),
                post(2, "Joint piece", coauthors=("oscar", "hannah", "guest-writer")),
            ]
        )
    )
    solo = Article.objects.get(slug="solo-piece")
    joint = Article.objects.get(slug="joint-piece")
    assert solo.submitted_by.username == "oscar"
    assert [a.name for a in solo.byline_authors()] == ["Óscar Ibáñez"]
    assert [a.name for a in joint.byline_authors()] == [
        "Óscar Ibáñez",
        "Hannah Brandt",
        "guest-writer",
    ]
    assert joint.submitted_by.username == "hannah"


@pytest.mark.parametrize(
    ("wp_status", "status", "live"),
    [
        ("publish", "published", True),
        ("future", "scheduled", False),
        ("draft", "draft", False),
        ("pending", "draft", False),
        ("private", "draft", False),
    ],
)
def test_post_statuses(import_wxr: Import, wp_status: str, status: str, live: bool) -> None:
    date = "2099-01-01 09:00:00" if wp_status == "future" else "2019-12-03 10:00:00"
    gmt = "0000-00-00 00:00:00" if wp_status in ("draft", "pending") else date
    import_wxr(wxr([post(5, "Status check", status=wp_status, date=date, date_gmt=gmt)]))
    article = Article.objects.get()
    assert (article.status, article.is_live) == (status, live)


def test_trash_and_auto_drafts_are_skipped_with_reasons(import_wxr: Import) -> None:
    output = import_wxr(
        wxr([post(5, "Binned", status="trash"), post(6, "Never written", status="auto-draft")])
    )
    assert not Article.objects.exists()
    assert "1 in the trash" in output
    assert "1 status 'auto-draft'" in output


def test_an_empty_gmt_date_is_read_in_the_site_time_zone(import_wxr: Import) -> None:
    import_wxr(
        wxr([post(7, "Local time", date="2020-07-01 12:00:00", date_gmt="0000-00-00 00:00:00")]),
        "--timezone=Europe/Berlin",
    )
    assert Article.objects.get().published_at == dt.datetime(2020, 7, 1, 10, tzinfo=dt.UTC)


def test_attachments_menu_items_and_other_pages_are_skipped(import_wxr: Import) -> None:
    output = import_wxr(
        wxr(
            [
                post(8, "photo", post_type="attachment"),
                post(9, "Home", post_type="nav_menu_item"),
                page(10, "About us", "We are a small newsroom."),
            ]
        )  # fmt: skip
    )
    assert not Article.objects.exists()
    assert "attachment: 0 created, 0 updated, 0 unchanged, 1 skipped" in output
    assert "menu item: 0 created" in output
    assert "1 not a privacy, terms or cookie policy page" in output


def test_policy_pages_become_drafts(import_wxr: Import, client: Client) -> None:
    import_wxr(
        wxr(
            [
                page(
                    20,
                    "Privacy Policy",
                    "We keep <strong>little</strong>.\n\nAsk us.",
                    slug="privacy-policy",
                ),
                page(21, "Terms and Conditions", "Be kind.", slug="terms"),
                page(22, "Cookies", "Only one.", slug="cookie-policy"),
            ]
        )  # fmt: skip
    )
    privacy = PolicyPage.objects.get(kind="privacy")
    assert privacy.published_at is None
    assert "<strong>little</strong>" in privacy.body_html
    assert "<p>Ask us.</p>" in privacy.body_html
    assert set(PolicyPage.objects.values_list("kind", flat=True)) == {"privacy", "terms", "cookies"}
    assert client.get(privacy.current_url()).status_code in (404, 200)
    assert "We keep" not in client.get(privacy.current_url()).content.decode()


def test_old_addresses_redirect_permanently(import_wxr: Import, client: Client) -> None:
    import_wxr(wxr([post(12, "Bridge vote", link="https://old.example/2019/12/03/bridge-vote/")]))
    url = Article.objects.get().get_absolute_url()
    for old in ("/?p=12", "/2019/12/bridge-vote/", "/2019/12/03/bridge-vote/"):
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, url), old
    assert client.get("/?p=99").status_code == 200  # the home page, as before
    assert client.get("/2019/12/no-such-post/").status_code == 404


def test_running_again_updates_instead_of_duplicating(import_wxr: Import) -> None:
    text = wxr([threaded_post(), post(13, "Second post")])
    import_wxr(text)
    counts = (Article.objects.count(), Comment.objects.count(), User.objects.count())
    output = import_wxr(text)
    assert (Article.objects.count(), Comment.objects.count(), User.objects.count()) == counts
    assert "article: 0 created, 0 updated, 2 unchanged" in output
    assert "comment: 0 created, 0 updated, 6 unchanged, 1 skipped (1 pingback)" in output
    assert Redirect.objects.count() == 4

    changed = wxr([threaded_post().replace("The vote was close.", "The vote was tight."),
                   post(13, "Second post")])  # fmt: skip
    output = import_wxr(changed)
    assert "article: 0 created, 1 updated, 1 unchanged" in output
    article = Article.objects.get(slug="council-votes-on-the-bridge")
    assert "The vote was tight." in article.body_html
    assert Article.objects.count() == 2
    assert article.bylines.count() == 1 and article.topics.count() == 3


def test_search_finds_imported_articles(import_wxr: Import, client: Client) -> None:
    import_wxr(wxr([post(12, "Harbour dredging", "The estuary silt is moving again.")]))
    assert Article.objects.get().body_text == "The estuary silt is moving again."
    response = client.get("/search/", {"q": "estuary"})
    assert "Harbour dredging" in response.content.decode()


def test_non_ascii_text_and_slugs(import_wxr: Import, client: Client) -> None:
    import_wxr(
        wxr(
            [
                post(
                    40,
                    "Ça déménage à Zürich",
                    "Größe – ελληνικά – 日本語",
                    slug="%c3%a7a-demenage",
                    comments=(comment(1, "Très bien, Ñandú", name="Zoë Ærø"),),
                )
            ]
        )  # fmt: skip
    )
    article = Article.objects.get()
    assert article.title == "Ça déménage à Zürich"
    assert article.slug == "ca-demenage"
    assert "日本語" in client.get(article.get_absolute_url()).content.decode()
    assert Comment.objects.get().name == "Zoë Ærø"
    assert client.get("/2019/12/ça-demenage/").status_code == 301


def test_cdata_holding_its_own_end_marker(import_wxr: Import) -> None:
    body = "if (a[b[0]]> 1) is how it ends: ]]> and again ]]>"
    assert cdata(body).count("]]]]><![CDATA[>") == 3
    import_wxr(wxr([post(41, "Code", f"<pre>{body}</pre>")]))
    assert "a[b[0]]&gt; 1" in Article.objects.get().body_html
    assert "again ]]&gt;</pre>" in Article.objects.get().body_html


def test_wxr_1_1_is_read_too(import_wxr: Import) -> None:
    import_wxr(wxr([threaded_post()], version="1.1"))
    assert Article.objects.get().comment_count == 3


def test_unsafe_html_is_sanitised(import_wxr: Import) -> None:
    import_wxr(
        wxr(
            [
                post(
                    42,
                    "Unsafe",
                    '<p onclick="x()">Hi<script>alert(1)</script></p>',
                    comments=(comment(1, '<a href="javascript:x()">me</a> <img src=x>'),),
                )
            ]
        )  # fmt: skip
    )
    assert "script" not in Article.objects.get().body_html
    assert "onclick" not in Article.objects.get().body_html
    assert "javascript" not in Comment.objects.get().body_html
    assert "<img" not in Comment.objects.get().body_html


def test_a_malformed_file_stops_with_line_and_column_and_stores_nothing(
    import_wxr: Import,
) -> None:
    good = wxr([post(1, "Fine post"), post(2, "Another")])
    broken = good.replace("<wp:post_id>2</wp:post_id>", "<wp:post_id>2</wp:post_idd>")
    line = broken[: broken.index("</wp:post_idd>")].count("\n") + 1
    with pytest.raises(CommandError) as caught:
        import_wxr(broken)
    message = str(caught.value)
    assert f"export.xml:{line}:" in message
    assert "mismatched tag; expected </wp:post_id>" in message
    assert "Nothing was imported" in message
    assert not Article.objects.exists() and not ImportedItem.objects.exists()
    assert not User.objects.exists()


def test_a_truncated_file_says_what_was_still_open(import_wxr: Import) -> None:
    text = wxr([post(1, "Fine post")])
    with pytest.raises(CommandError, match=r"no element found; expected </channel>"):
        import_wxr(text[: text.index("</channel>")])
    assert not Article.objects.exists()


def test_entity_expansion_is_refused(import_wxr: Import) -> None:
    laughs = (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "lol">\n'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">\n]>\n'
        "<rss><channel><title>&c;</title></channel></rss>"
    )
    with pytest.raises(CommandError, match="DTD"):
        import_wxr(laughs)


def test_dry_run_stores_nothing(import_wxr: Import) -> None:
    output = import_wxr(wxr([threaded_post()]), "--dry-run")
    assert "article: 1 created" in output
    assert "Dry run" in output
    assert not Article.objects.exists() and not Comment.objects.exists()


def test_an_existing_username_is_not_taken_over(import_wxr: Import) -> None:
    site_hannah = User.objects.create_user("hannah", password="a strong one for real")
    output = import_wxr(
        wxr([post(1, "By the other Hannah")], authors=(HANNAH, OSCAR, author(9, "x", "X")))
    )
    article = Article.objects.get()
    assert article.submitted_by != site_hannah
    assert article.submitted_by.username == "hannah-2"
    assert "username taken, suffix added" in output
