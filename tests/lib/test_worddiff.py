"""Word-by-word differences, as the moderation queue shows an edit."""

from __future__ import annotations

from broadsheet.lib.worddiff import MAX_WORDS, DiffPiece, word_diff


def test_changed_words_are_shown_among_the_unchanged_ones() -> None:
    assert word_diff("The bins go out on Tuesday.", "The bins  go out on Thursday night.") == [
        DiffPiece("same", "The bins go out on"),
        DiffPiece("removed", "Tuesday."),
        DiffPiece("added", "Thursday night."),
    ]


def test_line_breaks_are_kept_and_whitespace_alone_is_no_change() -> None:
    assert word_diff("One.\nTwo.", "One.  \nTwo.") == [DiffPiece("same", "One.\nTwo.")]
    assert word_diff("One.", "One.\nAnd a link.") == [
        DiffPiece("same", "One."),
        DiffPiece("added", "\nAnd a link."),
    ]


def test_texts_too_long_to_match_are_shown_whole() -> None:
    old, new = "a " * (MAX_WORDS + 1), "b " * (MAX_WORDS + 1)
    assert word_diff(old, new) == [DiffPiece("removed", old), DiffPiece("added", new)]
