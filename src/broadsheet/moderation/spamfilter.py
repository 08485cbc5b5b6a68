"""The learning spam filter and the abuse score, as screening and moderators use them.

`score()` reads a comment once and gives both probabilities (classifier.py: a shipped
starting model plus the site's own, for spam; the shipped model alone, for abuse).
`thresholds()` turns the operator's false-positive targets into scores. Every moderator
decision teaches the spam model through `learn()`: a FilterDecision row records the label,
and a few gradient steps move the site's weights at once, in every worker (the weights are
kept per process and reloaded when they change, lib/versioned.py). `retrain()` rebuilds the
site's model from all decisions, oldest first; `forget()` drops decisions (an erased
person's) and retrains.

Thresholds are measured on held-out data: first the starting model's (its build held out
a fifth of its corpora), then, once moderators have approved MIN_HELD_OUT_HAM comments, the
site's own. Each approved comment's score was given when it was posted, before the model
learned from it, so those scores are held-out by construction; the most recent
RECENT_HAM of them set the score that would have held each share of genuine comments.
`explain()` names the tokens that pushed a score most, for the moderation queue.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from broadsheet.discussion.models import Comment
from broadsheet.lib.versioned import Versioned

from . import classifier
from .classifier import LinearModel, Scorer, Vector
from .features import MAX_BODY_CHARS
from .models import ClassifierState, FilterDecision
from .tokens import comment_groups, text_groups

SPAM = FilterDecision.Label.SPAM
HAM = FilterDecision.Label.HAM
LABELS: dict[str, int] = {SPAM: 1, HAM: 0}
# A site's own thresholds replace the starting model's once this many genuine comments
# were held out to measure them: fewer cannot place a 1% rate.
MIN_HELD_OUT_HAM = 200
RECENT_HAM = 2000
THRESHOLD_RATES = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1)


@dataclass(frozen=True)
class Scores:
    spam: float
    abuse: float


@dataclass(frozen=True)
class Thresholds:
    """Scores at or above which screening holds (likely spam, likely abusive) or discards."""

    hold: float
    discard: float
    abuse: float


def _spam_scorer(state: ClassifierState | None) -> Scorer:
    """The starting model with the site's weights as `state` holds them (none yet: zero)."""
    prior = classifier.starting_model("spam").model
    if state is None or not state.weights:
        return Scorer(prior, None, 0 if state is None else state.decisions)
    return Scorer(prior, LinearModel.from_bytes(state.weights, state.bias), state.decisions)


def _load_spam_scorer() -> Scorer:
    return _spam_scorer(ClassifierState.objects.filter(kind=ClassifierState.Kind.SPAM).first())


spam_model: Versioned[Scorer] = Versioned("spam-model", _load_spam_scorer)
spam_model.follow(ClassifierState)


@functools.cache
def abuse_scorer() -> Scorer:
    return Scorer(classifier.starting_model("abuse").model)


def vector_of(comment: Comment) -> Vector:
    return classifier.vectorise(comment_groups(comment))


def score(comment: Comment) -> Scores:
    """Both probabilities of an unsaved or stored comment; no query unless the site's spam
    model changed since this process last read it."""
    vector = vector_of(comment)
    return Scores(spam_model.get().probability(vector), abuse_scorer().probability(vector))


def spam_probability(comment: Comment) -> float:
    return score(comment).spam


# Sentences end at ".", "!" or "?" before a space, or at a line break; a long comment is
# looked at up to MAX_SENTENCES of them.
_SENTENCE_END = re.compile(r"[.!?]\s|\n")
MAX_SENTENCES = 60


def sentences(text: str) -> list[str]:
    parts = _SENTENCE_END.split(text[:MAX_BODY_CHARS], maxsplit=MAX_SENTENCES)
    return [part for part in parts[:MAX_SENTENCES] if part.strip()]


def sentence_count(text: str) -> int:
    return len(sentences(text))


def worst_sentence_abuse(text: str) -> float:
    """The highest abuse score of any one sentence of `text`, each scored alone."""
    scorer = abuse_scorer()
    return max(
        (scorer.probability(classifier.vectorise(text_groups(part))) for part in sentences(text)),
        default=0.0,
    )


# Thresholds ------------------------------------------------------------------------------


def threshold_at(table: dict[str, float], rate: float) -> float:
    """The score that holds `rate` of genuine comments, from a table measured at a few
    rates, interpolated on the logarithm of the rate; 1.0 (never) for a rate of 0."""
    if rate <= 0 or not table:
        return 1.0  # nothing measured: hold nothing on this score
    points = sorted((float(key), value) for key, value in table.items())
    rates = [math.log(point[0]) for point in points]
    position = math.log(rate)
    i = bisect.bisect_left(rates, position)
    if i == 0:
        return points[0][1]
    if i == len(points):
        return points[-1][1]
    (low, low_score), (high, high_score) = points[i - 1], points[i]
    share = (position - math.log(low)) / (math.log(high) - math.log(low))
    return low_score + share * (high_score - low_score)


def _spam_table() -> dict[str, float]:
    state = ClassifierState.objects.filter(kind=ClassifierState.Kind.SPAM).first()
    if state is not None and state.thresholds:
        return dict(state.thresholds)
    return classifier.starting_model("spam").thresholds


spam_thresholds: Versioned[dict[str, float]] = Versioned("spam-thresholds", _spam_table)
spam_thresholds.follow(ClassifierState)


def thresholds() -> Thresholds:
    table = spam_thresholds.get()
    return Thresholds(
        hold=threshold_at(table, settings.SPAM_HOLD_FALSE_POSITIVE_RATE),
        discard=threshold_at(table, settings.SPAM_DISCARD_FALSE_POSITIVE_RATE),
        abuse=threshold_at(
            classifier.starting_model("abuse").thresholds, settings.ABUSE_HOLD_FALSE_POSITIVE_RATE
        ),
    )


# Learning --------------------------------------------------------------------------------


def _locked_state() -> ClassifierState:
    state, _ = ClassifierState.objects.get_or_create(kind=ClassifierState.Kind.SPAM)
    return ClassifierState.objects.select_for_update().get(pk=state.pk)


def _save(state: ClassifierState, scorer: Scorer, **fields: object) -> None:
    state.weights = scorer.learned().to_bytes()
    state.bias = scorer.learned().bias
    state.decisions = scorer.decisions
    for name, value in fields.items():
        setattr(state, name, value)
    state.save()


def learn(comment: Comment, label: str) -> None:
    """Teach the spam model that `comment` is spam or ham (a FilterDecision label). The
    same label again changes nothing, unless the comment was edited since: then its new
    text is learned. A new label is learned at once (retrain() later takes the old one out
    of the weights entirely). Either way the comment counts as one decision."""
    if label not in LABELS:
        raise ValueError(f"Unknown filter label {label!r}.")
    if comment.pk is None:
        raise ValueError("Only a saved comment can be learned.")
    vector = vector_of(comment)
    with transaction.atomic():
        decision, created = FilterDecision.objects.get_or_create(
            comment=comment, defaults={"label": label}
        )
        if not created:
            decision = FilterDecision.objects.select_for_update().get(pk=decision.pk)
            edited = comment.edited_at is not None and comment.edited_at > decision.decided_at
            if decision.label == label and not edited:
                return
            decision.label, decision.decided_at = label, timezone.now()
            decision.save(update_fields=["label", "decided_at"])
        state = _locked_state()
        scorer = _spam_scorer(state)
        if created:
            scorer.learn(vector, LABELS[label])
        else:
            scorer.step(vector, LABELS[label])
        _save(state, scorer, thresholds=measured_thresholds())


def unlearn(comment: Comment) -> bool:
    """Forget the decision on `comment` (see forget()); False if there was none."""
    return forget(Comment.objects.filter(pk=comment.pk)) > 0


def forget(comments: QuerySet[Comment]) -> int:
    """Drop the decisions on `comments`, as the data-rights erasure needs, and queue a
    retrain without them once the transaction commits: the site's weights hold what those
    decisions taught until the worker has run it (minutes, not a request's time). Returns
    how many decisions were dropped."""
    from .tasks import retrain_spam_model  # the tasks module builds on this one

    dropped, _ = FilterDecision.objects.filter(comment__in=comments).delete()
    if dropped:
        transaction.on_commit(retrain_spam_model.enqueue, robust=True)
    return int(dropped)


def _decisions() -> list[tuple[Vector, int]]:
    rows = (
        FilterDecision.objects.select_related("comment")
        .only(
            "label",
            "comment__name",
            "comment__email",
            "comment__homepage",
            "comment__body_source",
            "comment__user_id",
            "comment__email_confirmed",
        )
        .order_by("decided_at", "pk")
    )
    return [(vector_of(row.comment), LABELS[row.label]) for row in rows.iterator(chunk_size=500)]


def held_out_thresholds(scores: list[float]) -> dict[str, float]:
    """From genuine comments' scores, the score each rate in THRESHOLD_RATES would hold."""
    ordered = sorted(scores, reverse=True)
    table = {}
    for rate in THRESHOLD_RATES:
        k = int(rate * len(ordered))
        # Just above the (k+1)-th highest: at most k of these genuine comments are held.
        table[str(rate)] = min(1.0, math.nextafter(ordered[k], 2.0)) if k < len(ordered) else 0.0
    return table


def measured_thresholds() -> dict[str, float]:
    """The site's own thresholds table, from the scores its recently approved comments had
    when posted; empty (the starting model's apply) while there are too few."""
    scores = [
        float(score)
        for score in FilterDecision.objects.filter(label=HAM, comment__spam_score__isnull=False)
        .order_by("-decided_at", "-pk")
        .values_list("comment__spam_score", flat=True)[:RECENT_HAM]
        if score is not None
    ]
    return held_out_thresholds(scores) if len(scores) >= MIN_HELD_OUT_HAM else {}


def retrain(progress: Callable[[int], None] | None = None) -> tuple[int, int]:
    """Rebuild the site's spam model from every decision, oldest first; returns (spam, ham)
    learned."""
    decisions = _decisions()
    if progress is not None:
        progress(len(decisions))
    vectors = [vector for vector, _ in decisions]
    labels = [label for _, label in decisions]
    scorer = classifier.train(vectors, labels, classifier.starting_model("spam").model)
    with transaction.atomic():
        _save(
            _locked_state(),
            scorer,
            thresholds=measured_thresholds(),
            retrained_at=timezone.now(),
        )
    return labels.count(1), labels.count(0)


# What the filter knows -------------------------------------------------------------------


@dataclass(frozen=True)
class Push:
    """A token of a comment and how far it moved the score's log-odds (positive: towards
    spam or abuse)."""

    token: str
    weight: float

    @property
    def signed(self) -> str:
        return f"{self.weight:+.1f}"


def explain(comment: Comment, kind: str = "spam", n: int = 5) -> list[Push]:
    """The `n` tokens of `comment` that pushed its `kind` score most, either way: rebuilt
    from the comment's own tokens, since the model keeps only hashed columns."""
    scorer = spam_model.get() if kind == "spam" else abuse_scorer()
    groups = comment_groups(comment)
    vector = classifier.vectorise(groups)
    weight_of = dict(zip(vector[0], scorer.contributions(vector), strict=True))
    seen: dict[int, str] = {}
    for tokens in groups.values():
        for token in tokens:
            seen.setdefault(classifier.column(token), token)
    pushes = [Push(token, weight_of.get(col, 0.0)) for col, token in seen.items()]
    pushes.sort(key=lambda push: abs(push.weight), reverse=True)
    return [push for push in pushes[:n] if push.weight != 0.0]


def totals() -> tuple[int, int]:
    """(spam, ham) decisions the filter has learned from."""
    spam = FilterDecision.objects.filter(label=SPAM).count()
    return spam, FilterDecision.objects.count() - spam
