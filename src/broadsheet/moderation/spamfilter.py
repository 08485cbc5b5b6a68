"""The learning spam filter: a token classifier trained by moderators' decisions.

Every approve (ham) and mark-as-spam (spam) decision teaches the filter through `learn()`;
`spam_probability()` then scores a new comment from 0 (ham) to 1 (spam). The method is
Gary Robinson's, as SpamBayes uses it: each token known to the filter gets a smoothed
probability from the share of spam and ham comments it appeared in, the most telling
tokens are combined with Fisher's chi-square method, and the result is exactly 0.5 when
the filter knows nothing about the comment (untrained, or no token seen before). Chi-square
combining keeps scores near 0 or 1 when the evidence agrees and near 0.5 when it conflicts,
which is what a hold threshold needs.

State lives in SpamToken (per-token comment counts) and SpamFilterTotals (one row: how many
comments of each kind were learned), changed only by atomic increments (`INSERT … ON
CONFLICT DO UPDATE`), so any number of workers can learn at once without losing counts.
FilterDecision remembers each comment's label, so a changed decision moves its tokens
instead of counting them twice, and `retrain()` can rebuild everything from decisions.

A comment's tokens come from `features.py`: its words, its links and who sent it. The links
and homepage are also scored on their own, so a link-carrying bot cannot hide behind words
copied from a genuine comment (see `score()`). bench/spam measures all this on a generated
corpus; bench/README.md has the figures and why the choices were made.

Each decision keeps the tokens it counted, so a relabel, an unlearn or a decision on an
edited comment takes back exactly those (decisions stored before tokens were kept use the
comment's current tokens; `broadsheet spam-filter retrain` puts any count right).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from broadsheet.discussion.models import Comment

from .features import features
from .models import FilterDecision, SpamFilterTotals, SpamToken

SPAM = FilterDecision.Label.SPAM
HAM = FilterDecision.Label.HAM

# Robinson's smoothing: a token seen in n comments counts as n observations of its own
# probability plus STRENGTH observations of the neutral PRIOR (SpamBayes' defaults).
UNKNOWN_TOKEN_STRENGTH = 0.45
UNKNOWN_TOKEN_PROBABILITY = 0.5
# Tokens closer to 0.5 than this say too little to be worth combining, and only the
# MAX_DISCRIMINATORS most telling tokens vote, so a long comment cannot drown its evidence
# in ordinary words.
MINIMUM_STRENGTH = 0.1
MAX_DISCRIMINATORS = 150
# Tokens from links and the homepage (see score()), and how sure they must be on their own
# to hold a comment whatever its words say.
SITE_TOKEN_PREFIXES = (
    "link-host:", "link-domain:", "link-tld:", "link-path:",
    "homepage-host:", "homepage-domain:", "homepage-tld:", "homepage-path:",
    "markup:",
)  # fmt: skip
SITE_CERTAINTY = 0.95

TOTALS_ID = 1


class TokenStats(NamedTuple):
    token: str
    spam_count: int
    ham_count: int
    spam_probability: float


# Scoring -------------------------------------------------------------------------------


def token_probability(spam_count: int, ham_count: int, spam_total: int, ham_total: int) -> float:
    """Robinson's f(w): the smoothed probability that a comment with this token is spam."""
    spam_ratio = spam_count / spam_total if spam_total else 0.0
    ham_ratio = ham_count / ham_total if ham_total else 0.0
    if spam_ratio + ham_ratio == 0:
        return UNKNOWN_TOKEN_PROBABILITY
    p = spam_ratio / (spam_ratio + ham_ratio)
    n = spam_count + ham_count
    return (UNKNOWN_TOKEN_STRENGTH * UNKNOWN_TOKEN_PROBABILITY + n * p) / (
        UNKNOWN_TOKEN_STRENGTH + n
    )


def _chi2q(chi2: float, degrees: int) -> float:
    """The probability that chi-square with `degrees` (even) degrees of freedom is at
    least `chi2`."""
    m = chi2 / 2.0
    term = total = math.exp(-m)
    for i in range(1, degrees // 2):
        term *= m / i
        total += term
    return min(total, 1.0)


def combine(probabilities: Iterable[float]) -> float:
    """Fisher-Robinson chi-square combining of the most telling token probabilities."""
    telling = sorted(
        (p for p in probabilities if abs(p - 0.5) >= MINIMUM_STRENGTH),
        key=lambda p: abs(p - 0.5),
        reverse=True,
    )[:MAX_DISCRIMINATORS]
    if not telling:
        return 0.5
    spam_log = sum(math.log1p(-p) for p in telling)
    ham_log = sum(math.log(p) for p in telling)
    degrees = 2 * len(telling)
    spamminess = 1.0 - _chi2q(-2.0 * spam_log, degrees)
    hamminess = 1.0 - _chi2q(-2.0 * ham_log, degrees)
    return (spamminess - hamminess + 1.0) / 2.0


def _quoted(model: type[SpamToken] | type[SpamFilterTotals], *fields: str) -> list[str]:
    qn = connection.ops.quote_name
    columns = {field.name: field.column for field in model._meta.concrete_fields}
    return [qn(model._meta.db_table)] + [qn(columns[name]) for name in fields]


def spam_probability(comment: Comment) -> float:
    """0 (ham) to 1 (spam); exactly 0.5 when the filter has nothing to go on. One query."""
    tokens = features(comment)
    table, token_col, spam_col, ham_col = _quoted(SpamToken, "token", "spam_count", "ham_count")
    totals, id_col, spam_docs, ham_docs = _quoted(
        SpamFilterTotals, "id", "spam_documents", "ham_documents"
    )
    # The totals ride along as the row with a NULL token, so scoring is one round trip.
    sql = (
        f"SELECT {token_col}, {spam_col}, {ham_col} FROM {table} "
        f"WHERE {token_col} IN ({', '.join(['%s'] * len(tokens))}) "
        f"UNION ALL SELECT NULL, {spam_docs}, {ham_docs} FROM {totals} WHERE {id_col} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*tokens, TOTALS_ID])
        rows = cursor.fetchall()
    spam_total = ham_total = 0
    known = []
    for token, spam_count, ham_count in rows:
        if token is None:
            spam_total, ham_total = spam_count, ham_count
        elif spam_count or ham_count:
            known.append((token, spam_count, ham_count))
    return score(known, spam_total, ham_total)


def score(known: Iterable[tuple[str, int, int]], spam_total: int, ham_total: int) -> float:
    """The spam probability of a comment whose known tokens have these (token, spam count,
    ham count), given how many spam and ham comments were learned.

    The links and homepage are also judged on their own: spam bots paste a genuine-looking
    comment (often copied from another site) to carry a link, and the borrowed words would
    otherwise outvote the link. When the link evidence alone is near certain, the comment
    scores at least that."""
    if spam_total + ham_total == 0:
        return 0.5
    everything = []
    site = []
    for token, spam_count, ham_count in known:
        p = token_probability(spam_count, ham_count, spam_total, ham_total)
        everything.append(p)
        if token.startswith(SITE_TOKEN_PREFIXES):
            site.append(p)
    overall = combine(everything)
    if site:
        site_score = combine(site)
        if site_score >= SITE_CERTAINTY:
            return max(overall, site_score)
    return overall


# Learning ------------------------------------------------------------------------------


def _change_counts(tokens: Sequence[str], label: str, step: int) -> None:
    """Count `tokens` and one comment once more (`step` 1) or once less (`step` -1) under
    `label`, never below zero.

    Every change is an upsert that adds to the stored count in the database, so concurrent
    learners never lose each other's counts. Tokens go in sorted order, the same for
    learning and unlearning, so concurrent PostgreSQL transactions lock rows in one order
    and cannot deadlock; the totals row always comes last. A token unlearned down to zero
    keeps its row (deleting it could take locks out of that order); scoring ignores it
    and `retrain()` drops it."""
    table, token_col, spam_col, ham_col = _quoted(SpamToken, "token", "spam_count", "ham_count")
    totals, id_col, spam_docs, ham_docs = _quoted(
        SpamFilterTotals, "id", "spam_documents", "ham_documents"
    )
    column, docs = (spam_col, spam_docs) if label == SPAM else (ham_col, ham_docs)
    new_spam = int(step > 0 and label == SPAM)
    new_ham = int(step > 0 and label == HAM)

    def changed(table: str, column: str) -> str:
        if step > 0:
            return f"{column} = {table}.{column} + 1"
        return f"{column} = CASE WHEN {table}.{column} > 0 THEN {table}.{column} - 1 ELSE 0 END"

    with connection.cursor() as cursor:
        ordered = sorted(tokens)
        # Batches stay under SQLite's limit on query parameters.
        for start in range(0, len(ordered), 300):
            batch = ordered[start : start + 300]
            cursor.execute(
                f"INSERT INTO {table} ({token_col}, {spam_col}, {ham_col}) VALUES "
                + ", ".join(["(%s, %s, %s)"] * len(batch))
                + f" ON CONFLICT ({token_col}) DO UPDATE SET {changed(table, column)}",
                [value for token in batch for value in (token, new_spam, new_ham)],
            )
        cursor.execute(
            f"INSERT INTO {totals} ({id_col}, {spam_docs}, {ham_docs}) VALUES (%s, %s, %s) "
            f"ON CONFLICT ({id_col}) DO UPDATE SET {changed(totals, docs)}",
            [TOTALS_ID, new_spam, new_ham],
        )


def learn(comment: Comment, label: str) -> None:
    """Teach the filter that `comment` is spam or ham (a FilterDecision label), once: the
    same label for the same text changes nothing; a different label, or the same label
    after the author edited the text, takes back what the earlier decision counted and
    counts the comment as it is now."""
    if label not in FilterDecision.Label.values:
        raise ValueError(f"Unknown filter label {label!r}.")
    if comment.pk is None:
        raise ValueError("Only a saved comment can be learned.")
    tokens = features(comment)
    with transaction.atomic():
        decision, created = FilterDecision.objects.get_or_create(
            comment=comment, defaults={"label": label, "tokens": tokens}
        )
        if created:
            _change_counts(tokens, label, 1)
            return
        # Locked, so two moderators relabelling the same comment at once take turns and
        # each sees the label the other left.
        decision = FilterDecision.objects.select_for_update().get(pk=decision.pk)
        learned = decision.tokens or tokens
        if decision.label == label and learned == tokens:
            return
        _change_counts(learned, decision.label, -1)
        _change_counts(tokens, label, 1)
        decision.label, decision.tokens = label, tokens
        decision.decided_at = timezone.now()
        decision.save(update_fields=["label", "tokens", "decided_at"])


def unlearn(comment: Comment) -> bool:
    """Forget whatever the filter learned from `comment`; False if it had learned nothing."""
    with transaction.atomic():
        decision = FilterDecision.objects.select_for_update().filter(comment=comment).first()
        if decision is None:
            return False
        decision.delete()
        _change_counts(decision.tokens or features(comment), decision.label, -1)
    return True


def retrain(progress: Callable[[int], None] | None = None) -> tuple[int, int]:
    """Rebuild every count from the FilterDecision rows and the comments as they are now;
    returns (spam, ham) comments learned. `progress(n)` is called as each batch of n
    decisions is read."""
    spam_counts: Counter[str] = Counter()
    ham_counts: Counter[str] = Counter()
    documents: dict[str, int] = {SPAM: 0, HAM: 0}
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Decisions recorded while we read would be lost from (or counted twice in)
            # the rebuild; learn() writes its decision row first, so it waits for us here.
            # SQLite's IMMEDIATE transactions already serialise every writer.
            with connection.cursor() as cursor:
                table = connection.ops.quote_name(FilterDecision._meta.db_table)
                cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        SpamToken.objects.all().delete()
        decisions = (
            FilterDecision.objects.select_related("comment")
            .only(
                "label",
                "tokens",
                "comment__name",
                "comment__email",
                "comment__homepage",
                "comment__body_source",
                "comment__user_id",
                "comment__email_confirmed",
            )
            .order_by("pk")
        )
        # Read in pages by primary key rather than through one open cursor, because each
        # page's decisions are written back (their tokens now stand for the comment as it
        # reads today), and SQLite gives no isolation between a cursor and writes on the
        # same connection.
        last_pk = 0
        while page := list(decisions.filter(pk__gt=last_pk)[:500]):
            changed = []
            for decision in page:
                tokens = features(decision.comment)
                (spam_counts if decision.label == SPAM else ham_counts).update(tokens)
                documents[decision.label] += 1
                if decision.tokens != tokens:
                    decision.tokens = tokens
                    changed.append(decision)
            FilterDecision.objects.bulk_update(changed, ["tokens"])
            last_pk = page[-1].pk
            if progress is not None:
                progress(len(page))
        SpamToken.objects.bulk_create(
            (
                SpamToken(token=token, spam_count=spam_counts[token], ham_count=ham_counts[token])
                for token in sorted((spam_counts | ham_counts).keys())
            ),
            batch_size=500,
        )
        SpamFilterTotals.objects.update_or_create(
            pk=TOTALS_ID,
            defaults={"spam_documents": documents[SPAM], "ham_documents": documents[HAM]},
        )
    return documents[SPAM], documents[HAM]


# What the filter knows -----------------------------------------------------------------


def token_count() -> int:
    """How many distinct tokens the filter has counts for."""
    return SpamToken.objects.filter(Q(spam_count__gt=0) | Q(ham_count__gt=0)).count()


def totals() -> tuple[int, int]:
    """(spam, ham) comments the filter has learned from."""
    row = SpamFilterTotals.objects.filter(pk=TOTALS_ID).first()
    return (row.spam_documents, row.ham_documents) if row else (0, 0)


def top_tokens(label: str, n: int = 20) -> list[TokenStats]:
    """The `n` tokens seen most often under `label` among those that are strong evidence
    for it on their own (a spam probability of at least 0.9 for spam, at most 0.1 for ham):
    what the filter has learned, rather than the words every comment has."""
    spam_total, ham_total = totals()
    count_field = "spam_count" if label == SPAM else "ham_count"
    candidates = SpamToken.objects.filter(**{f"{count_field}__gt": 0}).order_by(
        f"-{count_field}", "token"
    )
    found: list[TokenStats] = []
    for start in range(0, 50_000, 1000):
        page = list(candidates[start : start + 1000])
        for row in page:
            p = token_probability(row.spam_count, row.ham_count, spam_total, ham_total)
            if (p >= 0.9) if label == SPAM else (p <= 0.1):
                found.append(TokenStats(row.token, row.spam_count, row.ham_count, p))
                if len(found) == n:
                    return found
        if len(page) < 1000:
            break
    return found
