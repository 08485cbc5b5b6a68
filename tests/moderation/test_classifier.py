"""The linear classifiers' arithmetic (moderation/classifier.py), without a database."""

from __future__ import annotations

import math
import os
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from broadsheet.moderation import classifier
from broadsheet.moderation.classifier import DIMENSIONS, LinearModel, Scorer, vectorise


def test_each_group_counts_as_much_however_long() -> None:
    short = vectorise({"words": ["w:cheap"], "signals": ["links:1"]})
    long = vectorise({"words": [f"w:word{i}" for i in range(400)], "signals": ["links:1"]})
    for index, values in (short, long):
        assert len(index) == len(values)
        assert math.isclose(sum(value * value for value in values), 2.0, rel_tol=1e-5)
    # Repeats count once.
    assert len(vectorise({"words": ["w:a", "w:a", "w:a"]})[0]) == 1


def test_columns_are_stable_across_processes() -> None:
    # CRC-32 of the token, masked: the shipped and stored models keep meaning the same
    # tokens only while these stay put.
    assert classifier.column("w:cheap") == 124272
    assert classifier.column("links:1") == 5657


def test_learning_moves_the_score_towards_the_label_and_counts_the_decision() -> None:
    scorer = Scorer(LinearModel.empty(), LinearModel.empty(), 0)
    pitch = vectorise({"words": ["w:cheap", "w:pills", "b:cheap pills"]})
    assert scorer.probability(pitch) == 0.5
    scorer.learn(pitch, 1)
    assert scorer.probability(pitch) > 0.6
    assert scorer.decisions == 1
    scorer.learn(pitch, 0)
    scorer.learn(pitch, 0)
    assert scorer.probability(pitch) < 0.5


def test_the_starting_model_fades_as_the_site_decides() -> None:
    prior = LinearModel.empty()
    vector = vectorise({"words": ["w:casino"]})
    prior.weights[vector[0][0]] = 6.0
    fresh = Scorer(prior, LinearModel.empty(), 0)
    seasoned = Scorer(prior, LinearModel.empty(), 10 * classifier.PRIOR_DECISIONS)
    assert fresh.probability(vector) > 0.99
    assert 0.5 < seasoned.probability(vector) < 0.65
    assert classifier.prior_weight(classifier.PRIOR_DECISIONS) == 0.5


def test_training_is_deterministic_and_learns_both_classes() -> None:
    spam = [vectorise({"words": ["w:loan", f"w:x{i}"]}) for i in range(20)]
    ham = [vectorise({"words": ["w:council", f"w:y{i}"]}) for i in range(20)]
    vectors, labels = spam + ham, [1] * 20 + [0] * 20
    first = classifier.train(vectors, labels, LinearModel.empty())
    second = classifier.train(vectors, labels, LinearModel.empty())
    assert first.site.to_bytes() == second.site.to_bytes()
    assert first.decisions == 40
    assert first.probability(vectorise({"words": ["w:loan"]})) > 0.8
    assert first.probability(vectorise({"words": ["w:council"]})) < 0.2


def test_weights_round_trip_as_plain_float32_bytes() -> None:
    model = LinearModel.empty()
    model.weights[1], model.weights[5], model.weights[DIMENSIONS - 1] = 0.5, -2.0, 3.25
    data = model.to_bytes()
    assert len(data) == 4 * DIMENSIONS
    assert struct.unpack_from("<f", data, 4 * 5) == (-2.0,)  # little-endian, whatever the CPU
    again = LinearModel.from_bytes(memoryview(data), 0.1)  # as PostgreSQL's driver gives it
    assert again.weights[5] == -2.0 and again.bias == 0.1
    assert not any(LinearModel.from_bytes(b"", 0.0).weights)
    for wrong in (b"\0" * 8, b"\0" * (4 * DIMENSIONS + 2)):
        with pytest.raises(ValueError, match="columns"):
            LinearModel.from_bytes(wrong, 0.0)


@pytest.mark.parametrize("kind", ["spam", "abuse"])
def test_the_shipped_models_load_without_pickle_and_carry_their_thresholds(kind: str) -> None:
    shipped = classifier.starting_model(kind)
    assert len(shipped.model.weights) == DIMENSIONS
    assert any(shipped.model.weights)
    assert set(shipped.thresholds) >= {"0.001", "0.01"}
    # A stricter false-positive rate needs a higher score.
    assert shipped.thresholds["0.001"] >= shipped.thresholds["0.01"]
    assert shipped.about["kind"] == kind
    assert "stormfront" not in shipped.about["corpora"]  # share-alike: evaluation only


def test_the_web_process_scores_without_numpy_scikit_learn_or_scipy(tmp_path: Path) -> None:
    # Importing them costs about 125 MB a worker (numpy alone 18 MB): the site must never
    # need them.
    code = (
        "import sys, django; django.setup(); import broadsheet.urls; "
        "from broadsheet.discussion.models import Comment; "
        "from broadsheet.moderation import classifier, spamfilter, tokens; "
        "vector = classifier.vectorise(tokens.comment_groups(Comment(body_source='Hi!'))); "
        "spamfilter.abuse_scorer().probability(vector); "
        "classifier.starting_model('spam').model.margin(vector); "
        "print(sorted(m for m in ('numpy', 'sklearn', 'scipy') if m in sys.modules))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "broadsheet.settings",
           "BROADSHEET_VAR_DIR": str(tmp_path)}  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


TEXTS = [
    "Cheap pills, no prescription! Visit www.best-pills.example or call 0770 090 0123 now!!",
    "The harbour board met on Thursday; the minutes are at https://example.org/minutes.",
    "You are an idiot and everyone on this street knows it.",
    "Thanks for the update on the ferry timetable. 🚢🚢🚢",
    "x",
    "",
]


@pytest.mark.parametrize("kind", ["spam", "abuse"])
def test_scores_equal_numpys_float32_arithmetic(kind: str) -> None:
    # The weights were scored with numpy in float32 before: the same shipped weights, and
    # a site model that learned, must give the same scores to within float32's precision.
    from broadsheet.moderation.tokens import text_groups

    shipped = classifier.starting_model(kind).model
    scorer = Scorer(shipped, None, 40)
    for text in TEXTS[:3]:
        scorer.learn(vectorise(text_groups(text)), 1)
    assert scorer.site is not None
    prior = np.frombuffer(shipped.weights, dtype=np.float32)
    site = np.frombuffer(scorer.site.weights, dtype=np.float32)
    stored = np.load(Path(classifier.__file__).parent / "data" / f"{kind}.npz")["weights"]
    assert np.array_equal(prior, stored.astype(np.float32))
    share = classifier.prior_weight(scorer.decisions)
    for text in TEXTS:
        index, values = vectorise(text_groups(text))
        columns, weights = np.asarray(index, dtype=np.int64), np.asarray(values, np.float32)
        margin = share * (float(np.dot(prior[columns], weights)) + shipped.bias) + (
            float(np.dot(site[columns], weights)) + scorer.site.bias
        )
        expected = classifier.sigmoid(margin)
        assert math.isclose(scorer.probability((index, values)), expected, abs_tol=1e-6)
        biases = share * shipped.bias + scorer.site.bias
        assert math.isclose(
            sum(scorer.contributions((index, values))) + biases, margin, abs_tol=1e-5
        )


def test_learning_steps_match_numpys_float32_update() -> None:
    # What the site's model learns from a decision, as numpy's float32 update did it.
    vector = vectorise({"words": ["w:loan", "w:fast", "b:loan fast"], "signals": ["links:1"]})
    scorer = Scorer(LinearModel.empty(), None, 0)
    weights, bias = np.zeros(DIMENSIONS, dtype=np.float32), 0.0
    columns, values = np.asarray(vector[0]), np.asarray(vector[1], dtype=np.float32)
    for label in (1, 1, 0):
        scorer.learn(vector, label)
        for _ in range(classifier.STEPS_PER_DECISION):
            error = classifier.sigmoid(float(np.dot(weights[columns], values)) + bias) - label
            weights[columns] -= classifier.LEARNING_RATE * (
                error * values + classifier.L2 * weights[columns]
            )
            bias -= classifier.LEARNING_RATE * 0.1 * error
    assert scorer.site is not None
    learned = np.frombuffer(scorer.site.weights, dtype=np.float32)
    assert np.allclose(learned, weights, atol=1e-6)
    assert math.isclose(scorer.site.bias, bias, abs_tol=1e-7)
