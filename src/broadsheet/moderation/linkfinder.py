"""Links in a comment however they are written: `find_links()`, and `find_emails()`.

Spam needs its reader to reach a site, so it writes addresses a link pattern misses:
"cheap-pills.ru", "example dot com", "example [.] com", "example(.)com", "example . com",
"example。com", fullwidth letters, "hxxp://", "h**p://", a zero-width space inside a name.
Registered domains come from the Public Suffix List's ICANN section, as tldextract's do
("news.bbc.co.uk" is under "bbc.co.uk", "x.blogspot.com" under "blogspot.com"), read from
the copy the publicsuffixlist package ships: nothing is fetched.

1. The text is read up to MAX_CHARS; at most MAX_LINKS links are returned.
2. Stretches outside ASCII are put in NFKC and lose invisible characters; "。" becomes ".".
   Defanged forms are rewritten: "hxxp", "h**p", "h__p", "[:]"; a dot, "dot", "@" or "at"
   in brackets between two words; "dot" or a dot with a space before it ("example dot com",
   "example . com") when one of SPELLED_SUFFIXES follows and the word before is not prose
   ("the dot com bubble"). Rewrites are recorded, so `text` is what was written and
   `obfuscated` says whether any of it was rewritten (NFKC and invisibles included).
3. A URL with a scheme (http, https, ftp) is a link whatever its host (an IP address is its
   own registered domain, with suffix ""); one starting "www." needs a known suffix.
   Markdown and HTML link targets are such URLs or bare names; a name written as both a
   link's text and its target counts once.
4. A bare name is a run of word characters, dots and hyphens, not just after "@", "/" (but
   "//" is fine), "\\", "#", "$", "%", "&" or "~", nor just before "@": e-mail addresses are
   not links. It ends at a "_" or an empty label, and is taken up to the last label that
   makes a known public suffix with a registered domain. Unless a path ("/...") follows or
   it is a known shortener ("t.co"), it also needs two characters or more before the suffix
   ("a.m", "U.S" fail), a suffix outside FILE_EXTENSIONS ("setup.py", "notes.md"), and, if
   it is just "name.suffix", a suffix in COMMON_SUFFIXES (or an internationalised one) and
   not a lower-case word before a capitalised suffix: the full list holds words ("now",
   "top", "love", "no"), and prose missing a space ("I agree.Now", "great.Top") is no link.
   "e.g.", "i.e.", "etc.", "Mr.Smith", "2.0.1", "3.14", "file.txt", "well...ok" fail sooner.

Every pattern is RE2 or of the shape plain `re` runs in linear time (docs/safe-patterns.md),
and the rest is bounded per run of text (at most MAX_LABELS labels of a name are tried).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from publicsuffixlist import PublicSuffixList

from broadsheet.lib import linear

from .textnorm import without_invisible

MAX_CHARS = 20_000
MAX_LINKS = 50
MAX_LABELS = 127  # a host name has at most 127 labels (253 characters)
MAX_PATH_WORDS = 12

SHORTENERS = frozenset(
    """bit.ly bitly.com tinyurl.com t.co goo.gl ow.ly is.gd v.gd buff.ly rebrand.ly cutt.ly
    shorturl.at tiny.cc rb.gy s.id t.ly bl.ink lnkd.in trib.al dlvr.it adf.ly bit.do
    shorte.st ouo.io soo.gd clck.ru tiny.one x.co u.to urlz.fr cli.gs qr.ae 1url.com""".split()
)
# Common and commonly abused top-level domains, less file extensions and prose words.
COMMON_SUFFIXES = frozenset(
    """com net org info biz io co me tv cc ws us uk de fr nl eu ru su cn ua kz pl it es ca au
    in br jp kr ch se dk fi ie be at nz za mx ar tr ir vn id ph xyz top online site shop
    store club live link click dev ai gg ly to vip bid loan tech space website icu buzz pro
    mobi asia tk ml ga cf gq pw cyou sbs cfd gov edu""".split()
)
SPELLED_SUFFIXES = """online info site shop store club live com net org biz xyz top ru cn co
    io me us uk de fr nl eu au ca pl""".split()
FILE_EXTENSIONS = frozenset("py sh zip mov md rs pm mk am ac tf ps gd mm mo sv pub so".split())
# Words before "dot com" in prose ("the dot com bubble", "an early dot com").
_PROSE_BEFORE_DOT = frozenset(
    """the a an this that these those of in on at to for from by with like and or but is was
    big early old first last before after during since until whole every each its our their
    his her my your one same new""".split()
)

_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
_FULL_STOPS = {0x3002: "."}  # the ideographic full stop (NFKC turns the others into ".")
_DEFANGED_SCHEME = re.compile(r"\bh(?:tt|xx|\*\*|__)ps?(?:\[:\]|\(:\)|:)//", re.IGNORECASE)
# After an opening bracket: a dot, "dot", "@" or "at", the closing bracket, and a word.
_IN_BRACKETS = r"[ \t]{0,3}(?:\.|dot|@|at)[ \t]{0,3}[\])}>][ \t]{0,3}(?=[^\W_])"
_SPELLED_DOT = rf"(?:dot[ \t]{{1,3}}|\.[ \t]{{0,3}})(?=(?:{'|'.join(SPELLED_SUFFIXES)})(?!\w))"
# A defanged dot or "at" starts with the space or bracket after a word. Starting the pattern
# with that character class, rather than a lookbehind, lets `re` skip to the candidates.
_DEFANGED_DOT = re.compile(
    rf"[ \t\[({{<](?<=[^\W_][ \t\[({{<])"
    rf"(?:(?<=[\[({{<]){_IN_BRACKETS}|[ \t]{{0,2}}(?:[\[({{<]{_IN_BRACKETS}|{_SPELLED_DOT}))",
    re.IGNORECASE,
)
_WORD_BEFORE = re.compile(r"[^\W_]{1,20}\Z")
_URL = re.compile(r"\b(?:(?:https?|ftp)://|www\.)[^\s<>\"'`()\[\]{}|\\^]+", re.IGNORECASE)
_DOMAIN_RUN = re.compile(r"[\w.-]+")
_PATH = re.compile(r"/[^\s<>\"'`()\[\]{}|\\^]*")
_PATH_WORD = re.compile(r"[^\W_]+")
_EMAIL_AT = re.compile(r"[\w.+-]@")
# The text and the target of [text](target) and <a href="target">text</a>.
_MARKDOWN_LINK = linear.compile(r"\[([^\]\n]{1,200})\]\(\s*<?([^)\s>]+)")
_HTML_LINK = linear.compile(
    r"<a\s[^>]*href\s*=\s*[\"']?([^\"'\s>]+)[^>]*>([^<]{1,200})</a>", ignore_case=True
)
_TRAILING = ".,;:!?*_~'\""
_NOT_BEFORE_NAME = frozenset("@/\\#$%&~")


@dataclass(frozen=True)
class FoundLink:
    text: str  # as written, brackets, "dot" and all
    host: str  # lower case, ASCII (IDNA) form, without "www."
    registered_domain: str  # "bbc.co.uk"; the host itself for an IP address or unknown suffix
    suffix: str  # the public suffix ("co.uk"), "" when there is none (an IP address)
    path: tuple[str, ...]  # the words of the path, lower case, at most MAX_PATH_WORDS
    obfuscated: bool  # rewritten to be found: "dot com", "hxxp", "[.]", spaced dots, NFKC
    shortener: bool
    scheme_less: bool


@functools.cache
def _suffixes() -> PublicSuffixList:
    # The bundled list (no source: the package's own file); an unknown TLD is no suffix.
    return PublicSuffixList(accept_unknown=False, only_icann=True)


class _Rewrite(NamedTuple):
    """Text after substitutions, with each substituted stretch's place before and after."""

    text: str
    new_starts: list[int]
    pieces: list[tuple[int, int, int, int]]  # new start, new end, old start, old end

    def old_start(self, position: int) -> int:
        index = bisect_right(self.new_starts, position) - 1
        if index < 0:
            return position
        _new_start, new_end, old_start, old_end = self.pieces[index]
        return old_start if position < new_end else old_end + position - new_end

    def old_end(self, position: int) -> int:
        index = bisect_left(self.new_starts, position) - 1
        if index < 0:
            return position
        _new_start, new_end, _old_start, old_end = self.pieces[index]
        return old_end + max(position - new_end, 0)


def _rewrite(
    text: str, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]
) -> _Rewrite:
    parts: list[str] = []
    pieces: list[tuple[int, int, int, int]] = []
    done = length = 0
    for match in pattern.finditer(text):
        if (replacement := replace(match)) != match.group():
            start, end = match.span()
            length += start - done
            pieces.append((length, length + len(replacement), start, end))
            parts += [text[done:start], replacement]
            length, done = length + len(replacement), end
    return _Rewrite("".join(parts) + text[done:], [piece[0] for piece in pieces], pieces)


def _visible_nfkc(text: str) -> str:
    return without_invisible(unicodedata.normalize("NFKC", text)).translate(_FULL_STOPS)


def _plain_scheme(match: re.Match[str]) -> str:
    written = match.group()
    plain = "https://" if written[4:5].lower() == "s" else "http://"
    return written if written.lower() == plain else plain


def _plain_dot(match: re.Match[str]) -> str:
    written = match.group()
    if written.strip(" \t[](){}<>").lower() in {"@", "at"}:
        return "@"
    if not any(bracket in written for bracket in "[({<"):  # "dot" or a spaced dot
        word = _WORD_BEFORE.search(match.string, max(match.start() - 20, 0), match.start())
        if word is not None and word.group().lower() in _PROSE_BEFORE_DOT:
            return written
    return "."


class _Scan(NamedTuple):
    written: str
    rewrites: list[_Rewrite]  # in the order applied
    text: str  # after the rewrites
    urls: list[tuple[int, int]]  # spans in `text`
    blanked: str  # `text` with the URLs made spaces, for bare names and e-mail addresses

    def as_written(self, start: int, end: int) -> str:
        for rewrite in reversed(self.rewrites):
            start, end = rewrite.old_start(start), rewrite.old_end(end)
        return self.written[start:end]


def _scan(text: str) -> _Scan:
    written = text[:MAX_CHARS]
    rewrites = [_Rewrite(written, [], [])]
    if not written.isascii() and _visible_nfkc(written) != written:
        rewrites.append(_rewrite(written, _NON_ASCII_RUN, lambda run: _visible_nfkc(run.group())))
    if "//" in written:
        rewrites.append(_rewrite(rewrites[-1].text, _DEFANGED_SCHEME, _plain_scheme))
    rewrites.append(_rewrite(rewrites[-1].text, _DEFANGED_DOT, _plain_dot))
    clean = rewrites[-1].text
    urls = [
        (url.start(), url.start() + len(url.group().rstrip(_TRAILING)))
        for url in _URL.finditer(clean)
    ]
    blanked, done = [], 0
    for start, end in urls:
        blanked += [clean[done:start], " " * (end - start)]
        done = end
    return _Scan(written, rewrites, clean, urls, "".join(blanked) + clean[done:])


def _site(name: str) -> tuple[str, str, str]:
    """(host, registered domain, suffix) of a host name; "" for the last two if unknown."""
    host = name.strip(".").lower()
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:  # an empty or over-long label: keep the name as written
        pass
    if host.startswith("www.") and host.count(".") >= 2:
        host = host[4:]
    return host, _suffixes().privatesuffix(host) or "", _suffixes().publicsuffix(host) or ""


class _Candidate(NamedTuple):
    start: int
    end: int
    host: str
    registered_domain: str
    suffix: str
    path: str
    scheme_less: bool


def _url(text: str, start: int, end: int) -> _Candidate | None:
    url = text[start:end]
    scheme_less = "://" not in url
    try:
        parts = urlsplit("http://" + url if scheme_less else url)
        host, registered, suffix = _site(parts.hostname or "")
    except ValueError:  # "http://[broken" and the like
        return None
    if not host or (scheme_less and not registered):
        return None
    return _Candidate(start, end, host, registered or host, suffix, parts.path, scheme_less)


def _valid_label(label: str) -> bool:
    return 0 < len(label) <= 63 and "_" not in label and label[0] != "-" and label[-1] != "-"


def _names(run: str) -> Iterator[tuple[list[str], str, str, str]]:
    """The host names a run of word characters, dots and hyphens starts with that have a
    registered domain, longest first: (labels, host, registered domain, suffix)."""
    labels: list[str] = []
    for label in run.split(".")[:MAX_LABELS]:
        if not _valid_label(label):
            break
        labels.append(label)
    for last in range(len(labels) - 1, 0, -1):
        if _suffixes().is_public(labels[last].lower()):
            host, registered, suffix = _site(".".join(labels[: last + 1]))
            if registered:
                yield labels[: last + 1], host, registered, suffix


def _reads_as_name(labels: list[str], registered: str, suffix: str) -> bool:
    """Whether a bare name with no path is a host rather than an abbreviation, a file name
    or prose missing a space (the rules in the module docstring)."""
    if len(registered.split(".")[0]) < 2 or suffix.rsplit(".")[-1] in FILE_EXTENSIONS:
        return False
    if len(labels) > 2 or "." in suffix:
        return True
    common = suffix in COMMON_SUFFIXES or suffix.startswith("xn--")
    return common and not (labels[0].islower() and labels[1].istitle())


def _bare_name(text: str, run: re.Match[str]) -> _Candidate | None:
    start = run.start()
    if text[start - 1 : start] in _NOT_BEFORE_NAME and text[max(start - 2, 0) : start] != "//":
        return None
    for labels, host, registered, suffix in _names(run.group()):
        end = start + sum(map(len, labels)) + len(labels) - 1
        if text[end : end + 1] == "@":  # the start of an e-mail address ("first.last@")
            return None
        path_match = _PATH.match(text, end) if text[end : end + 1] == "/" else None
        path = path_match.group().rstrip(_TRAILING) if path_match else ""
        shortener = host in SHORTENERS or registered in SHORTENERS
        if path or shortener or _reads_as_name(labels, registered, suffix):
            return _Candidate(start, end + len(path), host, registered, suffix, path, True)
    return None


def _named_twice(text: str, found: list[_Candidate]) -> set[_Candidate]:
    """The links written as the text of a Markdown or HTML link to the same registered domain."""
    markdown = [(match.span(1), match.span(2)) for match in _MARKDOWN_LINK.finditer(text)]
    html = [(match.span(2), match.span(1)) for match in _HTML_LINK.finditer(text)]
    twice: set[_Candidate] = set()
    for (text_start, text_end), (target_start, target_end) in (markdown + html)[:MAX_LINKS]:
        inside = [link for link in found if text_start <= link.start and link.end <= text_end]
        targets = {
            link.registered_domain for link in found if target_start <= link.start < target_end
        }
        twice.update(link for link in inside if link.registered_domain in targets)
    return twice


def find_links(text: str) -> list[FoundLink]:
    """Every link in `text` (up to MAX_LINKS), in the order written."""
    scan = _scan(text)
    found = [
        link for start, end in scan.urls[: MAX_LINKS * 2] if (link := _url(scan.text, start, end))
    ]
    resume = 0
    for run in _DOMAIN_RUN.finditer(scan.blanked):
        if len(found) >= MAX_LINKS * 4:
            break
        if run.start() >= resume and "." in run.group() and (link := _bare_name(scan.blanked, run)):
            found.append(link)
            resume = link.end
    found.sort()
    twice = _named_twice(scan.text, found)
    links = []
    for link in found:
        if link in twice:
            continue
        written = scan.as_written(link.start, link.end)
        path_words = _PATH_WORD.findall(unquote(link.path[:2000]).casefold())[:MAX_PATH_WORDS]
        links.append(
            FoundLink(
                text=written,
                host=link.host,
                registered_domain=link.registered_domain,
                suffix=link.suffix,
                path=tuple(word[:40] for word in path_words),
                obfuscated=written != scan.text[link.start : link.end],
                shortener=link.host in SHORTENERS or link.registered_domain in SHORTENERS,
                scheme_less=link.scheme_less,
            )
        )
    return links[:MAX_LINKS]


def find_emails(text: str) -> list[str]:
    """The domain (host) of every e-mail address in `text`, up to MAX_LINKS, in the order
    written; "john [at] example [dot] com" included. Not links: find_links() skips them."""
    scan = _scan(text)
    domains: list[str] = []
    for at in _EMAIL_AT.finditer(scan.blanked):
        run = _DOMAIN_RUN.match(scan.blanked, at.end())
        if run and (name := next(_names(run.group()), None)):
            domains.append(name[1])
            if len(domains) >= MAX_LINKS:
                break
    return domains
