"""The abuse score on real, labelled text: how well it ranks and what it holds.

    .venv/bin/python -m bench.abuse.run [--seed N]

Corpora (bench/data/README.md): Davidson et al. 2017 (hate and offensive tweets against
neither), de Gibert et al. 2018 (Stormfront forum sentences, hate against noHate, split by
post) and Toxic Spans (Civil Comments news comments, majority toxic against majority not;
its comments were chosen as likely toxic, so its negatives are hard ones). Prints:

1. the shipped model (trained on Davidson and Toxic Spans only) on each corpus's held-out
   split, with Stormfront wholly unseen: ROC AUC, recall at 1% false positives, and recall
   and false positives at the threshold ABUSE_HOLD_FALSE_POSITIVE_RATE gives;
2. per corpus, a model trained within it (seeded 80/20 split) and one trained on the other
   two, on the same test split: how far it generalises;
3. false positives on genuine texts that name an identity group against those that do not,
   at the shipped threshold (IDENTITY_TERMS, written for this bench);
4. the cost of scoring a comment, against rendering the same comment's Markdown.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Sequence

import numpy as np
from bench.corpora import Example, load_davidson, load_stormfront, load_toxic_spans, split
from bench.models.build import DEFAULT_SEED, _setup, matrix, recall_at

# About 25 words that name groups people are attacked for, so that bias shows: religions,
# nationalities and origins, sexual orientations, genders, disabilities.
IDENTITY_TERMS = (
    "muslim", "muslims", "islam", "christian", "christians", "jew", "jews", "jewish",
    "hindu", "sikh", "catholic", "black", "white", "asian", "african", "mexican",
    "immigrant", "immigrants", "gay", "lesbian", "transgender", "trans", "women", "woman",
    "disabled", "deaf", "blind", "autistic",
)  # fmt: skip
_IDENTITY = re.compile(r"\b(?:" + "|".join(IDENTITY_TERMS) + r")\b", re.IGNORECASE)


def _fit(examples: Sequence[Example]) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=4.0, class_weight="balanced", solver="liblinear", max_iter=1000)
    model.fit(matrix([e.text for e in examples]), [e.label for e in examples])
    return model.coef_[0], float(model.intercept_[0])


def _figures(labels: np.ndarray, scores: np.ndarray, threshold: float | None) -> str:
    from sklearn.metrics import roc_auc_score

    auc, recall = roc_auc_score(labels, scores), recall_at(labels, scores, 0.01)
    text = f"AUC {auc:.3f}  recall@1%FP {recall:5.1%}"
    if threshold is not None:
        held = scores >= threshold
        text += (
            f"  at threshold: recall {np.mean(held[labels == 1]):5.1%}"
            f"  FP {np.mean(held[labels == 0]):5.2%}"
        )
    return text


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    _setup()
    from django.conf import settings

    from broadsheet.moderation import classifier, spamfilter

    shipped = classifier.starting_model("abuse")
    threshold = spamfilter.threshold_at(shipped.thresholds, settings.ABUSE_HOLD_FALSE_POSITIVE_RATE)
    corpora = {
        "davidson": load_davidson(),
        "stormfront": load_stormfront(),
        "toxic_spans": load_toxic_spans(),
    }
    tests = {}
    for name, examples in corpora.items():
        # The shipped model's own split for the corpora it learned from (build.py's seed).
        rest, test = split(examples, 0.2, args.seed)
        tests[name] = (rest, test)
    print(
        f"Abuse score, threshold {threshold:.3f} (ABUSE_HOLD_FALSE_POSITIVE_RATE="
        f"{settings.ABUSE_HOLD_FALSE_POSITIVE_RATE}), seed {args.seed}"
    )
    print("\n1. Shipped model (Davidson + Toxic Spans; Stormfront unseen), held-out splits")
    genuine_all: list[tuple[str, float]] = []
    for name, (_rest, test) in tests.items():
        labels = np.array([e.label for e in test])
        scores = np.array([shipped_score(shipped, e.text) for e in test])
        genuine_all += [(e.text, s) for e, s in zip(test, scores, strict=True) if not e.label]
        print(f"   {name:12s} n={len(test):5d}  {_figures(labels, scores, threshold)}")
    print("\n2. Within each corpus, and across (trained on the other two), same test split")
    for name, (rest, test) in tests.items():
        labels = np.array([e.label for e in test])
        x = matrix([e.text for e in test])
        within = _fit(rest)
        others = [e for other, (r, t) in tests.items() if other != name for e in r + t]
        across = _fit(others)
        for label, (weights, bias) in (("within", within), ("across", across)):
            scores = x @ weights + bias
            print(f"   {name:12s} {label:6s}  {_figures(labels, scores, None)}")
    print("\n3. False positives on genuine texts, naming an identity group or not (shipped)")
    naming = [s for text, s in genuine_all if _IDENTITY.search(text)]
    plain = [s for text, s in genuine_all if not _IDENTITY.search(text)]
    for label, scores in (("names a group", naming), ("does not", plain)):
        rate = np.mean(np.array(scores) >= threshold) if scores else float("nan")
        print(f"   {label:14s} n={len(scores):5d}  held {rate:6.2%}")
    print("\n4. Cost per comment (p50 of 300 Toxic Spans comments)")
    from broadsheet.lib.rendering import render_comment_markdown

    texts = [e.text for e in tests["toxic_spans"][1][:300]]
    score_times, render_times = [], []
    for text in texts:
        start = time.perf_counter()
        shipped_score(shipped, text)
        score_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        render_comment_markdown(text)
        render_times.append(time.perf_counter() - start)
    scoring, rendering = statistics.median(score_times), statistics.median(render_times)
    print(
        f"   score {scoring * 1e3:.3f} ms, render (reference) {rendering * 1e3:.3f} ms,"
        f" ratio {scoring / rendering:.2f}"
    )
    return 0


def shipped_score(shipped: object, text: str) -> float:
    from broadsheet.moderation import classifier
    from broadsheet.moderation.tokens import text_groups

    model = shipped.model  # type: ignore[attr-defined]
    return classifier.sigmoid(model.margin(classifier.vectorise(text_groups(text))))


if __name__ == "__main__":
    sys.exit(main())
