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
outweighs it. Scoring needs numpy only: neither scikit-learn nor scipy is ever imported by
the web process (about 125 MB, against a 150 MB worker).
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

DIMENSIONS = 1 << 18
_MASK = DIMENSIONS - 1
# How many decisions the starting model counts as: its weight halves at this many.
PRIOR_DECISIONS = 300
# Online learning: a few gradient steps per decision, with L2 shrinkage of the site's weights.
LEARNING_RATE = 0.6
STEPS_PER_DECISION = 3
L2 = 1e-5

Vector = tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]


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
    index = np.fromiter(columns.keys(), dtype=np.int64, count=len(columns))
    values = np.fromiter(columns.values(), dtype=np.float32, count=len(columns))
    return index, values


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


@dataclass
class LinearModel:
    """Weights and a bias over the hashed columns."""

    weights: npt.NDArray[np.float32]
    bias: float = 0.0

    @classmethod
    def empty(cls) -> LinearModel:
        return cls(np.zeros(DIMENSIONS, dtype=np.float32), 0.0)

    @classmethod
    def from_bytes(cls, data: bytes, bias: float) -> LinearModel:
        if not data:
            return cls.empty()
        weights = np.frombuffer(data, dtype="<f4")
        if weights.shape != (DIMENSIONS,):
            raise ValueError(f"Stored weights have {weights.size} columns, not {DIMENSIONS}.")
        return cls(weights.astype(np.float32, copy=True), bias)

    def to_bytes(self) -> bytes:
        return self.weights.astype("<f4", copy=False).tobytes()

    def margin(self, vector: Vector) -> float:
        index, values = vector
        return float(np.dot(self.weights[index], values)) + self.bias


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
    with resource.open("rb") as file, np.load(file, allow_pickle=False) as data:
        weights = data["weights"].astype(np.float32)
        bias = float(data["bias"])
        about = json.loads(str(data["about"]))
    if weights.shape != (DIMENSIONS,):
        raise ValueError(f"{resource} has {weights.size} columns, not {DIMENSIONS}.")
    return StartingModel(LinearModel(weights, bias), about.pop("thresholds", {}), about)


def prior_weight(decisions: int) -> float:
    return PRIOR_DECISIONS / (PRIOR_DECISIONS + max(decisions, 0))


@dataclass
class Scorer:
    """The starting model and the site's model of one kind, as scoring combines them."""

    prior: LinearModel
    site: LinearModel
    decisions: int = 0

    def margin(self, vector: Vector) -> float:
        return prior_weight(self.decisions) * self.prior.margin(vector) + self.site.margin(vector)

    def probability(self, vector: Vector) -> float:
        return sigmoid(self.margin(vector))

    def contributions(self, vector: Vector) -> npt.NDArray[np.float32]:
        """Each column's part of the margin, in the vector's order."""
        index, values = vector
        weights = (
            prior_weight(self.decisions) * self.prior.weights[index] + self.site.weights[index]
        )
        return np.asarray(weights * values, dtype=np.float32)

    def learn(self, vector: Vector, label: int) -> None:
        """One more decision: a few logistic-regression gradient steps on the site's
        weights towards `label` (1 or 0)."""
        self.decisions += 1
        self.step(vector, label)

    def step(self, vector: Vector, label: int) -> None:
        index, values = vector
        for _ in range(STEPS_PER_DECISION):
            error = self.probability(vector) - label
            site = self.site.weights
            site[index] -= LEARNING_RATE * (error * values + L2 * site[index])
            self.site.bias -= LEARNING_RATE * 0.1 * error


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
