"""The text the spam classifier reads (moderation/textnorm.py): every disguise of a word a
reader sees as the same word reaches the classifier as that word, and real text in other
scripts stays itself."""

from __future__ import annotations

import pytest

from broadsheet.moderation.textnorm import (
    MAX_CHARS,
    despaced,
    normalise,
    normalised_words,
    without_invisible,
)
from tests.pathological import within_guard


@pytest.mark.parametrize(
    "disguised",
    [
        "vіаgrа",  # Cyrillic і and а among Latin letters
        "VІAGRА",
        "viаgra",
        "νiagra",  # Greek nu
        "ｖｉａｇｒａ",  # fullwidth
        "𝐯𝐢𝐚𝐠𝐫𝐚",  # mathematical bold
        "ⓥⓘⓐⓖⓡⓐ",  # circled
        "vi\u200bag\u200dra",  # zero-width space and joiner
        "vi\u00adag\u2060ra",  # soft hyphen, word joiner
        "\u202eviagra\u202c",  # bidi override
        "vi\ufe0fagra\u034f",  # variation selector, combining grapheme joiner
        "v̶i̶a̶g̶r̶a̶",  # combining long stroke overlay
        "v̲i̲a̲g̲r̲a̲",  # combining low line
        "v\u0301\u0302\u0303i\u0304a\u0305gra",  # "zalgo" stacks
        "∨iagra",  # logical or
    ],
)
def test_disguised_spellings_normalise_to_the_latin_word(disguised: str) -> None:
    assert normalise(f"Buy {disguised} now") == "buy viagra now"


def test_whole_words_in_look_alike_letters_are_read_as_latin_in_latin_text() -> None:
    assert normalise("Genuine ΝΙΚΕ shoes, cheap") == "genuine nike shoes, cheap"
    assert normalise("Visit РАУРАL today") == "visit paypal today"


def test_words_of_other_scripts_stay_themselves() -> None:
    assert normalise("Привет, как дела? Сорок лет") == "привет, как дела? сорок лет"
    # The accent goes and case folding makes final sigma "σ"; the letters stay Greek.
    assert normalise("Καλημέρα σας") == "καλημερα σασ"
    assert normalise("मैं हिंदी बोलता हूँ") == "मैं हिंदी बोलता हूँ"  # vowel signs are kept
    assert normalise("한국어 텍스트") == "한국어 텍스트"
    # Only a word that mixes in Latin letters is mapped in a Cyrillic comment.
    assert normalise("Сорок vіаgrа, привет") == "сорок viagra, привет"


def test_accents_fold_and_case_folds() -> None:
    assert normalise("Café naïve Siobhán Nguyễn København") == "cafe naive siobhan nguyen kobenhavn"
    assert normalise("STRASSE straße İstanbul") == "strasse strasse istanbul"
    assert normalise("ﬁnancial ＦＲＥＥ") == "financial free"


def test_numbers_and_ascii_punctuation_are_kept() -> None:
    # UTS #39 maps "0" to "O" and "1" to "l"; a classifier needs numbers as they are.
    assert normalise("Call 0800 101 010 — 50% off!") == "call 0800 101 010 — 50% off!"
    assert normalise("Don’t") == "don't"


def test_whitespace_collapses_and_controls_vanish() -> None:
    assert normalise("  one\n\n two\t\u00a0three\u3000four  ") == "one two three four"
    assert normalise("no\x00nul\x1b") == "nonul"
    assert normalise("a\u2800b") == "a b"  # the braille blank looks like a space


def test_without_invisible_keeps_everything_else() -> None:
    assert without_invisible("Café\u200b ﬁ\u00ad") == "Café ﬁ"


@pytest.mark.parametrize(
    ("spaced", "joined"),
    [
        ("buy v i a g r a now", "buy viagra now"),
        ("f.r.e.e money", "free money"),
        ("f r e e", "free"),
        ("s-e-x", "sex"),
        ("s - e - x", "sex"),
        ("c*a*s*i*n*o", "casino"),
        ("u.s.a.", "usa."),
        ("x a b c d og", "xabcd og"),
    ],
)
def test_despaced_joins_letters_spaced_out(spaced: str, joined: str) -> None:
    assert despaced(spaced) == joined


@pytest.mark.parametrize(
    "text",
    [
        "e.g. this",  # two letters only
        "i.e. that",
        "a b cat",  # the last letter starts a word
        "a.b c",  # mixed separators
        "version 2.0.1 and 1 2 3",  # digits are not letters
        "plain words stay as they are",
    ],
)
def test_despaced_leaves_ordinary_text(text: str) -> None:
    assert despaced(text) == text


def test_normalised_words() -> None:
    assert normalised_words("Don’t buy V I A G R A at ｃｈｅａｐ prices -- e-mail me_") == [
        "don't",
        "buy",
        "viagra",
        "at",
        "cheap",
        "prices",
        "e-mail",
        "me",
    ]


def test_input_is_read_up_to_max_chars() -> None:
    assert len(normalise("a" * (MAX_CHARS + 500))) == MAX_CHARS


@pytest.mark.parametrize(
    "unit",
    ["a.", "a ", "é.", "v̶", "аa", "a" * 500 + "é ", "\u200b", "ｆ", "e\u0301\u0302\u0303", "x y "],
)
def test_adversarial_input_finishes_quickly(unit: str) -> None:
    text = (unit * 100_000)[:100_000]
    within_guard(lambda: normalised_words(text), f"normalised_words({unit!r} * n)")
