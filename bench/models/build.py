"""Build the starting models that ship with the package, from the real corpora in
bench/data (see its README for sources, licences and citations).

    .venv/bin/python -m bench.models.build [--seed N] [--check]

- spam: the SMS Spam Collection's spam against its genuine messages and every Davidson
  and Toxic Spans text, abusive ones included: abuse is not spam, and those are the only
  real reader comments we may ship a model of. No web-comment spam corpus could be
  licensed, so the starting model knows spam's shape (links, numbers, money, urgency)
  from texts, and each site's own decisions teach it the rest.
- abuse: Davidson's hate and offensive tweets and Toxic Spans' majority-toxic comments
  against the rest of both. Stormfront (CC BY-SA) is never used here: a model trained on it
  would carry its licence.

Each corpus is split (seeded, bench.corpora.split): 60% fits a logistic regression over the
hashed tokens the site scores with (moderation/tokens.py, classifier.py), 20% calibrates
it (Platt scaling, folded into the weights, so the score stays one dot product) and sets
the thresholds for each false-positive rate from its genuine texts (for spam, the SMS
collection's: see build()), and 20% is only measured. The weights are written as float16
in an .npz with a JSON summary of what was measured, read with allow_pickle=False. The
build is deterministic for a seed.

scikit-learn is needed here (the dev extra) and never by the site.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from bench.corpora import Example, load_davidson, load_sms, load_toxic_spans, split

DEFAULT_SEED = 20_261_207
OUT_DIR = Path(__file__).resolve().parents[2] / "src" / "broadsheet" / "moderation" / "data"
REGULARISATION = 4.0  # scikit-learn's C: the inverse strength of the L2 penalty
RATES = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1)


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "broadsheet.settings")
    import django

    django.setup()


def matrix(texts: Sequence[str]) -> Any:
    """The hashed token vectors of `texts`, as the site builds them, in a sparse matrix."""
    from scipy.sparse import csr_matrix

    from broadsheet.moderation.classifier import DIMENSIONS, vectorise
    from broadsheet.moderation.tokens import text_groups

    indptr, indices, values = [0], [], []
    for text in texts:
        index, value = vectorise(text_groups(text))
        indices.append(index)
        values.append(value)
        indptr.append(indptr[-1] + len(index))
    return csr_matrix(
        (np.concatenate(values), np.concatenate(indices), np.array(indptr)),
        shape=(len(texts), DIMENSIONS),
        dtype=np.float64,
    )


def recall_at(labels: np.ndarray, scores: np.ndarray, rate: float) -> float:
    """Share of positives scored above the score that holds `rate` of negatives."""
    negatives = np.sort(scores[labels == 0])[::-1]
    k = int(rate * len(negatives))
    threshold = negatives[k] if k < len(negatives) else -np.inf
    return float(np.mean(scores[labels == 1] > threshold))


def thresholds(genuine_scores: np.ndarray) -> dict[str, float]:
    ordered = np.sort(genuine_scores)[::-1]
    table = {}
    for rate in RATES:
        k = int(rate * len(ordered))
        table[str(rate)] = float(np.nextafter(ordered[k], 2.0)) if k < len(ordered) else 0.0
    return table


def split_each(
    examples: Sequence[Example], test_fraction: float, seed: int
) -> tuple[list[Example], list[Example]]:
    """bench.corpora.split() on each corpus alone, so a corpus's held-out texts are the same
    whichever corpora it is built or measured with."""
    train: list[Example] = []
    test: list[Example] = []
    for corpus in sorted({e.corpus for e in examples}):
        part = split([e for e in examples if e.corpus == corpus], test_fraction, seed)
        train += part[0]
        test += part[1]
    return train, test


def build(
    kind: str, examples: list[Example], seed: int, threshold_corpora: frozenset[str]
) -> dict[str, Any]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    rest, test = split_each(examples, 0.2, seed)
    fit, calibrate = split_each(rest, 0.25, seed + 1)
    fit_x, fit_y = matrix([e.text for e in fit]), np.array([e.label for e in fit])
    model = LogisticRegression(
        C=REGULARISATION, class_weight="balanced", solver="liblinear", max_iter=1000
    ).fit(fit_x, fit_y)
    weights, bias = model.coef_[0], float(model.intercept_[0])
    cal_x, cal_y = matrix([e.text for e in calibrate]), np.array([e.label for e in calibrate])
    margins = cal_x @ weights + bias
    platt = LogisticRegression(C=1e6).fit(margins.reshape(-1, 1), cal_y)
    a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])
    weights, bias = (weights * a).astype(np.float16), bias * a + b
    calibrated = 1 / (1 + np.exp(-(cal_x @ weights.astype(np.float64) + bias)))
    test_x, test_y = matrix([e.text for e in test]), np.array([e.label for e in test])
    scores = 1 / (1 + np.exp(-(test_x @ weights.astype(np.float64) + bias)))
    # The thresholds come from the genuine texts of `threshold_corpora` only: for spam, the
    # SMS collection's own genuine messages, the ones most like its spam. Reader comments
    # score far lower than those, so on a site the starting model holds fewer genuine
    # comments than its rate says, never more.
    measured = np.array([e.corpus in threshold_corpora for e in calibrate])
    table = thresholds(calibrated[(cal_y == 0) & measured])
    held = scores >= table["0.01"]
    about = {
        "kind": kind,
        "built": dt.datetime.now(dt.UTC).date().isoformat(),
        "seed": seed,
        "corpora": sorted({e.corpus for e in examples}),
        "thresholds_from": sorted(threshold_corpora),
        "examples": {"fit": len(fit), "calibrate": len(calibrate), "test": len(test)},
        "test": {
            "roc_auc": round(float(roc_auc_score(test_y, scores)), 4),
            "recall_at_1pct_fp": round(recall_at(test_y, scores, 0.01), 4),
            "held_at_0.01": {
                "recall": round(float(np.mean(held[test_y == 1])), 4),
                "false_positive_rate": round(float(np.mean(held[test_y == 0])), 4),
            },
        },
        "thresholds": table,
    }
    return {"weights": weights, "bias": np.float64(bias), "about": json.dumps(about)}


def spam_examples() -> list[Example]:
    genuine = [Example(e.text, 0, e.corpus, e.group) for e in load_davidson() + load_toxic_spans()]
    return load_sms() + genuine


def abuse_examples() -> list[Example]:
    return load_davidson() + load_toxic_spans()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    _setup()
    args.out.mkdir(parents=True, exist_ok=True)
    for kind, examples, threshold_corpora in (
        ("spam", spam_examples(), frozenset({"sms"})),
        ("abuse", abuse_examples(), frozenset({"davidson", "toxic_spans"})),
    ):
        arrays = build(kind, examples, args.seed, threshold_corpora)
        np.savez_compressed(args.out / f"{kind}.npz", **arrays)
        print(kind, json.dumps(json.loads(str(arrays["about"]))["test"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
