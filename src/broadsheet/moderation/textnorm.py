"""The text a spam classifier should read: `normalise()`, `despaced()` and `normalised_words()`.

Spam is written to be read by people and missed by filters: "vіаgrа" with Cyrillic letters,
"ｆｒｅｅ" in fullwidth, "free" with a zero-width space inside, "v̶i̶a̶g̶r̶a̶" struck
through, "v i a g r a" spaced out. A filter that learns from words generalises to real comments only
if every such spelling reaches it as the word a reader sees. `normalise()`, in order:

1. NFKC (as NFKD here, composed again at the end): fullwidth, ligatures, circled and
   mathematical letters become plain ones.
2. Removes what draws nothing: every format character (category Cf: zero-width space and
   joiners, soft hyphen, U+2060-2064, bidi controls, tags), variation selectors, the
   combining grapheme joiner, Hangul and Khmer fillers, and control characters that are
   not whitespace. The braille blank becomes a space, which it looks like.
3. Removes the generic combining marks (the blocks U+0300-036F, U+0483-0489, U+1AB0-1AFF,
   U+1DC0-1DFF, U+20D0-20FF, U+FE20-FE2F). That strips strikethrough, underline, enclosing
   and "zalgo" stacks, and also folds accents, by choice: "é" becomes "e", "ñ" "n", "й"
   "и", so "café" and "cafe" are one word, as people type them either way. The marks of
   particular scripts (Devanagari vowel signs, Arabic and Hebrew points, Thai) are kept,
   so those words stay words.
4. Maps look-alikes to their Latin prototype with the UTS #39 table that accounts/names.py
   reads (`confusable_prototypes()`), keeping only prototypes that are ASCII. Symbols are
   mapped everywhere ("’" to "'", "∨" to "v"). Letters are mapped a word at a time, and only
   in a word that mixes ASCII letters with look-alikes ("vіаgrа"), or in any word when the
   text is mostly Latin ("ΝΙΚΕ" in an English comment): a Russian or Greek comment keeps its
   own words. Mapping happens before case folding, because a capital and its small letter
   can resemble different Latin letters (Greek "Ν" is N, "ν" is v).
5. Case folding, NFC, and every run of whitespace collapsed to one space.

Letters spaced out ("v i a g r a", "f.r.e.e", "s-e-x") are joined by `despaced()`, a separate
step because it is a guess: three or more single letters with the same separator between
them ("U.S.A." becomes "usa"; "e.g." has two and stays). `normalised_words()` applies both
and cuts the result into words. Digits are not treated as letters ("v1agra" stays).

Every step is a C-level pass (normalisation, str.translate, split) or a linear pattern, and
the input is read up to MAX_CHARS, so the time is linear in the text; Python runs per word
only for words holding a non-ASCII letter. The tables are built on first use, about 70 ms
once per process.
"""

from __future__ import annotations

import functools
import re
import string
import unicodedata

from broadsheet.accounts.names import confusable_prototypes
from broadsheet.lib import linear

# More than any comment (10,000 characters): a bound on hostile input, not a length rule.
MAX_CHARS = 20_000

# Cf characters live in planes 0, 1 and 14 only; scanning just those keeps the first call
# short (about 10 ms).
_FORMAT_PLANES = (range(0x20000), range(0xE0000, 0xE1000))
_VARIATION_SELECTORS = (range(0xFE00, 0xFE10), range(0xE0100, 0xE01F0))
# Letters and marks that draw nothing, which their categories do not tell: combining
# grapheme joiner, Hangul fillers, Khmer inherent vowels.
_BLANK_GLYPHS = "\u034f\u115f\u1160\u3164\uffa0\u17b4\u17b5"
_GENERIC_MARK_BLOCKS = (
    range(0x0300, 0x0370),
    range(0x0483, 0x048A),
    range(0x1AB0, 0x1B00),
    range(0x1DC0, 0x1E00),
    range(0x20D0, 0x2100),
    range(0xFE20, 0xFE30),
)
_ASCII_CONTROLS = dict.fromkeys(
    point for point in range(0x80) if not chr(point).isprintable() and not chr(point).isspace()
)
_ASCII_NON_LETTERS = bytes(point for point in range(0x80) if chr(point) not in string.ascii_letters)

# A word from its first non-ASCII word character on (_latin_lookalikes() finds its start).
_NON_ASCII_WORD = re.compile(r"[^\x00-\x7f\W][^\W_]*")
_ASCII_ALNUM = string.ascii_letters + string.digits
_ASCII_LETTER = re.compile(r"[A-Za-z]")
# Three or more single letters with separators between them, after a non-letter. What
# follows the last letter, and whether the separators agree, despaced() checks: RE2 has no
# lookarounds or backreferences (and matches are rare, so its cost per match is small).
_SPACED_LETTERS = linear.compile(r"(?:^|[^\pL\pN])((?:\pL(?: ?[.*_·•-] ?| )){2,}\pL)")
_SEPARATORS = " .*_·•-"
_SEPARATOR_RUN = re.compile(r"[ .*_·•-]+")
_WORD_CHUNK = re.compile(r"[\w'\-]+")


@functools.cache
def _invisible_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for points in _FORMAT_PLANES:
        for point in points:
            char = chr(point)
            category = unicodedata.category(char)
            if category == "Cf" or (category == "Cc" and not char.isspace()):
                table[point] = None
    for points in _VARIATION_SELECTORS:
        table.update(dict.fromkeys(points))
    table.update(dict.fromkeys(map(ord, _BLANK_GLYPHS)))
    table[0x2800] = " "  # braille pattern blank
    return table


@functools.cache
def _generic_marks_table() -> dict[int, None]:
    return {
        point: None
        for points in _GENERIC_MARK_BLOCKS
        for point in points
        if unicodedata.category(chr(point)) in {"Mn", "Me"}
    }


def _ascii_prototype(char: str) -> str:
    """`char`'s UTS #39 prototype without generic marks, or "" if that is not ASCII."""
    mapped = unicodedata.normalize("NFD", char.translate(confusable_prototypes()))
    mapped = mapped.translate(_generic_marks_table())
    return mapped if mapped.isascii() and mapped.strip() else ""


@functools.cache
def _lookalike_tables() -> tuple[dict[int, str], dict[int, str]]:
    """(letters, symbols): each non-ASCII character whose prototype is ASCII, mapped to it.
    A small letter whose own prototype is not ASCII takes its capital's (Cyrillic "м" maps
    to "ʍ", its capital "М" to "M")."""
    letters: dict[int, str] = {}
    symbols: dict[int, str] = {}
    for point in confusable_prototypes():
        char = chr(point)
        if point < 0x80:  # "0" and "O", "1" and "l" stay apart: numbers stay numbers
            continue
        mapped = _ascii_prototype(char) or _ascii_prototype(char.upper())
        category = unicodedata.category(char)[0]
        if mapped == "l" and char.isupper():
            # UTS #39 maps "I" to "l"; a capital that looks like one is an "I" to a reader.
            mapped = "I"
        if mapped and category in "LN":
            letters[point] = mapped
        elif mapped and category in "PS":
            symbols[point] = mapped
    return letters, symbols


@functools.cache
def _stripping_table() -> dict[int, str | None]:
    """One pass for steps 2 and 3 and the symbols of step 4."""
    return {**_lookalike_tables()[1], **_generic_marks_table(), **_invisible_table()}


def without_invisible(text: str) -> str:
    """`text` without the characters that draw nothing (step 2 of `normalise()`)."""
    return text.translate(_invisible_table())


def _latin_lookalikes(text: str) -> str:
    letters = _lookalike_tables()[0]
    ascii_bytes = text.encode("ascii", "ignore")
    # Mostly Latin: more ASCII letters than characters outside ASCII.
    mostly_latin = len(ascii_bytes.translate(None, _ASCII_NON_LETTERS)) > len(text) - len(
        ascii_bytes
    )
    pieces: list[str] = []
    done = previous_end = 0
    for match in _NON_ASCII_WORD.finditer(text):
        start, end = match.span()
        # The word starts at the ASCII letters and digits just before the match, found by
        # rstrip (C, linear) rather than by a pattern that would retry them at each position.
        gap = text[previous_end:start]
        start -= len(gap) - len(gap.rstrip(_ASCII_ALNUM))
        previous_end = end
        word = text[start:end]
        if not mostly_latin and _ASCII_LETTER.search(word) is None:
            continue
        mapped = word.translate(letters)
        if mapped != word and mapped.isascii():
            pieces += [text[done:start], mapped]
            done = end
    return "".join(pieces) + text[done:] if pieces else text


def normalise(text: str) -> str:
    """The text as a classifier should see it: plain letters, lower case, single spaces."""
    text = text[:MAX_CHARS]
    if text.isascii():
        return " ".join(text.translate(_ASCII_CONTROLS).lower().split())
    text = unicodedata.normalize("NFKD", text).translate(_stripping_table())
    text = _latin_lookalikes(text)
    return " ".join(unicodedata.normalize("NFC", text.casefold()).split())


def despaced(text: str) -> str:
    """`text` with letters spaced out to dodge a filter joined: "v i a g r a", "f.r.e.e" and
    "s - e - x" become "viagra", "free" and "sex". Three or more single letters with one
    kind of separator between them; meant for normalised text."""
    pieces: list[str] = []
    done = 0
    for match in _SPACED_LETTERS.finditer(text):
        start, end = match.span(1)
        spaced = match.group(1)
        if end < len(text) and text[end].isalnum():
            # The last letter starts a word ("a b cat"): it was not spaced out.
            spaced = spaced[:-1].rstrip(_SEPARATORS)
            end = start + len(spaced)
        if len(set(_SEPARATOR_RUN.findall(spaced))) != 1:
            continue
        joined = _SEPARATOR_RUN.sub("", spaced)
        if len(joined) >= 3:
            pieces += [text[done:start], joined]
            done = end
    return "".join(pieces) + text[done:] if pieces else text


def normalised_words(text: str) -> list[str]:
    """The words of `despaced(normalise(text))`: runs of letters, digits and underscores,
    keeping inner apostrophes and hyphens ("don't", "e-mail")."""
    chunks = _WORD_CHUNK.findall(despaced(normalise(text)))
    return [word for chunk in chunks if (word := chunk.strip("'-_"))]
