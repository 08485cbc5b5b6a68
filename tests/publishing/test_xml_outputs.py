"""Every XML output stays well-formed whatever characters readers and editors typed.

A comment, an article, an author and a topic hold every C0 control character, DEL, every
C1 control and the noncharacters U+FFFE and U+FFFF, stored as typed. Each XML output is
then read as its consumers read it: with expat (through defusedxml) and, for the feeds
and the WXR file, with feedparser as a feed reader does. The characters XML 1.0 forbids
must be gone (broadsheet/lib/xmltext.py), what it allows (DEL, C1) kept, and the words
around them intact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import feedparser
import pytest
from defusedxml import ElementTree
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, reverse

from broadsheet.discussion.models import Comment
from broadsheet.importers.export_wxr import NAMESPACES
from broadsheet.lib.xmltext import xml_safe
from broadsheet.publishing.models import Article, Author, Topic
from tests.helpers import make_article, make_author, make_comment, make_topic, make_user

pytestmark = pytest.mark.django_db

BASE = "http://testserver"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
WP = "{" + NAMESPACES["wp"] + "}"

C0 = "".join(map(chr, range(0x20)))
C1 = "".join(map(chr, range(0x80, 0xA0)))
TYPED = C0 + "\x7f" + C1 + "\ufffe\uffff"
if connection.vendor == "postgresql":
    # PostgreSQL's text type cannot hold U+0000 at all (psycopg refuses it before the
    # query is sent: "PostgreSQL text fields cannot contain NUL (0x00) bytes"), so no row
    # there can carry one to an output; SQLite stores it, and the test keeps it there.
    TYPED = TYPED.replace("\x00", "")
# What XML 1.0 forbids: the C0 controls but tab, line feed and carriage return, and the
# two noncharacters. None of it may reach an output.
FORBIDDEN = [ch for ch in TYPED if ch not in "\t\n\r" and not "\x7f" <= ch <= "\x9f"]


def as_parsed(typed: str) -> str:
    """What an XML parser reads back for `typed`: forbidden characters dropped, and line
    ends made "\\n" (XML's end-of-line rule, section 2.11)."""
    return xml_safe(typed).replace("\r\n", "\n").replace("\r", "\n")


@dataclass
class Tainted:
    article: Article
    comment: Comment
    author: Author
    topic: Topic


@pytest.fixture
def tainted() -> Tainted:
    author = make_author(f"Ada {TYPED} Reyes", slug="ada-reyes", bio=f"Housing {TYPED} desk.")
    topic = make_topic(
        f"Housing {TYPED} rights", slug="housing", description=f"Rents {TYPED} and repairs."
    )
    article = make_article(
        f"Rent {TYPED} strike ends",
        slug="rent-strike-ends",
        submitted_by=make_user("newsdesk", display_name=f"News {TYPED} desk"),
        standfirst=f"Tenants {TYPED} won.",
        body=f"The tenants {TYPED} voted to stop.",
        authors=[author],
        topics=[topic],
    )
    comment = make_comment(
        article, name=f"Morwenna {TYPED} Tate", body=f"I was there {TYPED} until ten."
    )
    # Stored as typed: cleaning is for the outputs, not the database.
    comment.refresh_from_db()
    assert comment.name == f"Morwenna {TYPED} Tate"
    assert TYPED in comment.body_source
    return Tainted(article, comment, author, topic)


def fetch_xml(client: Client, url: str) -> tuple[bytes, Element]:
    response = client.get(url)
    assert response.status_code == 200, url
    content: bytes = response.content
    assert not [ch for ch in FORBIDDEN if ch in content.decode()], url
    root: Element = ElementTree.fromstring(content)  # raises ParseError if not well-formed
    return content, root


def read_as_feed_reader(content: bytes) -> Any:
    parsed = feedparser.parse(content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def assert_words(text: str, *words: str) -> None:
    for word in words:
        assert word in text, (word, text)


# Feeds -----------------------------------------------------------------------------------


def test_comments_feed_of_the_article_carries_the_comment(tainted: Tainted, client: Client) -> None:
    content, root = fetch_xml(client, f"/articles/{tainted.article.slug}/comments/feed/")

    [item] = root.iter("item")
    assert item.findtext("{http://purl.org/dc/elements/1.1/}creator") == as_parsed(
        tainted.comment.name
    )
    assert_words(item.findtext("description") or "", "I was there", "\x7f" + C1, "until ten.")
    assert_words(root.findtext("channel/title") or "", "Rent", "strike ends")
    [entry] = read_as_feed_reader(content).entries
    assert_words(entry.title, "Morwenna", "Tate")
    assert_words(entry.author, "Morwenna", "Tate")
    assert_words(entry.summary, "I was there", "until ten.")
    assert entry.link == f"{BASE}{tainted.comment.get_absolute_url()}"


@pytest.mark.parametrize("url", ["/articles/repairs/comments/feed/", "/feed/", "/feed/atom/"])
def test_noncharacters_alone_do_not_make_a_feed_ill_formed(client: Client, url: str) -> None:
    # Django's writer refuses C0 controls but lets U+FFFE and U+FFFF through, into a
    # document expat and feed readers reject outright.
    article = make_article("Repairs \ufffebacklog\uffff grows", slug="repairs")
    make_comment(article, name="Ines \uffffFerro", body="Still \ufffewaiting.")

    content, _ = fetch_xml(client, url)

    [entry] = read_as_feed_reader(content).entries
    assert entry.title.startswith("Ines Ferro on" if "comments" in url else "Repairs backlog")


def _rss_feeds(tainted: Tainted) -> list[str]:
    return [
        "/feed/",
        f"{tainted.topic.get_absolute_url()}feed/",
        f"{tainted.author.get_absolute_url()}feed/",
    ]


def _atom_feeds(tainted: Tainted) -> list[str]:
    return [url + "atom/" for url in _rss_feeds(tainted)]


@pytest.mark.parametrize("which", range(3), ids=["latest", "topic", "author"])
def test_rss_feeds_carry_the_article(tainted: Tainted, client: Client, which: int) -> None:
    content, root = fetch_xml(client, _rss_feeds(tainted)[which])

    [item] = root.iter("item")
    assert item.findtext("title") == as_parsed(tainted.article.title)
    assert item.findtext("category") == as_parsed(tainted.topic.name)
    assert item.findtext("{http://purl.org/dc/elements/1.1/}creator") == as_parsed(
        tainted.author.name
    )
    [entry] = read_as_feed_reader(content).entries
    assert_words(entry.title, "Rent", "strike ends")
    assert_words(entry.summary, "Tenants", "won.", "The tenants", "voted to stop.")
    assert_words(entry.author, "Ada", "Reyes")
    assert entry.link == f"{BASE}{tainted.article.get_absolute_url()}"


@pytest.mark.parametrize("which", range(3), ids=["latest", "topic", "author"])
def test_atom_feeds_carry_the_article(tainted: Tainted, client: Client, which: int) -> None:
    content, root = fetch_xml(client, _atom_feeds(tainted)[which])

    [entry_element] = root.iter(f"{ATOM}entry")
    assert entry_element.findtext(f"{ATOM}title") == as_parsed(tainted.article.title)
    category = entry_element.find(f"{ATOM}category")
    # Attribute values keep their line ends: the writer escapes them as &#10; and &#13;.
    assert category is not None and category.get("term") == xml_safe(tainted.topic.name)
    parsed = read_as_feed_reader(content)
    [entry] = parsed.entries
    assert_words(entry.title, "Rent", "strike ends")
    assert_words(entry.summary, "Tenants", "won.", "The tenants", "voted to stop.")
    assert_words(entry.author, "Ada", "Reyes")
    assert entry.link == f"{BASE}{tainted.article.get_absolute_url()}"


def test_topic_and_author_feeds_are_titled_after_them(tainted: Tainted, client: Client) -> None:
    topic_content, _ = fetch_xml(client, f"{tainted.topic.get_absolute_url()}feed/")
    author_content, _ = fetch_xml(client, f"{tainted.author.get_absolute_url()}feed/atom/")

    topic_feed = read_as_feed_reader(topic_content).feed
    author_feed = read_as_feed_reader(author_content).feed
    assert_words(topic_feed.title, "Housing", "rights")
    assert_words(topic_feed.subtitle, "Rents", "and repairs.")
    assert_words(author_feed.title, "Ada", "Reyes")
    assert_words(author_feed.subtitle, "Housing", "desk.")


# Sitemap ---------------------------------------------------------------------------------


def test_sitemap_is_well_formed_and_lists_only_addresses(tainted: Tainted, client: Client) -> None:
    # Nothing typed reaches sitemap.xml: it lists addresses, dates and constants. This
    # checks it with every typed field tainted (the next test says why it holds).
    _, root = fetch_xml(client, "/sitemap.xml")

    locations = [loc.text or "" for loc in root.iter(f"{SITEMAP}loc")]
    assert sorted(locations) == sorted(
        f"{BASE}{path}"
        for path in [
            "/",
            tainted.article.get_absolute_url(),
            tainted.author.get_absolute_url(),
            tainted.topic.get_absolute_url(),
        ]
    )
    assert all(re.fullmatch(r"http://testserver/[-a-z0-9/]*", loc) for loc in locations)


@pytest.mark.parametrize("name", ["publishing:article", "publishing:author", "publishing:topic"])
def test_a_sitemap_address_cannot_carry_a_control_character(name: str) -> None:
    # Each location is reverse()d through a <slug:…> converter, which matches only
    # [-a-zA-Z0-9_]+, and the host is Django's validated one: a slug holding anything
    # else cannot become an address at all, so it cannot reach the sitemap's XML.
    for ch in TYPED:
        with pytest.raises(NoReverseMatch):
            reverse(name, args=[f"slug{ch}"])


# The WXR export ------------------------------------------------------------------------


def test_wxr_export_is_well_formed_and_carries_the_comment(
    tainted: Tainted, tmp_path: Path
) -> None:
    path = tmp_path / "site.xml"
    call_command("export-wxr", str(path), verbosity=0)

    content = path.read_bytes()
    assert not [ch for ch in FORBIDDEN if ch in content.decode()]
    root: Element = ElementTree.fromstring(content)
    [item] = root.iter("item")
    assert item.findtext("title") == as_parsed(tainted.article.title)
    [comment] = item.iter(f"{WP}comment")
    assert comment.findtext(f"{WP}comment_author") == as_parsed(tainted.comment.name)
    assert_words(comment.findtext(f"{WP}comment_content") or "", "I was there", "until ten.")
    names = [term.findtext(f"{WP}term_name") for term in root.iter(f"{WP}term")]
    assert names == [as_parsed(tainted.author.name)]
    [entry] = read_as_feed_reader(content).entries
    assert_words(entry.title, "Rent", "strike ends")
    assert_words(entry.content[0].value, "The tenants", "voted to stop.")
