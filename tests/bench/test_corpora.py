"""The real labelled corpora in bench/data and their loaders (bench/corpora.py).

The counts are the ones measured on the copies in the repository; a changed count means
the data or a labelling rule changed, and the benchmark tables that cite them must change
with it.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from bench.corpora import (
    DATA_DIR,
    EVALUATION_ONLY,
    LOADERS,
    Example,
    load_sms,
    load_toxic_spans,
    split,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
FOLDERS = {
    "sms": "sms_spam_collection",
    "davidson": "davidson_hate_offensive",
    "stormfront": "stormfront_hate_speech",
    "toxic_spans": "toxic_spans_civil_comments",
}


@cache
def _load(name: str) -> tuple[Example, ...]:
    return tuple(LOADERS[name]())


@pytest.mark.parametrize(
    ("name", "size", "positive", "kinds"),
    [
        ("sms", 5171, 653, {"": 653}),
        ("davidson", 24783, 20620, {"offensive": 19190, "hate": 1430}),
        ("stormfront", 10703, 1196, {"hate": 1196}),
        (
            "toxic_spans",
            15655,
            10867,
            {"insult": 8301, "identity_attack": 1007, "obscene": 948, "threat": 535, "other": 76},
        ),
    ],
)
def test_each_corpus_loads_with_the_measured_counts(
    name: str, size: int, positive: int, kinds: dict[str, int]
) -> None:
    examples = _load(name)

    assert len(examples) == size
    assert Counter(e.label for e in examples) == {1: positive, 0: size - positive}
    assert Counter(e.kind for e in examples if e.label) == kinds
    assert all(e.kind == "" for e in examples if not e.label)
    assert {e.corpus for e in examples} == {name}
    assert all(e.text.strip() for e in examples)


def test_sms_and_toxic_spans_are_deduplicated_on_exact_text() -> None:
    for name in ("sms", "toxic_spans"):
        texts = [e.text for e in _load(name)]
        assert len(set(texts)) == len(texts)
    # 5,574 lines and 747 spam before: the first copy of each text is kept.
    lines = (DATA_DIR / "sms_spam_collection" / "SMSSpamCollection").read_text("utf-8")
    assert lines.count("\n") == 5574 and lines.count("spam\t") == 747
    assert _load("sms")[0].group == "sms:1"


def test_a_repeated_text_keeps_its_first_copy_and_a_disputed_one_goes(tmp_path: Path) -> None:
    (tmp_path / "SMSSpamCollection").write_text(
        "ham\tsee you at 6\nspam\tWIN cash now\nham\tsee you at 6\nham\tok\nspam\tok\n",
        encoding="utf-8",
    )

    examples = load_sms(tmp_path)

    assert [(e.text, e.label, e.group) for e in examples] == [
        ("see you at 6", 0, "sms:1"),
        ("WIN cash now", 1, "sms:2"),
    ]


def test_davidson_text_is_unescaped_and_its_classes_map_to_labels() -> None:
    examples = _load("davidson")

    # Entities are decoded once; one tweet's raw text has "&amp;#9773;", so keeps "&#9773;".
    assert not any(entity in e.text for e in examples for entity in ("&amp;", "&lt;", "&gt;"))
    assert sum("&#" in e.text for e in examples) == 1
    assert any("\N{FACE WITH TEARS OF JOY}" in e.text for e in examples)  # was &#128514;
    assert examples[0].text.startswith("!!! RT @mayasolovely: As a woman")
    assert "& as a man" in examples[0].text and examples[0].label == 0
    assert len({e.group for e in examples}) == len(examples)


def test_stormfront_groups_a_posts_sentences_and_leaves_out_unclear_labels() -> None:
    examples = _load("stormfront")

    assert len({e.group for e in examples}) == 4967  # of 5,000 posts; 33 held only others
    assert examples[0].group == "stormfront:12834217"
    # 10,944 sentences less 168 "relation" and 73 "idk/skip".
    assert len(examples) == 10944 - 168 - 73
    assert EVALUATION_ONLY == {"stormfront"}


def test_toxic_spans_votes_ties_and_kinds(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "comments.csv").write_text(
        "comment_id,comment_text\n1,you idiot\n2,nice point\n3,hmm\n4,I will find you\n",
        encoding="utf-8",
    )
    (data / "annotations.csv").write_text(
        "annotation,comment_id,worker,country,all toxic,not toxic\n"
        "10,1,a,USA,False,False\n11,1,b,USA,True,False\n12,1,c,USA,True,True\n"
        "20,2,a,USA,True,True\n21,2,b,USA,False,True\n22,2,c,USA,False,False\n"
        "30,3,a,USA,False,False\n31,3,b,USA,True,True\n"
        "40,4,a,USA,False,False\n41,4,b,USA,False,False\n42,4,c,USA,False,False\n",
        encoding="utf-8",
    )
    (data / "spans.csv").write_text(
        "annotation,type,start,end\n10,Insu,4,9\n30,Insult,0,3\n40,Threat,0,15\n41,Insult,0,15\n",
        encoding="utf-8",
    )

    examples = load_toxic_spans(tmp_path)

    # Comment 1: two toxic votes (a truncated span type, "all toxic") against one. Comment 2:
    # two "not toxic" ticks; the third rater gave neither, so abstains. Comment 3: a tie.
    # Comment 4: one threat, one insult, and the rater without spans abstains: the graver.
    assert [(e.text, e.label, e.kind, e.group) for e in examples] == [
        ("you idiot", 1, "insult", "toxic_spans:1"),
        ("nice point", 0, "", "toxic_spans:2"),
        ("I will find you", 1, "threat", "toxic_spans:4"),
    ]


def _mixed() -> list[Example]:
    return [*_load("sms"), *_load("stormfront")]


def test_split_keeps_groups_together_and_the_label_balance() -> None:
    examples = _mixed()

    train, test = split(examples, 0.2, seed=3)

    assert len(train) + len(test) == len(examples)
    assert not {e.group for e in train} & {e.group for e in test}
    assert set(train) | set(test) == set(examples)
    for corpus in ("sms", "stormfront"):
        whole = [e for e in examples if e.corpus == corpus]
        part = [e for e in test if e.corpus == corpus]
        assert abs(len(part) / len(whole) - 0.2) < 0.01
        share = sum(e.label for e in whole) / len(whole)
        assert abs(sum(e.label for e in part) / len(part) - share) < 0.01
    # Train and test keep the input order.
    order = {e: i for i, e in enumerate(examples)}
    assert [order[e] for e in test] == sorted(order[e] for e in test)


def test_split_is_reproducible_per_seed() -> None:
    examples = _mixed()

    assert split(examples, 0.2, seed=3) == split(examples, 0.2, seed=3)
    assert split(examples, 0.2, seed=3) != split(examples, 0.2, seed=4)
    # Input order and string hashing do not change which groups go to test.
    test = split(examples, 0.2, seed=3)[1]
    assert set(split(examples[::-1], 0.2, seed=3)[1]) == set(test)
    code = (
        "import hashlib; from bench.corpora import load_sms, split; "
        "print(hashlib.sha256(repr(split(load_sms(), 0.3, 9)).encode()).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    here = split(list(_load("sms")), 0.3, 9)
    assert result.stdout.strip() == hashlib.sha256(repr(here).encode()).hexdigest()


def test_split_rejects_a_fraction_outside_zero_to_one() -> None:
    with pytest.raises(ValueError):
        split(_load("sms"), 1.0, seed=1)


@pytest.mark.parametrize("name", sorted(FOLDERS))
def test_every_corpus_carries_its_licence_readme_and_intact_files(name: str) -> None:
    folder = DATA_DIR / FOLDERS[name]

    # The SMS Spam Collection's licence is section 4 of its original `readme`.
    licence = folder / ("readme" if name == "sms" else "LICENSE")
    assert licence.is_file() and licence.stat().st_size > 200
    readme = (folder / "README.md").read_text("utf-8")
    assert "## Licence" in readme and "## Citation" in readme
    sums = folder / "SHA256SUMS"
    if name == "stormfront":  # no SHA256SUMS; its README gives these two
        expected = {
            "annotations_metadata.csv": (
                "306bfaab400e1542529d1791b9ec68d70bed579c52fc7e255b0626ab7bc5c7c9"
            ),
            "LICENSE": "4d4d0674cda88cf00506c04f99ded5d9db7b98d51f71955ffaf39cece6453461",
        }
    else:
        pairs = (line.split() for line in sums.read_text("utf-8").splitlines())
        expected = {path.removeprefix("./"): digest for digest, path in pairs}
    checked = 0
    for path, digest in expected.items():
        if (folder / path).exists():  # toxic_spans: the SemEval2021 files are not copied
            assert hashlib.sha256((folder / path).read_bytes()).hexdigest() == digest, path
            checked += 1
    assert checked >= 2
