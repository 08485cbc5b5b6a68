"""The learning spam filter: the shipped starting model, what moderators' decisions teach
the site's own, the thresholds, forgetting, `broadsheet spam-filter stats|retrain`, and the
benchmark's generated corpus.

Morgan (the moderator) marks Pavel's "zorbex" adverts as spam and approves the allotment
society's notices; new comments are scored without being saved.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django_tasks_db.models import DBTaskResult
from pytest_django import DjangoAssertNumQueries

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment
from broadsheet.moderation import classifier, spamfilter
from broadsheet.moderation.models import ClassifierState, FilterDecision
from broadsheet.moderation.services import moderate
from broadsheet.moderation.tasks import retrain_spam_model
from broadsheet.publishing.models import Article
from tests.helpers import deliver_mail, held_comment, make_article

pytestmark = pytest.mark.django_db

SPAM = FilterDecision.Label.SPAM
HAM = FilterDecision.Label.HAM
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def article(db: None) -> Article:
    return make_article("Allotment waiting list grows")


def unsaved(article: Article, body: str, **fields: str) -> Comment:
    """A new comment as posting builds it before screening: not yet in the database."""
    values = {"name": "Hollis Grey", "email": "", "homepage": ""}
    values.update(fields)
    return Comment(article=article, body_source=body, **values)


def pavel_advert(article: Article, n: int) -> Comment:
    return held_comment(
        article,
        name="Pavel",
        email=f"pavel{n}@example.com",
        body=f"Try zorbex capsules today, offer {n}.",
    )


def allotment_notice(article: Article, n: int) -> Comment:
    return held_comment(
        article,
        name="Ines",
        email=f"ines{n}@example.org",
        body=f"The allotment society meets on the {n}th at the community hall.",
    )


def site_weights() -> bytes:
    state = ClassifierState.objects.filter(kind="spam").first()
    return bytes(state.weights) if state else b""


# The first day ---------------------------------------------------------------------------


def test_a_new_site_is_not_neutral_on_its_first_day(article: Article) -> None:
    assert not ClassifierState.objects.exists()
    pitch = unsaved(
        article,
        "URGENT! You have WON a £2000 cash prize. Call 09061701461 now or text WIN to 80086 "
        "to claim, T&Cs apply.",
    )
    reply = unsaved(article, "I went to the meeting too, and the chair answered every question.")
    limits = spamfilter.thresholds()

    assert spamfilter.spam_probability(pitch) >= limits.hold
    assert spamfilter.spam_probability(reply) < limits.hold
    # The shipped thresholds, read from the starting model's table.
    table = classifier.starting_model("spam").thresholds
    assert limits.hold == spamfilter.threshold_at(table, 0.01)
    assert limits.discard == spamfilter.threshold_at(table, 0.001)
    assert limits.discard >= limits.hold


def test_scoring_reads_nothing_while_the_model_is_unchanged(
    article: Article, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    comment = unsaved(article, "Try zorbex capsules today.")
    spamfilter.score(comment)
    spamfilter.thresholds()
    with django_assert_num_queries(0):
        spamfilter.score(comment)
        spamfilter.thresholds()


# Learning --------------------------------------------------------------------------------


def test_spam_decisions_raise_the_score_of_a_new_comment_like_them(
    article: Article, moderator: User
) -> None:
    newcomer = unsaved(article, "Try zorbex capsules, a new offer.", name="Pavel")
    before = spamfilter.spam_probability(newcomer)

    for n in range(6):
        moderate(pavel_advert(article, n), "spam", moderator)

    after = spamfilter.spam_probability(newcomer)
    assert after > before + 0.2
    assert after >= spamfilter.thresholds().hold
    assert spamfilter.totals() == (6, 0)
    assert spamfilter.spam_model.get().decisions == 6


def test_ham_decisions_lower_the_score(article: Article, moderator: User) -> None:
    for n in range(4):
        moderate(pavel_advert(article, n), "spam", moderator)
    notice = unsaved(article, "The allotment society tried zorbex on the beans.", name="Ines")
    raised = spamfilter.spam_probability(notice)

    for n in range(6):
        trial = held_comment(article, name="Ines", body=f"Zorbex on plot {n} did well.")
        moderate(trial, "approve", moderator)

    assert spamfilter.spam_probability(notice) < raised


def test_the_same_decision_twice_changes_nothing(article: Article) -> None:
    advert = pavel_advert(article, 1)
    spamfilter.learn(advert, SPAM)
    learned = site_weights()

    spamfilter.learn(advert, SPAM)

    assert site_weights() == learned
    assert spamfilter.spam_model.get().decisions == 1


def test_a_changed_decision_is_relabelled_not_counted_twice(article: Article) -> None:
    advert = pavel_advert(article, 1)
    spamfilter.learn(advert, SPAM)
    spam_score = spamfilter.spam_probability(advert)

    spamfilter.learn(advert, HAM)

    decision = FilterDecision.objects.get(comment=advert)
    assert decision.label == HAM
    assert spamfilter.spam_model.get().decisions == 1
    assert spamfilter.spam_probability(advert) < spam_score


def test_learn_refuses_unknown_labels_and_unsaved_comments(article: Article) -> None:
    with pytest.raises(ValueError, match="label"):
        spamfilter.learn(pavel_advert(article, 1), "maybe")
    with pytest.raises(ValueError, match="saved"):
        spamfilter.learn(unsaved(article, "zorbex"), SPAM)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    # SQLite's test database is in memory with a shared cache, where a second writer fails
    # with "table is locked" at once instead of waiting as it does on the real file.
    reason="concurrent writers need PostgreSQL's test database",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_learners_lose_no_decision() -> None:
    article = make_article()
    comments = [pavel_advert(article, n) for n in range(24)]
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def learn_share(share: list[Comment]) -> None:
        try:
            start.wait(timeout=10)
            for comment in share:
                spamfilter.learn(comment, SPAM)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=learn_share, args=(comments[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert ClassifierState.objects.get(kind="spam").decisions == 24
    assert spamfilter.totals() == (24, 0)


# Retraining and forgetting ---------------------------------------------------------------


def test_retrain_rebuilds_the_model_from_decisions_alone(article: Article, moderator: User) -> None:
    for n in range(4):
        moderate(pavel_advert(article, n), "spam", moderator)
        moderate(allotment_notice(article, n), "approve", moderator)
    relabelled = pavel_advert(article, 9)
    moderate(relabelled, "spam", moderator)
    moderate(relabelled, "approve", moderator)

    assert spamfilter.retrain() == (4, 5)
    rebuilt = site_weights()
    # Damage the weights the way a bug or a manual edit might: a retrain puts them back.
    ClassifierState.objects.update(weights=b"", bias=3.0, decisions=0)
    assert spamfilter.retrain() == (4, 5)

    assert site_weights() == rebuilt
    state = ClassifierState.objects.get(kind="spam")
    assert state.decisions == 9 and state.retrained_at is not None


@pytest.mark.django_db(transaction=True)
def test_forgetting_a_persons_decisions_takes_them_out_of_the_model(moderator: User) -> None:
    article = make_article("Allotment waiting list grows")
    for n in range(3):
        moderate(allotment_notice(article, n), "approve", moderator)
    spamfilter.retrain()
    without_pavel = site_weights()
    adverts = [pavel_advert(article, n) for n in range(5)]
    for advert in adverts:
        moderate(advert, "spam", moderator)
    assert site_weights() != without_pavel

    dropped = spamfilter.forget(Comment.objects.filter(pk__in=[a.pk for a in adverts]))

    assert dropped == 5
    assert spamfilter.totals() == (0, 3)
    # The retrain is the worker's: queued when the erasure committed.
    queued = DBTaskResult.objects.filter(task_path=retrain_spam_model.module_path)
    assert queued.count() == 1
    deliver_mail()  # runs every queued task, as `broadsheet worker --batch`
    assert site_weights() == without_pavel
    assert not spamfilter.unlearn(adverts[0])


# Thresholds ------------------------------------------------------------------------------


def test_thresholds_interpolate_between_the_measured_rates() -> None:
    table = {"0.001": 0.9, "0.01": 0.5, "0.1": 0.1}
    assert spamfilter.threshold_at(table, 0.01) == 0.5
    assert spamfilter.threshold_at(table, 0.001) == 0.9
    # Halfway on a log scale between 1% and 10%.
    assert spamfilter.threshold_at(table, 0.01 * 10**0.5) == pytest.approx(0.3)
    assert spamfilter.threshold_at(table, 0.5) == 0.1  # past the table: its end
    assert spamfilter.threshold_at(table, 0) == 1.0  # off: nothing is held
    assert spamfilter.threshold_at({}, 0.01) == 1.0  # nothing measured: nothing is held


def test_the_held_out_table_holds_at_most_the_share_asked_for() -> None:
    scores = [i / 1000 for i in range(1000)]
    table = spamfilter.held_out_thresholds(scores)
    for rate, threshold in table.items():
        held = sum(1 for s in scores if s >= threshold)
        assert held <= float(rate) * len(scores)
        assert held >= float(rate) * len(scores) - 1


def test_the_sites_own_thresholds_take_over_once_enough_comments_were_approved(
    article: Article, moderator: User, settings: object
) -> None:
    shipped = spamfilter.thresholds()
    notices = []
    for n in range(spamfilter.MIN_HELD_OUT_HAM):
        notice = allotment_notice(article, n)
        notice.spam_score = n / spamfilter.MIN_HELD_OUT_HAM  # as scored when posted
        notice.save(update_fields=["spam_score"])
        notices.append(notice)
    for notice in notices[:-1]:
        spamfilter.learn(notice, HAM)
    assert spamfilter.thresholds() == shipped

    spamfilter.learn(notices[-1], HAM)

    # 1% of 200 is 2: the score just above the third highest holds the two above it.
    assert spamfilter.thresholds().hold == pytest.approx(0.985, abs=1e-6)
    assert spamfilter.thresholds().hold != shipped.hold


# Explanations ----------------------------------------------------------------------------


def test_explain_names_the_tokens_that_pushed_hardest(article: Article, moderator: User) -> None:
    for n in range(6):
        moderate(pavel_advert(article, n), "spam", moderator)
        moderate(allotment_notice(article, n), "approve", moderator)
    newcomer = unsaved(article, "Zorbex capsules for the allotment society.")

    pushes = spamfilter.explain(newcomer, n=8)

    assert 0 < len(pushes) <= 8
    weights = [abs(p.weight) for p in pushes]
    assert weights == sorted(weights, reverse=True)
    by_token = {p.token: p.weight for p in pushes}
    assert by_token.get("w:zorbex", 0) > 0 or by_token.get("w:capsules", 0) > 0
    assert all(
        token.startswith(
            (
                "w:",
                "b:",
                " ",
                "links",
                "link",
                "shape",
                "name",
                "email",
                "homepage",
                "sender",
                "words",
                "anchor",
                "markup",
                "messenger",
                "body-email",
            )
        )
        or len(token) <= 5
        for token in by_token
    )


# The command -----------------------------------------------------------------------------


def run_command(*args: str) -> str:
    out = io.StringIO()
    call_command("spam-filter", *args, stdout=out)
    return out.getvalue()


def test_stats_before_any_decision() -> None:
    output = run_command("stats")
    assert "Decisions on record: 0 spam, 0 genuine." in output
    assert "the starting model counts 100% as much" in output
    assert "the starting model's, until 200 comments are approved" in output
    assert "Starting spam model: built" in output and "sms" in output


def test_retrain_command_rebuilds_and_summarises(article: Article, moderator: User) -> None:
    moderate(pavel_advert(article, 1), "spam", moderator)
    moderate(allotment_notice(article, 1), "approve", moderator)
    ClassifierState.objects.update(weights=b"")

    output = run_command("retrain")

    assert "Retrained the spam model from 1 spam and 1 genuine comments." in output
    assert site_weights() != b""
    assert "Decisions on record: 1 spam, 1 genuine." in run_command("stats")


# The benchmark corpus --------------------------------------------------------------------


def _corpus_digest(seed: int) -> str:
    code = (
        "import hashlib, sys; from bench.spam.corpus import generate; "
        f"print(hashlib.sha256(repr(generate({seed})).encode()).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_benchmark_corpus_is_large_varied_and_the_same_every_time() -> None:
    from bench.spam.corpus import generate

    corpus = generate(7)

    assert generate(7) == corpus
    assert generate(8) != corpus
    # The same in another process with other string hashing.
    assert _corpus_digest(7) == hashlib.sha256(repr(corpus).encode()).hexdigest()
    spam = [c for c in corpus if c.spam]
    ham = [c for c in corpus if not c.spam]
    assert len(spam) >= 1000 and len(ham) >= 1000
    assert {"link", "seo", "pharmacy", "crypto", "praise", "copied"} <= {c.kind for c in spam}
    assert {"political", "short", "essay", "local"} <= {c.kind for c in ham}
    # Not separable by links alone: some spam has none, some genuine comments do.
    assert any("http" not in c.body and not c.homepage for c in spam)
    assert any("http" in c.body for c in ham)
    # Genuine political anger uses the words a naive filter fears.
    political = " ".join(c.body.lower() for c in ham if c.kind == "political")
    assert all(word in political for word in ("scam", "free", "money", "cheap"))
    assert len({c.body for c in corpus}) > 0.9 * len(corpus)
