"""The spam defences, each posted through the real comment form: the honeypot, the form's
signed timestamp, rate limits per address and per e-mail, links, blocked words and
domains, and the learning filter's thresholds. Bans are in test_bans.py.

Nadia and Tomasz are anonymous visitors; Rita is a reader with a confirmed account. Most
tests publish anonymous comments (COMMENTS_HOLD_ANONYMOUS off), so a comment held here was
held by screening, for the reasons the test names.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest
from django.core import signing
from django.test import Client, override_settings
from django.utils import timezone

from broadsheet.discussion import services
from broadsheet.discussion.forms import SHOWN_AT_SALT
from broadsheet.discussion.models import Comment
from broadsheet.discussion.screening import SubmissionSignals
from broadsheet.moderation import spamfilter
from broadsheet.moderation.models import BlockedTerm
from broadsheet.publishing.models import Article
from tests.helpers import (
    TOMASZ,
    UNREACHABLE_CACHE,
    FormPage,
    as_nadia,
    form_shown_at,
    make_article,
    page_of,
    post_comment,
    run_broadsheet,
    show,
)
from tests.moderation.helpers import HELD_MESSAGE, what_the_sender_sees

pytestmark = pytest.mark.django_db


@pytest.fixture
def article() -> Article:
    return make_article("Council sells the old baths")


FIXED_THRESHOLDS = spamfilter.Thresholds(hold=0.8, discard=0.98, abuse=0.9)


@pytest.fixture(autouse=True)
def classifier_scores(monkeypatch: pytest.MonkeyPatch) -> dict[str, float]:
    """The classifiers' scores and thresholds, pinned so each test here sees only the check
    it is about (tests/moderation/test_spamfilter.py and test_abuse.py test the models).
    A test changes the scores through the dict this returns."""
    scores = {"spam": 0.01, "abuse": 0.01}
    monkeypatch.setattr(
        spamfilter, "score", lambda comment: spamfilter.Scores(scores["spam"], scores["abuse"])
    )
    monkeypatch.setattr(spamfilter, "thresholds", lambda: FIXED_THRESHOLDS)
    return scores


@pytest.fixture
def publish_anonymous(settings: Any) -> None:
    settings.COMMENTS_HOLD_ANONYMOUS = False


def stored(body: str) -> Comment:
    return Comment.objects.get(body_source=body)


# A reader passes --------------------------------------------------------------------------


def test_a_reader_who_takes_a_few_seconds_passes_every_check(
    nadia: Client, article: Article, publish_anonymous: None
) -> None:
    body = "I swam there every Saturday as a child. See https://baths.example.org/history"
    response = post_comment(nadia, article, **as_nadia(body, homepage="nadia.example.net"))

    comment = stored(body)
    assert (comment.status, comment.held_reasons) == (Comment.Status.PUBLISHED, [])
    assert comment.spam_score == 0.01  # as the (pinned) filter scored it
    assert what_the_sender_sees(nadia, response)[0] == ["Your comment has been published."]


# 1. The honeypot --------------------------------------------------------------------------


def test_the_honeypot_is_hidden_from_people_and_screen_readers(
    nadia: Client, article: Article
) -> None:
    page = page_of(nadia.get(article.get_absolute_url()))
    [trap] = page.find_all("div", "hp")

    assert trap.attrs["aria-hidden"] == "true"
    [field] = trap.find_all("input")
    assert field.attrs["name"] == "website"
    assert field.attrs["tabindex"] == "-1"
    assert field.attrs["autocomplete"] == "off"
    assert "Leave this field empty" in trap.text


def test_a_filled_honeypot_is_spam_and_told_exactly_what_a_held_comment_is_told(
    nadia: Client, tomasz: Client, article: Article
) -> None:
    held = post_comment(tomasz, article, **TOMASZ, body="An honest question about the sale.")
    caught = post_comment(
        nadia, article, **as_nadia("Best pool covers here.", website="https://covers.example")
    )

    comment = stored("Best pool covers here.")
    assert comment.status == Comment.Status.SPAM
    assert comment.held_reasons == ["moderation-policy", "honeypot"]
    held_sees, held_comment_shown = what_the_sender_sees(tomasz, held)
    spam_sees, spam_comment_shown = what_the_sender_sees(nadia, caught)
    assert held_sees == spam_sees == [HELD_MESSAGE]
    assert held_comment_shown and not spam_comment_shown
    assert "Best pool covers here." not in nadia.get(article.get_absolute_url()).content.decode()


# 2. The signed timestamp ------------------------------------------------------------------


def test_sending_the_form_straight_back_is_too_fast(
    nadia: Client, article: Article, publish_anonymous: None
) -> None:
    # The timestamp the page itself signed, sent at once as a bot would.
    shown_at = FormPage(nadia.get(article.get_absolute_url()).content.decode()).values["shown_at"]
    post_comment(nadia, article, **as_nadia("Instant reply.", shown_at=shown_at))

    comment = stored("Instant reply.")
    assert (comment.status, comment.held_reasons) == (Comment.Status.HELD, ["too-fast"])


@pytest.mark.parametrize(
    ("seconds_ago", "reasons"),
    [
        (1, ["too-fast"]),
        (4, []),
        (60 * 60 * 23, []),
        (60 * 60 * 24 + 60, ["form-expired"]),
    ],
)
def test_the_form_must_be_older_than_the_minimum_and_younger_than_the_maximum(
    nadia: Client, article: Article, publish_anonymous: None, seconds_ago: int, reasons: list[str]
) -> None:
    post_comment(nadia, article, **as_nadia("Timed.", shown_at=form_shown_at(seconds_ago)))

    comment = stored("Timed.")
    assert comment.held_reasons == reasons
    assert comment.status == (Comment.Status.HELD if reasons else Comment.Status.PUBLISHED)


def test_the_time_limits_follow_the_settings(
    nadia: Client, article: Article, publish_anonymous: None, settings: Any
) -> None:
    settings.SPAM_MIN_FORM_SECONDS = 30
    settings.SPAM_MAX_FORM_AGE_SECONDS = 3600
    post_comment(nadia, article, **as_nadia("Twenty seconds.", shown_at=form_shown_at(20)))
    post_comment(nadia, article, **as_nadia("Two hours.", shown_at=form_shown_at(7200)))
    post_comment(nadia, article, **as_nadia("Forty seconds.", shown_at=form_shown_at(40)))

    assert stored("Twenty seconds.").held_reasons == ["too-fast"]
    assert stored("Two hours.").held_reasons == ["form-expired"]
    assert stored("Forty seconds.").held_reasons == []


@pytest.mark.parametrize(
    "shown_at",
    [
        pytest.param("", id="missing"),
        pytest.param(str(time.time() - 60), id="unsigned"),
        pytest.param(signing.dumps(time.time() - 60, salt="another-form"), id="other-salt"),
        pytest.param(
            signing.dumps(time.time() - 60, salt=SHOWN_AT_SALT, key="not-the-secret-key"),
            id="other-key",
        ),
    ],
)
def test_a_missing_or_forged_timestamp_holds_the_comment(
    nadia: Client, article: Article, publish_anonymous: None, shown_at: str
) -> None:
    post_comment(nadia, article, **as_nadia("Where is my stamp?", shown_at=shown_at))

    comment = stored("Where is my stamp?")
    assert (comment.status, comment.held_reasons) == (Comment.Status.HELD, ["no-timestamp"])


def test_a_timestamp_changed_after_signing_holds_the_comment(
    nadia: Client, article: Article, publish_anonymous: None
) -> None:
    # Move a fresh (too fast) stamp an hour back without its signature: "too fast" must not
    # be dodged by editing the number.
    fresh = signing.dumps(time.time(), salt=SHOWN_AT_SALT)
    value, signature = fresh.rsplit(":", 1)
    backdated = signing.dumps(time.time() - 3600, salt=SHOWN_AT_SALT).rsplit(":", 1)[0]
    assert backdated != value
    post_comment(nadia, article, **as_nadia("Backdated.", shown_at=f"{backdated}:{signature}"))

    assert stored("Backdated.").held_reasons == ["no-timestamp"]


def test_without_the_form_the_honeypot_and_timestamp_are_not_asked(
    article: Article, publish_anonymous: None
) -> None:
    # Another way in (an API) has no form, so no honeypot or shown-at time to judge.
    submission = services.CommentSubmission(
        body="Sent by the app.",
        name="Nadia Holm",
        signals=SubmissionSignals(honeypot_filled=True, form_age_seconds=None, via_form=False),
    )
    outcome = services.post_comment(article, submission, user=None, address_hash="")

    assert (outcome.comment.status, outcome.comment.held_reasons) == (Comment.Status.PUBLISHED, [])


# 3. Rate limits ---------------------------------------------------------------------------


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # One instant for the whole test, so no post falls into the next counting window.
    moment = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_posts_over_the_limit_from_one_address_are_held(
    article: Article, publish_anonymous: None, frozen_clock: None, settings: Any
) -> None:
    settings.COMMENT_RATE_LIMIT_ADDRESS = (2, 600)
    settings.COMMENT_RATE_LIMIT_EMAIL = None
    one_address = Client(REMOTE_ADDR="203.0.113.9")
    # Different names and addresses each time: the client address is what is counted.
    for n in (1, 2, 3):
        post_comment(
            one_address, article, name=f"Sock {n}", email=f"sock{n}@example.net", body=f"Post {n}."
        )
    post_comment(Client(REMOTE_ADDR="198.51.100.4"), article, **as_nadia("Elsewhere."))

    assert [stored(f"Post {n}.").held_reasons for n in (1, 2, 3)] == [
        [],
        [],
        ["rate-limit-address"],
    ]
    assert stored("Post 3.").status == Comment.Status.HELD
    assert stored("Elsewhere.").held_reasons == []


def test_posts_over_the_limit_from_one_email_are_held(
    article: Article, publish_anonymous: None, frozen_clock: None, settings: Any
) -> None:
    settings.COMMENT_RATE_LIMIT_ADDRESS = None
    settings.COMMENT_RATE_LIMIT_EMAIL = (2, 600)
    # Three different client addresses, one e-mail address however it is capitalised.
    for n, email in enumerate(["nadia@example.net", "Nadia@Example.net", "NADIA@example.net"]):
        client = Client(REMOTE_ADDR=f"203.0.113.{n + 1}")
        post_comment(client, article, **as_nadia(f"Post {n + 1}.", email=email))
    post_comment(Client(REMOTE_ADDR="203.0.113.1"), article, **TOMASZ, body="Tomasz.")

    assert [stored(f"Post {n}.").held_reasons for n in (1, 2, 3)] == [
        [],
        [],
        ["rate-limit-email"],
    ]
    assert stored("Tomasz.").held_reasons == []


def test_the_count_starts_again_in_the_next_window(
    article: Article, publish_anonymous: None, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.COMMENT_RATE_LIMIT_ADDRESS = (1, 600)
    start = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: start)
    nadia = Client()
    post_comment(nadia, article, **as_nadia("First."))
    post_comment(nadia, article, **as_nadia("Second."))
    monkeypatch.setattr(timezone, "now", lambda: start + timezone.timedelta(seconds=601))
    post_comment(nadia, article, **as_nadia("Third, later."))

    assert stored("Second.").held_reasons == ["rate-limit-address"]
    assert stored("Third, later.").held_reasons == []


def test_a_signed_in_reader_is_rate_limited_too(
    rita: Client, article: Article, frozen_clock: None, settings: Any
) -> None:
    settings.COMMENT_RATE_LIMIT_ADDRESS = None
    settings.COMMENT_RATE_LIMIT_EMAIL = (1, 600)
    post_comment(rita, article, body="One.")
    post_comment(rita, article, body="Two.")

    assert stored("One.").status == Comment.Status.PUBLISHED
    second = stored("Two.")
    assert (second.status, second.held_reasons) == (Comment.Status.HELD, ["rate-limit-email"])


@pytest.mark.parametrize(
    ("bodies", "last_held_for"),
    [
        (["Pressed twice.", "Pressed twice.", "Then another."], []),
        (["One.", "Two.", "Then another."], ["rate-limit-address"]),
    ],
    ids=["second-press-of-save", "three-comments"],
)
def test_a_second_press_of_save_does_not_count_against_the_limit(
    article: Article,
    publish_anonymous: None,
    frozen_clock: None,
    settings: Any,
    bodies: list[str],
    last_held_for: list[str],
) -> None:
    settings.COMMENT_RATE_LIMIT_ADDRESS = (2, 600)
    settings.COMMENT_RATE_LIMIT_EMAIL = None
    settings.COMMENT_DUPLICATE_WINDOW_SECONDS = 60
    nadia = Client(REMOTE_ADDR="203.0.113.9")
    for body in bodies:
        assert post_comment(nadia, article, **as_nadia(body)).status_code == 302

    assert Comment.objects.count() == len(set(bodies))
    last = stored("Then another.")
    assert last.held_reasons == last_held_for
    assert last.status == (Comment.Status.HELD if last_held_for else Comment.Status.PUBLISHED)


def test_posting_goes_on_when_the_cache_is_unreachable(
    nadia: Client,
    article: Article,
    publish_anonymous: None,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.COMMENT_RATE_LIMIT_ADDRESS = (1, 600)
    with (
        override_settings(CACHES=UNREACHABLE_CACHE),
        caplog.at_level(logging.WARNING, logger="broadsheet.moderation.screening"),
    ):
        post_comment(nadia, article, **as_nadia("One."))
        response = post_comment(nadia, article, **as_nadia("Two."))

    assert response.status_code == 302
    assert [stored(body).held_reasons for body in ("One.", "Two.")] == [[], []]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "Comment rate limit by address skipped: the cache failed." in warnings


# 4. Links ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "held"),
    [
        ("Two: https://a.example.org/x and <https://b.example.org>.", False),
        ("Three: https://a.example.org, http://b.example.org/y?z=1 and www.c.example.org.", True),
        ("Markdown: [one](https://a.example.org) [two](https://b.example.org/p) cheap.xyz", True),
        # A domain written as a link's text and again as its target is one link.
        ("[a.example.com](https://a.example.com) and [b.example.com](http://b.example.com)", False),
        ("Bare: buy-now.com, pills.ru and casino.top", True),
        # Not links: e-mail addresses, file names, abbreviations, version numbers.
        ("Mail nadia@example.com or tomasz@example.net, see README.md, Node.js, e.g. 3.14", False),
    ],
)
def test_more_links_than_the_limit_hold_the_comment(
    nadia: Client, article: Article, publish_anonymous: None, body: str, held: bool
) -> None:
    post_comment(nadia, article, **as_nadia(body))

    comment = stored(body)
    assert comment.held_reasons == (["links"] if held else [])
    assert comment.status == (Comment.Status.HELD if held else Comment.Status.PUBLISHED)


def test_the_link_limit_follows_the_setting(
    nadia: Client, article: Article, publish_anonymous: None, settings: Any
) -> None:
    settings.SPAM_MAX_LINKS = 0
    post_comment(nadia, article, **as_nadia("Only https://one.example.org"))
    post_comment(nadia, article, **as_nadia("No links at all."))

    assert stored("Only https://one.example.org").held_reasons == ["links"]
    assert stored("No links at all.").held_reasons == []


# 5. Blocked words and domains -------------------------------------------------------------


@pytest.fixture
def blocked(db: None) -> None:
    for value in ["cheap pills", "Überweisung", "ass"]:
        BlockedTerm.objects.create(kind=BlockedTerm.Kind.WORD, value=value)
    BlockedTerm.objects.create(kind=BlockedTerm.Kind.DOMAIN, value="Spam.example")


@pytest.mark.parametrize(
    ("body", "reasons"),
    [
        ("Get CHEAP\n  Pills today", ["blocked-word"]),
        ("Get cheap pillsbury dough", []),
        ("Schnelle ÜBERWEISUNG!", ["blocked-word"]),
        ("Die Überweisungen kamen an.", []),
        ("Ｃｈｅａｐ ｐｉｌｌｓ", ["blocked-word"]),  # full-width letters
        ("A first-class pool.", []),
        ("What an ass.", ["blocked-word"]),
        ("See https://shop.spam.example/offer", ["blocked-domain"]),
        ("See [this](https://spam.example)", ["blocked-domain"]),
        ("See notspam.example.org and https://spam.example.org.uk", []),
    ],
)
def test_blocked_words_and_domains_hold_the_comment(
    nadia: Client,
    article: Article,
    publish_anonymous: None,
    blocked: None,
    body: str,
    reasons: list[str],
) -> None:
    post_comment(nadia, article, **as_nadia(body))

    comment = stored(body)
    assert comment.held_reasons == reasons
    assert comment.status == (Comment.Status.HELD if reasons else Comment.Status.PUBLISHED)


def test_a_blocked_domain_as_the_homepage_or_a_blocked_word_as_the_name_holds(
    article: Article, publish_anonymous: None, blocked: None
) -> None:
    post_comment(Client(), article, **as_nadia("Homepage.", homepage="https://www.spam.example/"))
    post_comment(Client(), article, **{**TOMASZ, "name": "Cheap Pills"}, body="Name.")

    assert stored("Homepage.").held_reasons == ["blocked-domain"]
    assert stored("Name.").held_reasons == ["blocked-word"]


def test_a_term_blocked_by_a_moderator_applies_to_the_next_comment(
    nadia: Client, article: Article, publish_anonymous: None
) -> None:
    post_comment(nadia, article, **as_nadia("Visit the lido."))
    BlockedTerm.objects.create(kind=BlockedTerm.Kind.WORD, value="lido")
    post_comment(nadia, article, **as_nadia("Visit the lido again."))
    BlockedTerm.objects.all().delete()
    post_comment(nadia, article, **as_nadia("The lido, once more."))

    assert [stored(body).held_reasons for body in ("Visit the lido.", "Visit the lido again.")] == [
        [],
        ["blocked-word"],
    ]
    assert stored("The lido, once more.").held_reasons == []


def test_every_change_to_the_blocked_words_applies_however_often_it_changes(
    nadia: Client, article: Article, publish_anonymous: None
) -> None:
    # The words' pattern is kept between posts; each list must still get its own.
    pier = BlockedTerm.objects.create(kind=BlockedTerm.Kind.WORD, value="pier")
    post_comment(nadia, article, **as_nadia("One: the pier and the kiosk."))
    kiosk = BlockedTerm.objects.create(kind=BlockedTerm.Kind.WORD, value="kiosk")
    pier.delete()
    post_comment(nadia, article, **as_nadia("Two: the kiosk alone."))
    post_comment(nadia, article, **as_nadia("Three: the pier alone."))
    kiosk.delete()
    BlockedTerm.objects.create(kind=BlockedTerm.Kind.WORD, value="pier")
    post_comment(nadia, article, **as_nadia("Four: the pier again."))
    post_comment(nadia, article, **as_nadia("Five: the kiosk again."))

    held = {
        body.split(":")[0]: stored(body).held_reasons
        for body in (
            "One: the pier and the kiosk.",
            "Two: the kiosk alone.",
            "Three: the pier alone.",
            "Four: the pier again.",
            "Five: the kiosk again.",
        )
    }
    assert held == {
        "One": ["blocked-word"],
        "Two": ["blocked-word"],
        "Three": [],
        "Four": ["blocked-word"],
        "Five": [],
    }


def test_a_confirmed_reader_with_a_blocked_word_is_held(
    rita: Client, article: Article, blocked: None
) -> None:
    response = post_comment(rita, article, body="Cheap pills, anyone?")

    comment = stored("Cheap pills, anyone?")
    assert (comment.status, comment.held_reasons) == (Comment.Status.HELD, ["blocked-word"])
    messages, shown_to_author = what_the_sender_sees(rita, response)
    assert messages == [HELD_MESSAGE]
    assert shown_to_author


# 6. The learning filter -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "status", "reasons"),
    [
        (0.1, Comment.Status.PUBLISHED, []),
        (0.79, Comment.Status.PUBLISHED, []),
        (0.8, Comment.Status.HELD, ["filter-likely-spam"]),
        (0.97, Comment.Status.HELD, ["filter-likely-spam"]),
        (0.98, Comment.Status.SPAM, ["filter-spam"]),
        (1.0, Comment.Status.SPAM, ["filter-spam"]),
    ],
)
def test_the_filter_score_decides_between_the_thresholds(
    rita: Client,
    article: Article,
    classifier_scores: dict[str, float],
    score: float,
    status: str,
    reasons: list[str],
) -> None:
    classifier_scores["spam"] = score
    post_comment(rita, article, body="Scored.")

    comment = stored("Scored.")
    assert (comment.status, comment.held_reasons, comment.spam_score) == (status, reasons, score)


def test_the_thresholds_follow_the_false_positive_settings(
    rita: Client, article: Article, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    monkeypatch.undo()  # the real thresholds() and scores
    table = {"0.001": 0.9, "0.01": 0.4, "0.1": 0.2}
    monkeypatch.setattr(spamfilter.spam_thresholds, "get", lambda: table)
    monkeypatch.setattr(spamfilter, "score", lambda comment: spamfilter.Scores(0.45, 0.0))
    settings.SPAM_HOLD_FALSE_POSITIVE_RATE = 0.01
    settings.SPAM_DISCARD_FALSE_POSITIVE_RATE = 0.001
    post_comment(rita, article, body="Scored.")
    assert stored("Scored.").held_reasons == ["filter-likely-spam"]

    settings.SPAM_HOLD_FALSE_POSITIVE_RATE = 0.1
    settings.SPAM_DISCARD_FALSE_POSITIVE_RATE = 0.1
    post_comment(rita, article, body="Scored again.")
    assert stored("Scored again.").held_reasons == ["filter-spam"]

    settings.SPAM_HOLD_FALSE_POSITIVE_RATE = 0
    settings.SPAM_DISCARD_FALSE_POSITIVE_RATE = 0
    post_comment(rita, article, body="Scored once more.")
    assert stored("Scored once more.").status == Comment.Status.PUBLISHED


def test_a_likely_abusive_comment_is_held_with_its_reason_and_score(
    rita: Client, article: Article, classifier_scores: dict[str, float]
) -> None:
    classifier_scores["abuse"] = 0.95
    post_comment(rita, article, body="Scored.")

    comment = stored("Scored.")
    assert (comment.status, comment.held_reasons) == (Comment.Status.HELD, ["likely-abusive"])
    assert comment.abuse_score == 0.95


def test_below_the_hold_threshold_the_site_policy_applies(
    nadia: Client, article: Article, classifier_scores: dict[str, float]
) -> None:
    classifier_scores["spam"] = 0.05
    post_comment(nadia, article, **as_nadia("Held as anonymous."))

    comment = stored("Held as anonymous.")
    assert (comment.status, comment.held_reasons) == (Comment.Status.HELD, ["moderation-policy"])


# Reasons together -------------------------------------------------------------------------


def test_every_reason_is_recorded_and_the_strictest_status_wins(
    nadia: Client, article: Article, blocked: None, classifier_scores: dict[str, float]
) -> None:
    classifier_scores.update(spam=0.99, abuse=0.95)
    body = "cheap pills at https://a.example.org https://b.example.org https://c.example.org"
    post_comment(nadia, article, **as_nadia(body, website="x", shown_at=form_shown_at(1)))

    comment = stored(body)
    assert comment.status == Comment.Status.SPAM
    assert comment.held_reasons == [
        "moderation-policy",
        "honeypot",
        "too-fast",
        "links",
        "blocked-word",
        "filter-spam",
        "likely-abusive",
    ]
    assert comment.spam_score == 0.99


# Settings ---------------------------------------------------------------------------------


def test_the_settings_read_rate_limits_and_thresholds(tmp_path: Path) -> None:
    expression = (
        "settings.COMMENT_RATE_LIMIT_ADDRESS, settings.COMMENT_RATE_LIMIT_EMAIL,"
        " settings.SPAM_HOLD_FALSE_POSITIVE_RATE, settings.ABUSE_HOLD_FALSE_POSITIVE_RATE"
    )
    assert show(tmp_path, expression) == "(5, 600) (5, 600) 0.01 0.01"
    changed = {
        "COMMENT_RATE_LIMIT_ADDRESS": "10/60",
        "COMMENT_RATE_LIMIT_EMAIL": "",
        "SPAM_HOLD_FALSE_POSITIVE_RATE": "0.02",
        "ABUSE_HOLD_FALSE_POSITIVE_RATE": "0",
    }
    assert show(tmp_path, expression, **changed) == "(10, 60) None 0.02 0.0"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("COMMENT_RATE_LIMIT_ADDRESS", "5 a minute"),
        ("COMMENT_RATE_LIMIT_EMAIL", "0/600"),
        ("SPAM_HOLD_FALSE_POSITIVE_RATE", "half"),
        ("ABUSE_HOLD_FALSE_POSITIVE_RATE", "1.5"),
        ("SPAM_DISCARD_FALSE_POSITIVE_RATE", "0.05"),  # above the hold rate
    ],
)
def test_a_bad_spam_setting_names_the_variable(tmp_path: Path, variable: str, value: str) -> None:
    result = run_broadsheet(tmp_path, "check", **{variable: value})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr
