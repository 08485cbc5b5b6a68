"""Loaders for the real labelled corpora in `bench/data/` (see its README for sources,
licences and citations), so the spam and abuse benchmarks and the starting models learn and
are measured on text that people outside this project labelled.

Every loader returns `Example`s with label 1 for spam or abusive text and 0 for genuine
text, in file order, and reads only the copy in this repository (no network, no Django).
`split()` divides examples into train and test without letting a group (a forum post, a
repeated text) straddle the two. The same files and seed always give the same result.

    .venv/bin/python -m bench.corpora   # each corpus's size and label counts
"""

from __future__ import annotations

import csv
import html
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

# Share-alike data (Stormfront: CC BY-SA 3.0 ES) may measure a model, never train one that
# is shipped, or the model would have to carry that licence.
EVALUATION_ONLY = frozenset({"stormfront"})


@dataclass(frozen=True)
class Example:
    """One labelled text. `label` is 1 for spam/abusive, 0 for genuine. `group` ties rows
    that must land on the same side of a split (unique per row unless stated). `kind` says
    what sort of positive it is where the corpus records that, and is "" for negatives."""

    text: str
    label: int
    corpus: str
    group: str
    kind: str = ""


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _dedup(examples: Iterable[Example]) -> list[Example]:
    """Keep the first example of each exact text; drop a text that carries both labels,
    since its label is noise and a copy on each side of a split would leak."""
    examples = list(examples)
    labels: defaultdict[str, set[int]] = defaultdict(set)
    for example in examples:
        labels[example.text].add(example.label)
    seen: set[str] = set()
    kept = []
    for example in examples:
        if len(labels[example.text]) == 1 and example.text not in seen:
            seen.add(example.text)
            kept.append(example)
    return kept


def load_sms(path: Path | None = None) -> list[Example]:
    """SMS Spam Collection v.1: spam 1, ham 0, deduplicated on exact text (5,574 lines,
    5,171 distinct texts, none with both labels)."""
    folder = path or DATA_DIR / "sms_spam_collection"
    lines = (folder / "SMSSpamCollection").read_text(encoding="utf-8").split("\n")
    examples = []
    for number, line in enumerate(lines, start=1):
        if not line:
            continue
        tag, text = line.split("\t", 1)
        if tag not in ("spam", "ham"):
            raise ValueError(f"SMSSpamCollection line {number}: unknown label {tag!r}")
        examples.append(Example(text, int(tag == "spam"), "sms", f"sms:{number}"))
    return _dedup(examples)


_DAVIDSON_CLASSES = {"0": (1, "hate"), "1": (1, "offensive"), "2": (0, "")}


def load_davidson(path: Path | None = None) -> list[Example]:
    """Davidson et al. 2017 tweets: the raters' majority `class` hate (0) or offensive (1)
    is 1 with kind "hate"/"offensive"; neither (2) is 0. HTML entities are unescaped."""
    folder = path or DATA_DIR / "davidson_hate_offensive"
    examples = []
    for row in _rows(folder / "labeled_data.csv"):
        label, kind = _DAVIDSON_CLASSES[row["class"]]
        text = html.unescape(row["tweet"])
        examples.append(Example(text, label, "davidson", f"davidson:{row['']}", kind))
    return examples


def load_stormfront(path: Path | None = None) -> list[Example]:
    """de Gibert et al. 2018 forum sentences: hate 1 (kind "hate"), noHate 0; "relation"
    (hateful only with its neighbours) and "idk/skip" are left out. A post's sentences share
    a group. CC BY-SA: for evaluation only (`EVALUATION_ONLY`)."""
    folder = path or DATA_DIR / "stormfront_hate_speech"
    labels = {"hate": 1, "noHate": 0}
    return [
        Example(
            row["text"],
            labels[row["label"]],
            "stormfront",
            f"stormfront:{row['post_id']}",
            "hate" if row["label"] == "hate" else "",
        )
        for row in _rows(folder / "DERIVED_sentences.csv")
        if row["label"] in labels
    ]


# spans.csv's types (three rows have truncated names), in the order that breaks a tie
# between types: the graver kinds first.
_SPAN_KINDS = (
    ("Threat", "threat"),
    ("Identity based Attack", "identity_attack"),
    ("Profane/Obscene", "obscene"),
    ("Insult", "insult"),
    ("Other Toxicity", "other"),
)


def _span_kind(span_type: str) -> str:
    """The kind for a span type, also for a truncated name ("Insu"); "" for an empty one."""
    return next(
        (kind for name, kind in _SPAN_KINDS if span_type and name.startswith(span_type)), ""
    )


def load_toxic_spans(path: Path | None = None) -> list[Example]:
    """Toxic Spans (Civil Comments): one example per comment, labelled by its raters.

    A rater who ticked "not toxic" votes 0 (also when they ticked "all toxic" too, which
    hides the span box, and in the few rows that also carry spans); one who marked spans or
    ticked only "all toxic" votes 1; one who did neither abstains. The side with more votes
    wins; ties are dropped. `kind` is the span type most raters who voted 1 used (insult,
    threat, identity_attack, obscene, other; ties to the graver), "" for non-toxic. Then
    deduplicated on exact text like the SMS set. The comments were pre-selected as likely
    toxic, so the share of positives says nothing about a real site.
    """
    folder = path or DATA_DIR / "toxic_spans_civil_comments"
    kinds: defaultdict[str, set[str]] = defaultdict(set)  # every annotation with a span
    for row in _rows(folder / "data" / "spans.csv"):
        kinds_here = kinds[row["annotation"]]
        if kind := _span_kind(row["type"]):
            kinds_here.add(kind)
    votes: defaultdict[str, Counter[int]] = defaultdict(Counter)
    rater_kinds: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for row in _rows(folder / "data" / "annotations.csv"):
        comment, annotation = row["comment_id"], row["annotation"]
        if row["not toxic"] == "True":
            votes[comment][0] += 1
        elif row["all toxic"] == "True" or annotation in kinds:
            votes[comment][1] += 1
            rater_kinds[comment].update(kinds.get(annotation, ()))
    order = [kind for _, kind in _SPAN_KINDS]
    examples = []
    for row in _rows(folder / "data" / "comments.csv"):
        comment = row["comment_id"]
        toxic, not_toxic = votes[comment][1], votes[comment][0]
        if toxic == not_toxic:
            continue
        kind = ""
        if toxic > not_toxic and rater_kinds[comment]:
            ranked = sorted(
                rater_kinds[comment].items(), key=lambda kc: (-kc[1], order.index(kc[0]))
            )
            kind = ranked[0][0]
        label = int(toxic > not_toxic)
        group = f"toxic_spans:{comment}"
        examples.append(Example(row["comment_text"], label, "toxic_spans", group, kind))
    return _dedup(examples)


LOADERS: dict[str, Callable[[], list[Example]]] = {
    "sms": load_sms,
    "davidson": load_davidson,
    "stormfront": load_stormfront,
    "toxic_spans": load_toxic_spans,
}


def split(
    examples: Iterable[Example], test_fraction: float, seed: int
) -> tuple[list[Example], list[Example]]:
    """Divide examples into (train, test), each in the input order.

    Whole groups go to one side. Groups are stratified by corpus and by whether they hold
    any positive, and each stratum gives about `test_fraction` of its examples to test, so
    both sides keep roughly the same label balance. Groups are sorted before a
    `random.Random(seed)` shuffle, so the result depends only on the examples and the seed.
    """
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be between 0 and 1, not {test_fraction}")
    examples = list(examples)
    sizes: Counter[str] = Counter(example.group for example in examples)
    strata: defaultdict[tuple[str, int], set[str]] = defaultdict(set)
    positive = {example.group for example in examples if example.label}
    for example in examples:
        strata[example.corpus, int(example.group in positive)].add(example.group)
    rng = random.Random(seed)
    test_groups: set[str] = set()
    for key in sorted(strata):
        groups = sorted(strata[key])
        rng.shuffle(groups)
        target = round(test_fraction * sum(sizes[group] for group in groups))
        taken = 0
        for group in groups:
            if taken >= target:
                break
            test_groups.add(group)
            taken += sizes[group]
    train = [example for example in examples if example.group not in test_groups]
    test = [example for example in examples if example.group in test_groups]
    return train, test


def main() -> None:
    for name, load in LOADERS.items():
        examples = load()
        labels = Counter(example.label for example in examples)
        kinds = Counter(example.kind for example in examples if example.label)
        note = "  (evaluation only)" if name in EVALUATION_ONLY else ""
        print(f"{name}: {len(examples)} examples, {labels[1]} positive, {labels[0]} negative{note}")
        print("    positive kinds: " + ", ".join(f"{k or '-'} {n}" for k, n in kinds.most_common()))


if __name__ == "__main__":
    main()
