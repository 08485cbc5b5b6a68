"""Local linear classifiers over hashed features: the spam filter and the abuse score.

A comment becomes a sparse vector: each of its tokens (moderation/tokens.py) is hashed to
one of DIMENSIONS columns (CRC-32, as stable across processes and releases as the tokens
themselves), and each group of tokens (words, character n-grams, signals) is scaled to unit
length, so a long comment does not score higher for being long. A model is a weight per
column and a bias; its score is the logistic of their dot product with the vector, a
calibrated probability (the starting models' scale is fitted on held-out data, see
bench/models/build.py).

Two models are added for each kind ("spam", "abuse"):
- the starting model, trained on real corpora (bench/data/README.md) and shipped with the
  package as plain arrays (`data/<kind>.npz`, read with allow_pickle=False);
- the site's own model, learned online from every moderator decision and kept in the
  database (ClassifierState: float32 bytes, never a pickle). Its weights start at zero.

The starting model's vote fades as the site decides: it is weighted PRIOR_DECISIONS /
(PRIOR_DECISIONS + decisions), so after a few hundred decisions the site's own judgement
outweighs it.

Weights are float32 in an `array.array` (1 MB a model), scored in plain Python: so the web
process imports neither numpy (13-18 MB a worker, against a 150 MB limit) nor scikit-learn
or scipy (about 125 MB). A comment touches a few hundred columns, about 20 µs a model,
where numpy took 3. Sums are taken in double precision, so a score can differ from
numpy's float32 arithmetic in the seventh digit.
"""

from __future__ import annotations

import array
import functools
import importlib.resources
import json
import math
import operator
import sys
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from . import npz

DIMENSIONS = 1 << 18
_MASK = DIMENSIONS - 1
# How many decisions the starting model counts as: its weight halves at this many.
PRIOR_DECISIONS = 300
# Online learning: a few gradient steps per decision, with L2 shrinkage of the site's weights.
LEARNING_RATE = 0.6
STEPS_PER_DECISION = 3
L2 = 1e-5

# A comment's columns (int64) and their values (float32), in the same order.
Vector: TypeAlias = "tuple[array.array[int], array.array[float]]"


def column(token: str) -> int:
    return zlib.crc32(token.encode("utf-8", "surrogatepass")) & _MASK


def vectorise(groups: Mapping[str, Sequence[str]]) -> Vector:
    """Hashed columns and values of a comment's token groups: each distinct token counts
    once, and each group is scaled to unit length. Columns that collide add up."""
    columns: dict[int, float] = {}
    for tokens in groups.values():
        distinct = set(tokens)
        if not distinct:
            continue
        value = 1.0 / math.sqrt(len(distinct))
        for token in distinct:
            col = column(token)
            columns[col] = columns.get(col, 0.0) + value
    return array.array("q", columns), array.array("f", columns.values())


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _zeros() -> array.array[float]:
    return array.array("f", bytes(4 * DIMENSIONS))


@dataclass
class LinearModel:
    """Weights (DIMENSIONS float32s) and a bias over the hashed columns."""

    weights: array.array[float]
    bias: float = 0.0

    @classmethod
    def empty(cls) -> LinearModel:
        return cls(_zeros(), 0.0)

    @classmethod
    def from_bytes(cls, data: bytes | memoryview, bias: float) -> LinearModel:
        """From little-endian float32 bytes (a ClassifierState's), copied once."""
        if not data:
            return cls.empty()
        weights = array.array("f")
        try:
            weights.frombytes(data)
        except ValueError:  # not a whole number of float32s
            weights = array.array("f")
        if len(weights) != DIMENSIONS:
            raise ValueError(f"Stored weights have {len(data) / 4:g} columns, not {DIMENSIONS}.")
        if sys.byteorder == "big":
            weights.byteswap()
        return cls(weights, bias)

    def to_bytes(self) -> bytes:
        if sys.byteorder == "little":
            return self.weights.tobytes()
        swapped = array.array("f", self.weights)
        swapped.byteswap()
        return swapped.tobytes()

    def margin(self, vector: Vector) -> float:
        index, values = vector
        total: float = sum(map(operator.mul, _gather(self.weights, index), values))
        return total + self.bias


def _gather(weights: array.array[float], index: array.array[int]) -> Iterable[float]:
    # One C call for all the columns: half the time of a lookup each.
    if len(index) > 1:
        return operator.itemgetter(*index)(weights)  # type: ignore[no-any-return]
    return [weights[i] for i in index]  # itemgetter of one column returns no tuple


@dataclass(frozen=True)
class StartingModel:
    """A shipped model and what was measured of it on held-out data when it was built."""

    model: LinearModel
    # Score at or above which this share of held-out genuine comments would be held, by
    # that share as a string ("0.01": the threshold for 1% false positives).
    thresholds: dict[str, float] = field(default_factory=dict)
    about: dict[str, Any] = field(default_factory=dict)


@functools.cache
def starting_model(kind: str) -> StartingModel:
    """The shipped model of `kind`, or an empty one (a neutral start) if none ships."""
    resource = importlib.resources.files("broadsheet.moderation").joinpath(f"data/{kind}.npz")
    if not resource.is_file():
        return StartingModel(LinearModel.empty())
    with resource.open("rb") as file:
        data = npz.read(file)
    weights, bias, about = data["weights"], data["bias"], json.loads(str(data["about"]))
    if not isinstance(weights, array.array) or len(weights) != DIMENSIONS:
        raise ValueError(f"{resource} does not hold {DIMENSIONS} weights.")
    if not isinstance(bias, float):
        raise ValueError(f"{resource} has no bias.")
    return StartingModel(LinearModel(weights, bias), about.pop("thresholds", {}), about)


def prior_weight(decisions: int) -> float:
    return PRIOR_DECISIONS / (PRIOR_DECISIONS + max(decisions, 0))


@dataclass
class Scorer:
    """The starting model and the site's model of one kind, as scoring combines them."""

    prior: LinearModel
    # None while the site's model is all zeros, never read: the abuse score's always, the
    # spam filter's until its first decision.
    site: LinearModel | None = None
    decisions: int = 0

    def margin(self, vector: Vector) -> float:
        margin = prior_weight(self.decisions) * self.prior.margin(vector)
        return margin if self.site is None else margin + self.site.margin(vector)

    def probability(self, vector: Vector) -> float:
        return sigmoid(self.margin(vector))

    def contributions(self, vector: Vector) -> list[float]:
        """Each column's part of the margin, in the vector's order."""
        index, values = vector
        share, prior = prior_weight(self.decisions), self.prior.weights
        pairs = zip(index, values, strict=True)
        if self.site is None:
            return [share * prior[i] * value for i, value in pairs]
        site = self.site.weights
        return [(share * prior[i] + site[i]) * value for i, value in pairs]

    def learned(self) -> LinearModel:
        """The site's model, made (all zeros) when it first learns."""
        if self.site is None:
            self.site = LinearModel.empty()
        return self.site

    def learn(self, vector: Vector, label: int) -> None:
        """One more decision: a few logistic-regression gradient steps on the site's
        weights towards `label` (1 or 0)."""
        self.decisions += 1
        self.step(vector, label)

    def step(self, vector: Vector, label: int) -> None:
        index, values = vector
        site = self.learned()
        weights = site.weights
        # The starting model's part of the margin stays put while the site's model learns.
        prior = prior_weight(self.decisions) * self.prior.margin(vector)
        for _ in range(STEPS_PER_DECISION):
            error = sigmoid(prior + site.margin(vector)) - label
            # w - rate * (error * x + L2 * w), with the terms in w gathered.
            decay, rate = 1.0 - LEARNING_RATE * L2, LEARNING_RATE * error
            for i, weight, value in zip(index, _gather(weights, index), values, strict=True):
                weights[i] = weight * decay - rate * value
            site.bias -= LEARNING_RATE * 0.1 * error


def train(
    vectors: Sequence[Vector], labels: Sequence[int], prior: LinearModel, epochs: int = 4
) -> Scorer:
    """A site model learned from scratch over every decision, in the order given (oldest
    first), `epochs` times: what online learning would have reached, without the order in
    which relabelled or forgotten decisions arrived."""
    # The starting model keeps the weight it will have once all these are counted, so the
    # site's weights learn what it gets wrong at that weight.
    scorer = Scorer(prior, LinearModel.empty(), len(labels))
    for _ in range(epochs):
        for vector, label in zip(vectors, labels, strict=True):
            scorer.step(vector, label)
    return scorer
