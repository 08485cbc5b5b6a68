"""The spam filter's features: the tokens a comment is known by.

Tokens are counted once per comment and come from the body (lower-cased words, numbers by
length, phone numbers, money amounts, shouting), its links (host, registered domain,
top-level domain, path words, anchor text, how many links, HTML or BBCode anchors) and who
sent it (name words, e-mail domain, digits in the name or address, homepage). Link and
homepage tokens carry the prefixes in `spamfilter.SITE_TOKEN_PREFIXES`, which the filter
also scores on their own.

Anyone can send the text these read, so every step runs in time linear in its length
(docs/safe-patterns.md), and a body is read up to MAX_BODY_CHARS.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import unquote, urlsplit

from broadsheet.discussion.models import Comment
from broadsheet.lib import linear

MAX_TOKEN_LENGTH = 100  # SpamToken.token's max_length
MAX_WORD_LENGTH = 40
# Enough for the longest comment the form takes; bounds the cost of a pathological body.
MAX_FEATURES = 2000
MAX_BODY_CHARS = 20_000

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
_PHONE = linear.compile(r"(?:\+\d{1,3}[\s.\-]?)?(?:\(?\d{2,4}\)?[\s.\-]?){2,4}\d{3,4}")
_MONEY = linear.compile(r"[$€£]\s?\d[\d,.]*\s?(?:k|m|bn|million|billion)?\b", ignore_case=True)
_DIGIT = re.compile(r"\d")
_PATH_WORD = re.compile(r"[a-z]{3,}")
# Second-level labels under which the registered domain has three labels (bbc.co.uk).
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac", "edu", "ltd", "plc", "me"})


_SCHEME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789+.-")


def _has_scheme(url: str) -> bool:
    scheme, separator, _rest = url.partition("://")
    return bool(
        separator
        and scheme[:1].isascii()
        and scheme[:1].isalpha()
        and _SCHEME_CHARACTERS.issuperset(scheme.lower())
    )


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


def _host(url: str) -> str:
    if not _has_scheme(url):
        url = "http://" + url
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _registered_domain(host: str) -> str:
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _site_tokens(prefix: str, url: str) -> list[str]:
    """Tokens for one link or homepage: its host, registered domain, TLD and path words."""
    host = _host(url)
    if not host:
        return [f"{prefix}:unparsable"]
    tokens = [f"{prefix}-host:{host}", f"{prefix}-domain:{_registered_domain(host)}"]
    if host.replace(".", "").isdigit():
        tokens.append(f"{prefix}-tld:ip-address")
    else:
        tokens.append(f"{prefix}-tld:{host.rsplit('.', 1)[-1]}")
    try:
        path = unquote(urlsplit(url if "://" in url else "http://" + url).path).lower()
    except ValueError:
        path = ""
    tokens.extend(f"{prefix}-path:{word}" for word in _PATH_WORD.findall(path)[:12])
    return tokens


def _bucket(value: int, bounds: Sequence[int]) -> str:
    """'0', '1', … up to the first bound at or above `value`, or 'N+' past the last."""
    for bound in bounds:
        if value <= bound:
            return str(bound)
    return f"{bounds[-1] + 1}+"


def _body_tokens(body: str) -> list[str]:
    tokens: list[str] = []
    links = [match.group(0).rstrip(".,;:!?") for match in _URL.finditer(body)]
    for anchor, target in _MARKDOWN_LINK.findall(body):
        if not _URL.match(target):
            links.append(target)
        tokens.extend(f"anchor:{word}" for word in _words(anchor.lower())[:8])
    tokens.append(f"links:{_bucket(len(links), (0, 1, 2))}")
    for url in links[:20]:
        tokens.extend(_site_tokens("link", url))
    if _HTML_LINK.search(body):
        tokens.append("markup:html-link")
    if _BBCODE_LINK.search(body):
        tokens.append("markup:bbcode-link")
    text = _URL.sub(" ", body)
    if _PHONE.search(text):
        tokens.append("shape:phone-number")
    if _MONEY.search(text):
        tokens.append("shape:money-amount")
    if "!!" in text:
        tokens.append("shape:exclamations")
    raw_words = _words(text)
    tokens.append(f"words:{_bucket(len(raw_words), (3, 10, 30, 80, 200))}")
    shouted = sum(1 for word in raw_words if len(word) > 2 and word.isupper())
    if shouted >= 3 and shouted * 4 >= len(raw_words):
        tokens.append("shape:shouting")
    words = []
    for word in raw_words:
        word = word.lower()
        if len(word) > MAX_WORD_LENGTH:
            words.append("shape:long-word")
        elif word.isdigit():
            words.append(f"number:{min(len(word), 5)}-digits")
        else:
            words.append(word)
    tokens.extend(words)
    return tokens


def _sender_tokens(comment: Comment) -> list[str]:
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
    if comment.homepage:
        tokens.extend(_site_tokens("homepage", comment.homepage))
    else:
        tokens.append("homepage:none")
    if comment.user_id is not None:
        tokens.append("sender:registered")
    elif comment.email_confirmed:
        tokens.append("sender:confirmed-address")
    return tokens


def features(comment: Comment) -> list[str]:
    """The comment's distinct tokens, sender and link tokens first, each at most
    MAX_TOKEN_LENGTH characters. Needs no database access (the comment may be unsaved)."""
    tokens = _sender_tokens(comment) + _body_tokens(comment.body_source[:MAX_BODY_CHARS])
    distinct = dict.fromkeys(token[:MAX_TOKEN_LENGTH] for token in tokens)
    return list(distinct)[:MAX_FEATURES]
