"""The learning spam filter: what moderators' decisions teach it, how it scores new
comments, `broadsheet spam-filter stats|retrain`, and the benchmark's corpus.

Morgan (the moderator from conftest) marks Pavel's "zorbex" adverts as spam and approves
the allotment society's notices; new comments are scored without being saved.
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
from pytest_django import DjangoAssertNumQueries

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment
from broadsheet.moderation import spamfilter
from broadsheet.moderation.models import FilterDecision, SpamFilterTotals, SpamToken
from broadsheet.moderation.services import moderate
from broadsheet.publishing.models import Article
from tests.helpers import held_comment, make_article

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


def counts() -> dict[str, tuple[int, int]]:
    """What the filter has counted, token by token (rows counted down to zero are kept
    until a retrain, and mean nothing)."""
    rows = SpamToken.objects.all()
    return {t.token: (t.spam_count, t.ham_count) for t in rows if t.spam_count or t.ham_count}


def totals() -> tuple[int, int]:
    return spamfilter.totals()


# Scoring ---------------------------------------------------------------------------------


def test_an_untrained_filter_is_neutral(article: Article) -> None:
    comment = unsaved(article, "Buy zorbex now at https://zorbex.example/ !!!")

    assert spamfilter.spam_probability(comment) == 0.5


def test_a_comment_with_no_known_token_is_neutral(article: Article, moderator: User) -> None:
    moderate(pavel_advert(article, 1), "spam", moderator)
    moderate(allotment_notice(article, 1), "approve", moderator)
    stranger = unsaved(article, "Qwyjibo zorbex", name="Xylo", homepage="https://q.invalid")
    assert spamfilter.spam_probability(stranger) != 0.5

    # Forget every token the stranger has; what the filter knows of others is no evidence.
    SpamToken.objects.filter(token__in=spamfilter.features(stranger)).delete()

    assert SpamToken.objects.exists()
    assert spamfilter.spam_probability(stranger) == 0.5


def test_a_token_marked_spam_repeatedly_raises_the_score_of_a_new_comment_containing_it(
    article: Article, moderator: User
) -> None:
    for n in range(3):
        moderate(allotment_notice(article, n), "approve", moderator)
    new_advert = unsaved(article, "Has anyone tried zorbex?")
    before = spamfilter.spam_probability(new_advert)

    scores = []
    for n in range(4):
        moderate(pavel_advert(article, n), "spam", moderator)
        scores.append(spamfilter.spam_probability(new_advert))

    assert before < 0.5
    assert scores == sorted(scores)
    assert scores[-1] > 0.9
    # The same question without the word stays on the genuine side.
    assert spamfilter.spam_probability(unsaved(article, "Has anyone tried the hall?")) < 0.5


def test_ham_decisions_lower_the_score(article: Article, moderator: User) -> None:
    for n in range(3):
        moderate(pavel_advert(article, n), "spam", moderator)
    notice = unsaved(article, "The allotment society meets at the community hall again.")
    before = spamfilter.spam_probability(notice)

    for n in range(3):
        moderate(allotment_notice(article, n), "approve", moderator)

    after = spamfilter.spam_probability(notice)
    assert after < before
    assert after < 0.1


def test_links_alone_can_hold_a_comment_whose_words_are_borrowed(
    article: Article, moderator: User
) -> None:
    # Bots paste genuine-sounding text to carry a link; the link's own record counts.
    for n in range(6):
        moderate(allotment_notice(article, n), "approve", moderator)
        spammer = held_comment(
            article,
            name=f"Promo {n}",
            body=f"Best deals {n} at https://pills-{n}.example/buy and https://deals.example/buy",
            homepage="https://deals.example/buy",
        )
        moderate(spammer, "spam", moderator)
    copied = unsaved(
        article,
        "The allotment society meets on the 5th at the community hall. https://deals.example/buy",
    )
    genuine = unsaved(article, "The allotment society meets on the 5th at the community hall.")

    assert spamfilter.spam_probability(genuine) < 0.1
    assert spamfilter.spam_probability(copied) >= spamfilter.SITE_CERTAINTY


def test_scoring_is_one_query(
    article: Article, moderator: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    moderate(pavel_advert(article, 1), "spam", moderator)
    comment = unsaved(article, "zorbex " * 3000 + " ".join(f"word{i}" for i in range(3000)))

    with django_assert_num_queries(1):
        assert spamfilter.spam_probability(comment) > 0.5


def test_features_cover_links_sender_and_shape_and_stay_short(article: Article) -> None:
    comment = unsaved(
        article,
        "Read [the report](https://www.bbc.co.uk/news/uk-1) and https://x.example/a "
        "http://shop.example.ru/buy-cheap and www.deals.example " + "z" * 300,
        name="Mike 2024",
        email="mike1987@mail.example.ru",
        homepage="https://cheap-deals.example.xyz/offers",
    )

    tokens = spamfilter.features(comment)

    assert {
        "links:3+",
        "link-domain:bbc.co.uk",
        "link-host:shop.example.ru",
        "link-tld:ru",
        "link-path:cheap",
        "anchor:report",
        "name-shape:digits",
        "email-shape:digits",
        "email-domain:mail.example.ru",
        "homepage-domain:example.xyz",
        "homepage-tld:xyz",
        "shape:long-word",
        "read",
    } <= set(tokens)
    assert len(tokens) == len(set(tokens))
    assert max(len(t) for t in tokens) <= 100


# Learning --------------------------------------------------------------------------------


def test_learning_records_the_decision_and_counts_each_comment_once(
    article: Article, moderator: User
) -> None:
    advert = pavel_advert(article, 1)

    moderate(advert, "spam", moderator)
    moderate(advert, "spam", moderator)  # a second press changes nothing

    assert FilterDecision.objects.get(comment=advert).label == SPAM
    assert totals() == (1, 0)
    assert counts()["zorbex"] == (1, 0)
    # Deleting or unpublishing is no verdict on spam: the filter learns nothing from it.
    moderate(advert, "unpublish", moderator)
    assert FilterDecision.objects.get(comment=advert).label == SPAM
    assert totals() == (1, 0)


def test_relabelling_moves_the_counts_without_double_counting(
    article: Article, moderator: User
) -> None:
    other = pavel_advert(article, 2)
    moderate(other, "spam", moderator)
    comment = held_comment(article, name="Pavel", body="Try zorbex, says Bertram Quayle.")
    moderate(comment, "spam", moderator)
    assert counts()["zorbex"] == (2, 0)

    moderate(comment, "approve", moderator)  # a mistake put right

    assert FilterDecision.objects.get(comment=comment).label == HAM
    assert totals() == (1, 1)
    assert counts()["zorbex"] == (1, 1)
    # Tokens only the relabelled comment had are now ham only.
    only_mine = set(spamfilter.features(comment)) - set(spamfilter.features(other))
    assert only_mine
    assert {counts()[token] for token in only_mine} == {(0, 1)}


def test_unlearn_forgets_the_comment_entirely(article: Article, moderator: User) -> None:
    comment = pavel_advert(article, 1)
    moderate(comment, "spam", moderator)

    assert spamfilter.unlearn(comment) is True

    assert counts() == {}
    assert totals() == (0, 0)
    assert not FilterDecision.objects.exists()
    assert spamfilter.unlearn(comment) is False
    assert spamfilter.spam_probability(comment) == 0.5
    assert spamfilter.retrain() == (0, 0)
    assert not SpamToken.objects.exists()


def test_learn_refuses_unknown_labels_and_unsaved_comments(article: Article) -> None:
    with pytest.raises(ValueError, match="label"):
        spamfilter.learn(pavel_advert(article, 1), "maybe")
    with pytest.raises(ValueError, match="saved"):
        spamfilter.learn(unsaved(article, "zorbex"), SPAM)


def test_many_learners_in_a_row_lose_no_count(article: Article) -> None:
    comments = [pavel_advert(article, n) for n in range(25)]

    for comment in comments:
        spamfilter.learn(comment, SPAM)

    assert counts()["zorbex"] == (25, 0)
    assert counts()["capsules"] == (25, 0)
    assert totals() == (25, 0)
    assert SpamFilterTotals.objects.count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    # SQLite's test database is in memory with a shared cache, where a second writer fails
    # with "table is locked" at once instead of waiting as it does on the real file.
    reason="concurrent writers need PostgreSQL's test database",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_learners_lose_no_count() -> None:
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
    shared = set.intersection(*(set(spamfilter.features(c)) for c in comments))
    assert {"zorbex", "capsules", "name:pavel"} <= shared
    learned = counts()
    assert {token: learned[token] for token in shared} == {token: (24, 0) for token in shared}
    assert totals() == (24, 0)


def test_retrain_rebuilds_the_same_counts_from_decisions(article: Article, moderator: User) -> None:
    for n in range(4):
        moderate(pavel_advert(article, n), "spam", moderator)
        moderate(allotment_notice(article, n), "approve", moderator)
    relabelled = pavel_advert(article, 9)
    moderate(relabelled, "spam", moderator)
    moderate(relabelled, "approve", moderator)
    learned, learned_totals = counts(), totals()
    # Damage the counts the way a bug or a manual edit might.
    SpamToken.objects.filter(token="zorbex").update(spam_count=99)
    SpamToken.objects.filter(token__startswith="email").delete()
    SpamFilterTotals.objects.update(spam_documents=0)

    assert spamfilter.retrain() == (4, 5)

    assert counts() == learned
    assert totals() == learned_totals


# The command -----------------------------------------------------------------------------


def run_command(*args: str) -> str:
    out = io.StringIO()
    call_command("spam-filter", *args, stdout=out)
    return out.getvalue()


def test_stats_before_any_training() -> None:
    output = run_command("stats")

    assert "Comments learned: 0 spam, 0 genuine." in output
    assert "(none yet)" in output
    assert output.strip().splitlines()[-1] == (
        "Spam filter: learned from 0 spam and 0 genuine comments, 0 tokens."
    )


def test_stats_shows_counts_and_the_tokens_that_mark_each_side(
    article: Article, moderator: User
) -> None:
    for n in range(3):
        moderate(pavel_advert(article, n), "spam", moderator)
    for n in range(2):
        moderate(allotment_notice(article, n), "approve", moderator)

    output = run_command("stats", "--top", "40")

    assert "Comments learned: 3 spam, 2 genuine." in output
    assert "Decisions on record: 3 spam, 2 genuine." in output
    spam_part, ham_part = output.split("Tokens that most often mark genuine comments:")
    assert "zorbex" in spam_part and "zorbex" not in ham_part
    assert "allotment" in ham_part and "allotment" not in spam_part
    assert "  zorbex  " in spam_part and "spam      3  genuine      0" in spam_part
    tokens = len(counts())
    assert output.strip().splitlines()[-1] == (
        f"Spam filter: learned from 3 spam and 2 genuine comments, {tokens} tokens."
    )


def test_stats_warns_when_counts_and_decisions_differ(article: Article, moderator: User) -> None:
    moderate(pavel_advert(article, 1), "spam", moderator)
    SpamFilterTotals.objects.update(spam_documents=7)

    assert "run `spam-filter retrain`" in run_command("stats")


def test_retrain_command_rebuilds_and_summarises(article: Article, moderator: User) -> None:
    for n in range(2):
        moderate(pavel_advert(article, n), "spam", moderator)
    moderate(allotment_notice(article, 1), "approve", moderator)
    learned = counts()
    SpamToken.objects.all().delete()

    output = run_command("retrain")

    assert counts() == learned
    assert output.strip() == (
        f"Retrained the spam filter from 2 spam and 1 genuine comments: {len(learned)} tokens."
    )


# The benchmark's corpus --------------------------------------------------------------------


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
