"""The signals the classifiers read beside the words (tokens.py): what a body's shape says
and who sent it.

Body signals: links however they are written (linkfinder: host, registered domain, suffix,
path words, and whether the link was disguised, shortened or written without a scheme),
anchor text, HTML or BBCode anchors, phone numbers, messenger names and handles, e-mail
addresses, money amounts, emoji runs, repeated characters, shouting, invisible characters
and length. Sender signals: name words and shape, the e-mail domain and whether the address
carries the name, the homepage (as a link), and whether the sender is registered or
confirmed their address.

Anyone can send the text these read, so every step runs in time linear in its length
(docs/safe-patterns.md), and a body is read up to MAX_BODY_CHARS.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from broadsheet.discussion.models import Comment
from broadsheet.lib import linear

from . import linkfinder, textnorm

MAX_TOKEN_LENGTH = 100
MAX_BODY_CHARS = 20_000
MAX_LINKS_READ = 20

# Patterns anyone can feed text to: each is RE2 (broadsheet.lib.linear) or of the shape plain
# `re` runs in linear time (docs/safe-patterns.md).
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'()\[\]{}]+", re.IGNORECASE)
_MARKDOWN_LINK = linear.compile(r"\[([^\]\n]{1,200})\]\(\s*<?([^)\s>]+)>?[^)]*\)")
_HTML_LINK = linear.compile(r"<a\s[^>]*href", ignore_case=True)
_BBCODE_LINK = re.compile(r"\[url[=\]]", re.IGNORECASE)
# Words keep inner dots, apostrophes and hyphens: "bestpills.com", "don't", "e-mail"
# (see _words()).
_WORD_SEPARATORS = ".'’-"
_WORDISH = re.compile(r"[\w.'’\-]+")
_SEPARATOR_RUN = re.compile(r"[.'’\-]{2,}")
# A phone number stands alone: digits inside a word ("a8614765f", an order code) are not one.
_PHONE = linear.compile(r"(?:\+\d{1,3}[\s.\-]?|\b)(?:\(?\d{2,4}\)?[\s.\-]?){2,4}\d{3,4}\b")
_MONEY = linear.compile(
    r"(?:[$€£]\s?\d[\d,.]*|\d[\d,.]*\s?[$€£])\s?(?:k|m|bn|million|billion)?\b", ignore_case=True
)
_DIGIT = re.compile(r"\d")


def _words(text: str) -> list[str]:
    """Runs of word characters joined by single dots, apostrophes or hyphens, as the
    pattern \\w+(?:[.'’-]\\w+)* finds them, without a repeated group: the text is cut at
    anything else, and then at runs of two or more of those joiners."""
    words: list[str] = []
    for chunk in _WORDISH.findall(text):
        chunk = chunk.strip(_WORD_SEPARATORS)
        if not chunk:
            continue
        if _SEPARATOR_RUN.search(chunk) is None:
            words.append(chunk)
            continue
        for piece in _SEPARATOR_RUN.split(chunk):
            if piece := piece.strip(_WORD_SEPARATORS):
                words.append(piece)
    return words


def _bucket(value: int, bounds: Sequence[int]) -> str:
    """'0', '1', … up to the first bound at or above `value`, or 'N+' past the last."""
    for bound in bounds:
        if value <= bound:
            return str(bound)
    return f"{bounds[-1] + 1}+"


def sender_tokens(comment: Comment) -> list[str]:
    """What the name, e-mail address and homepage fields say, and whether the sender is
    registered or confirmed their address."""
    tokens: list[str] = []
    name_words = [word.lower() for word in _words(comment.name)]
    tokens.extend(f"name:{word}" for word in name_words[:6])
    tokens.append(f"name-words:{_bucket(len(name_words), (1, 2, 3))}")
    if _DIGIT.search(comment.name):
        tokens.append("name-shape:digits")
    if comment.name.isupper() or comment.name.islower():
        tokens.append("name-shape:one-case")
    email = comment.email.lower()
    if "@" in email:
        local, _, domain = email.rpartition("@")
        tokens += [f"email-domain:{domain}", f"email-tld:{domain.rsplit('.', 1)[-1]}"]
        if len(_DIGIT.findall(local)) >= 2:
            tokens.append("email-shape:digits")
        plain_local = re.sub(r"[^a-z]", "", local)
        if any(len(word) > 2 and word in plain_local for word in name_words):
            tokens.append("email-shape:has-name")
        else:
            tokens.append("email-shape:not-name")
    else:
        tokens.append("email:none")
    homepages = linkfinder.find_links(comment.homepage) if comment.homepage else []
    for site in homepages[:1]:
        tokens += [
            f"homepage-host:{site.host}",
            f"homepage-domain:{site.registered_domain}",
            f"homepage-tld:{site.suffix or 'ip-address'}",
            *(f"homepage-path:{word}" for word in site.path),
        ]
    if not homepages:
        tokens.append("homepage:none" if not comment.homepage else "homepage:unparsable")
    if comment.user_id is not None:
        tokens.append("sender:registered")
    elif comment.email_confirmed:
        tokens.append("sender:confirmed-address")
    return tokens


# Body signals ---------------------------------------------------------------------------

_MESSENGER = linear.compile(
    r"\b(telegram|whats\s?app|wa\.me|t\.me|signal|wechat|we\s?chat|kik|snapchat|viber|"
    r"skype|discord|line\s?id|icq|instagram|insta|dm\s?me)\b",
    ignore_case=True,
)
_HANDLE = linear.compile(r"(?:^|[\s(:])@[A-Za-z0-9_]{4,32}\b")
_EMOJI_RUN_LENGTH = 3
_REPEAT_RUN_LENGTH = 4
_REPEAT_SCAN_CHARS = 5000


def _is_emoji(character: str) -> bool:
    code = ord(character)
    return 0x1F300 <= code <= 0x1FAFF or 0x2600 <= code <= 0x27BF


def _longest_runs(text: str) -> tuple[int, int]:
    """The longest run of one repeated character, and of emoji, in the text's start."""
    repeat = emoji = run = emoji_run = 0
    previous = ""
    for character in text[:_REPEAT_SCAN_CHARS]:
        run = run + 1 if character == previous and not character.isspace() else 1
        emoji_run = emoji_run + 1 if _is_emoji(character) else 0
        repeat, emoji = max(repeat, run), max(emoji, emoji_run)
        previous = character
    return repeat, emoji


def _link_tokens(links: list[linkfinder.FoundLink]) -> list[str]:
    tokens = [f"links:{_bucket(len(links), (0, 1, 2, 4))}"]
    for link in links[:MAX_LINKS_READ]:
        tokens += [
            f"link-host:{link.host}",
            f"link-domain:{link.registered_domain}",
            f"link-tld:{link.suffix or 'ip-address'}",
        ]
        tokens += [f"link-path:{word}" for word in link.path]
        if link.obfuscated:
            tokens.append("link:obfuscated")
        if link.shortener:
            tokens.append("link:shortener")
        if link.scheme_less:
            tokens.append("link:no-scheme")
    return tokens


def body_signal_tokens(body: str, links: list[linkfinder.FoundLink] | None = None) -> list[str]:
    """What a body's shape says, as tokens: links however written, phone numbers,
    messenger handles, e-mail addresses, money, emoji runs, repeated characters, shouting,
    length and markup. `links`: the body's, if the caller has found them already."""
    body = body[:MAX_BODY_CHARS]
    tokens = _link_tokens(linkfinder.find_links(body) if links is None else links)
    for anchor, _target in _MARKDOWN_LINK.findall(body):
        tokens.extend(f"anchor:{word}" for word in _words(anchor.lower())[:8])
    if _HTML_LINK.search(body):
        tokens.append("markup:html-link")
    if _BBCODE_LINK.search(body):
        tokens.append("markup:bbcode-link")
    text = _URL.sub(" ", body)
    emails = linkfinder.find_emails(text)
    if emails:
        tokens += ["shape:email-address", *(f"body-email-domain:{d}" for d in emails[:5])]
    if _PHONE.search(text):
        tokens.append("shape:phone-number")
    tokens += [f"messenger:{m.lower().replace(' ', '')}" for m in _MESSENGER.findall(text)[:5]]
    if _HANDLE.search(text):
        tokens.append("shape:at-handle")
    if _MONEY.search(text):
        tokens.append("shape:money-amount")
    if "!!" in text:
        tokens.append("shape:exclamations")
    repeat, emoji = _longest_runs(text)
    if repeat >= _REPEAT_RUN_LENGTH:
        tokens.append("shape:repeated-characters")
    if emoji >= _EMOJI_RUN_LENGTH:
        tokens.append("shape:emoji-run")
    elif emoji:
        tokens.append("shape:emoji")
    raw_words = _words(text)
    tokens.append(f"words:{_bucket(len(raw_words), (3, 10, 30, 80, 200))}")
    shouted = sum(1 for word in raw_words if len(word) > 2 and word.isupper())
    if shouted >= 3 and shouted * 4 >= len(raw_words):
        tokens.append("shape:shouting")
    if textnorm.without_invisible(body) != body:
        tokens.append("shape:invisible-characters")
    return list(dict.fromkeys(token[:MAX_TOKEN_LENGTH] for token in tokens))
