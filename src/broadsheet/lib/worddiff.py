"""What changed between two versions of a short text, word by word, for people to read.

Moderators see it when an author's edit was held: prose changes by words, not lines, so a
changed link or an added phrase in a long paragraph shows as itself. Whitespace is not
compared (an extra space is nothing a moderator acts on), but line breaks are kept.
"""

from __future__ import annotations

import difflib
from typing import Literal, NamedTuple

# Past this many words on either side, difflib's matching (quadratic at worst) is not
# attempted: the whole old text is shown removed and the new one added.
MAX_WORDS = 3000

PieceKind = Literal["same", "removed", "added"]


class DiffPiece(NamedTuple):
    kind: PieceKind
    text: str


def _words(text: str) -> list[str]:
    words: list[str] = []
    for line in text.splitlines():
        words.extend(line.split())
        words.append("\n")
    return words[:-1]


def word_diff(old: str, new: str) -> list[DiffPiece]:
    """`old` turned into `new` as runs of unchanged, removed and added words (joined by
    single spaces, line breaks kept)."""
    before, after = _words(old), _words(new)
    if len(before) > MAX_WORDS or len(after) > MAX_WORDS:
        return [DiffPiece("removed", old), DiffPiece("added", new)]
    pieces: list[DiffPiece] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        if operation == "equal":
            pieces.append(DiffPiece("same", _joined(before[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(DiffPiece("removed", _joined(before[i1:i2])))
        if j2 > j1:
            pieces.append(DiffPiece("added", _joined(after[j1:j2])))
    return pieces


def _joined(words: list[str]) -> str:
    return " ".join(words).replace(" \n ", "\n").replace("\n ", "\n").replace(" \n", "\n")
