"""`xml_safe` and the feed types built on it (broadsheet/lib/xmltext.py, lib/feeds.py).

What XML 1.0 forbids is dropped, what it allows is kept (DEL and the C1 controls among
it), and the feed types write exactly what Django's own write for text that needs no
cleaning, so only the forbidden characters change.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from xml.etree.ElementTree import ParseError

import feedparser
import pytest
from defusedxml import ElementTree
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed, SyndicationFeed

from broadsheet.lib import linear, xmltext
from broadsheet.lib.feeds import XmlSafeAtomFeed, XmlSafeRssFeed
from broadsheet.lib.xmltext import xml_safe

# XML 1.0's Char production, written out as ranges: the reference the pattern is checked
# against, code point by code point.
ALLOWED = [(0x9, 0x9), (0xA, 0xA), (0xD, 0xD), (0x20, 0xD7FF), (0xE000, 0xFFFD)]
ALLOWED.append((0x10000, 0x10FFFF))

C0_FORBIDDEN = "".join(chr(c) for c in range(0x20) if c not in (0x9, 0xA, 0xD))
C1 = "".join(map(chr, range(0x80, 0xA0)))


def _allowed(code: int) -> bool:
    return any(low <= code <= high for low, high in ALLOWED)


def test_every_code_point_is_kept_exactly_when_xml_allows_it() -> None:
    everything = "".join(map(chr, range(sys.maxunicode + 1)))

    kept = xml_safe(everything)

    assert kept == "".join(ch for ch in everything if _allowed(ord(ch)))


def test_forbidden_controls_and_noncharacters_go_and_the_words_stay() -> None:
    typed = f"Rent{C0_FORBIDDEN} strike \ufffeends\uffff here\ud800."

    assert xml_safe(typed) == "Rent strike ends here."


def test_tab_newline_return_del_and_the_c1_controls_are_kept() -> None:
    # XML 1.0 allows them ([#x20-#xD7FF] covers DEL and U+0080 to U+009F); expat parses
    # them, so dropping them would lose text for nothing.
    typed = f"a\tb\nc\rd\x7fe{C1}f"

    assert xml_safe(typed) == typed
    element = ElementTree.fromstring(f"<t>{typed}</t>".encode())
    assert element.text == typed.replace("\r", "\n")  # a parser's line-end rule, not ours


def test_text_outside_the_basic_plane_and_private_use_is_kept() -> None:
    typed = "Nguyễn \U0001f3e0 \ue000 \U0010fffd \ufffd"

    assert xml_safe(typed) == typed


def test_each_forbidden_character_alone_breaks_xml_and_is_dropped() -> None:
    for forbidden in [*C0_FORBIDDEN, "\ufffe", "\uffff"]:
        document = f"<t>a{forbidden}b</t>".encode()
        with pytest.raises(ParseError):
            ElementTree.fromstring(document)
        assert ElementTree.fromstring(f"<t>{xml_safe('a' + forbidden + 'b')}</t>").text == "ab"


def test_the_pattern_keeps_to_the_linear_rule() -> None:
    assert linear.is_backtrack_safe(xmltext._NOT_XML)


def test_a_long_comment_of_nothing_but_controls_is_cleaned_quickly() -> None:
    started = time.perf_counter()
    assert xml_safe("\x07" * 1_000_000) == ""
    assert time.perf_counter() - started < 5  # a guard against a hang, not a speed test


# The feed types ------------------------------------------------------------------------


def _fill(feed: SyndicationFeed, text: str) -> SyndicationFeed:
    """Every field Django writes, each holding `text`."""
    feed.add_item(
        title=f"Title {text}",
        link="/articles/one/",
        description=f"<p>Body {text}</p>",
        author_email="ada@example.org",
        author_name=f"Ada {text}",
        author_link="https://example.org/ada",
        pubdate=dt.datetime(2024, 3, 11, 9, 0, tzinfo=dt.UTC),
        updateddate=dt.datetime(2024, 3, 12, 9, 0, tzinfo=dt.UTC),
        comments=f"Comments {text}",
        unique_id=f"id-{text}",
        unique_id_is_permalink=False,
        categories=[f"Housing {text}", "Transport"],
        item_copyright=f"© {text}",
        ttl="60",
        enclosures=[Enclosure("https://example.org/a.mp3", "123", "audio/mpeg")],
    )
    return feed


def _feed(feed_type: type[SyndicationFeed], text: str) -> SyndicationFeed:
    return _fill(
        feed_type(
            title=f"Site {text}",
            link="https://example.org/",
            description=f"About {text}",
            language="en-gb",
            author_email="desk@example.org",
            author_name=f"Desk {text}",
            author_link="https://example.org/desk",
            subtitle=f"Subtitle {text}",
            categories=[f"News {text}"],
            feed_url="https://example.org/feed/",
            feed_copyright=f"Copyright {text}",
            ttl="30",
            stylesheets=["https://example.org/feed.xsl"],
        ),
        text,
    )


@pytest.mark.parametrize(
    ("ours", "djangos"), [(XmlSafeRssFeed, Rss201rev2Feed), (XmlSafeAtomFeed, Atom1Feed)]
)
def test_feed_types_write_what_djangos_write_when_nothing_needs_cleaning(
    ours: type[SyndicationFeed], djangos: type[SyndicationFeed]
) -> None:
    # Their write() methods are copies of Django's with the generator swapped: this is
    # what notices a Django upgrade that changes Django's.
    text = f"tab\there, <b>&amp;</b> “quoted” Nguyễn \x7f{C1}"

    assert _feed(ours, text).writeString("utf-8") == _feed(djangos, text).writeString("utf-8")


@pytest.mark.parametrize("feed_type", [XmlSafeRssFeed, XmlSafeAtomFeed])
def test_feed_types_clean_every_field_and_attribute(feed_type: type[SyndicationFeed]) -> None:
    written = _feed(feed_type, f"x{C0_FORBIDDEN}\ufffe\uffffy").writeString("utf-8")

    assert not any(ch in written for ch in [*C0_FORBIDDEN, "\ufffe", "\uffff"])
    ElementTree.fromstring(written.encode())
    parsed = feedparser.parse(written.encode())
    assert not parsed.bozo, parsed.get("bozo_exception")
    [entry] = parsed.entries
    assert entry.title == "Title xy"
    assert [tag.term for tag in entry.tags] == ["Housing xy", "Transport"]


@pytest.mark.parametrize("feed_type", [Rss201rev2Feed, Atom1Feed])
def test_djangos_own_feed_types_refuse_a_control_character(
    feed_type: type[SyndicationFeed],
) -> None:
    # Why the feed types exist: one BEL anywhere and Django's writer raises, a 500.
    with pytest.raises(ValueError, match="Control characters"):
        _feed(feed_type, "ring \x07").writeString("utf-8")
