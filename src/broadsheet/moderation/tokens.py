"""What the classifiers read of a comment: three groups of tokens.

- "words": the normalised body's words and pairs of words (textnorm.normalise: look-alike
  letters, invisible characters and case undone), links taken out;
- "chars": runs of 3 to 5 characters inside those words, which still match when a word is
  misspelt on purpose ("v1agra", "cheeap") or glued to another;
- "signals": what the text's shape says (features.body_signal_tokens): links however they
  are written, phone numbers, messenger handles, e-mail addresses, emoji runs, repeated
  characters, shouting;
- "sender": the name, address and homepage fields (features.sender_tokens). Corpora have
  none, so the starting models never learn from these: the site's own model does.

Everything here is linear in the text's length and reads at most MAX_BODY_CHARS of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from broadsheet.discussion.models import Comment

from .features import MAX_BODY_CHARS, body_signal_tokens, sender_tokens
from .linkfinder import FoundLink, find_links
from .textnorm import normalise

_WORD = re.compile(r"[^\W_]+")

# Character n-grams come from the start of a long comment only: a spammer's pitch is rarely
# hidden past it, and the cost of scoring stays flat.
MAX_CHAR_NGRAM_TEXT = 3000
MAX_WORD_LENGTH = 30
CHAR_NGRAM_SIZES = (3, 4, 5)

TokenGroups = dict[str, list[str]]


def word_tokens(words: list[str]) -> list[str]:
    # A number is known by its length: "call 07700900123" and "call 07700900456" alike.
    words = [f"#{len(word)}" if word.isdigit() else word for word in words]
    tokens = [f"w:{word}" for word in words]
    tokens += [f"b:{first} {second}" for first, second in zip(words, words[1:], strict=False)]
    return tokens


def char_tokens(words: list[str]) -> list[str]:
    tokens: list[str] = []
    budget = MAX_CHAR_NGRAM_TEXT
    for word in words:
        if budget <= 0:
            break
        budget -= len(word) + 1
        padded = f" {word} "
        for size in CHAR_NGRAM_SIZES:
            tokens.extend(padded[i : i + size] for i in range(len(padded) - size + 1))
    return tokens


def without_links(text: str, links: Iterable[FoundLink]) -> str:
    """The text with its links cut out: they are signals, and their words are not prose."""
    for link in links:
        text = text.replace(link.text, " ")
    return text


def text_groups(text: str) -> TokenGroups:
    """The words, character n-grams and body signals of a piece of text (a comment's body,
    a sentence of it, or a corpus text the build and the benches score)."""
    text = text[:MAX_BODY_CHARS]
    links = find_links(text)  # once, for both the words and the signals
    prose = normalise(without_links(text, links))
    words = [word[:MAX_WORD_LENGTH] for word in _WORD.findall(prose)]
    return {
        "words": word_tokens(words),
        "chars": char_tokens(words),
        "signals": body_signal_tokens(text, links),
    }


def comment_groups(comment: Comment) -> TokenGroups:
    """The token groups of an unsaved or stored comment; no database access."""
    return {**text_groups(comment.body_source), "sender": sender_tokens(comment)}
