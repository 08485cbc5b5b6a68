"""Helpers for the importer and exporter tests.

Small WordPress exports written for these tests: `wxr(items, authors=...)` gives the text
of a WXR file; `post(...)`, `page(...)` and `comment(...)` the items and comments in it.
Text goes in CDATA sections, as WordPress writes it, split where it contains "]]>" (as
WordPress's wxr_cdata() does).

`build_site()` stores the site the export tests and the round trip share.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from broadsheet.consent.models import PolicyPage
from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Article
from tests.helpers import make_article, make_author, make_topic, make_user

# WordPress exports (WXR) ------------------------------------------------------------------

WP = "http://wordpress.org/export/{version}/"


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def author(author_id: int, login: str, display_name: str, email: str = "") -> str:
    return (
        f"<wp:author><wp:author_id>{author_id}</wp:author_id>"
        f"<wp:author_login>{cdata(login)}</wp:author_login>"
        f"<wp:author_email>{cdata(email or login + '@old.example')}</wp:author_email>"
        f"<wp:author_display_name>{cdata(display_name)}</wp:author_display_name>"
        "<wp:author_first_name><![CDATA[]]></wp:author_first_name></wp:author>"
    )


def comment(
    comment_id: int,
    content: str,
    *,
    parent: int = 0,
    name: str = "Pat Visitor",
    email: str = "pat@reader.example",
    url: str = "",
    address: str = "198.51.100.7",
    date_gmt: str = "2020-03-04 12:00:00",
    date: str = "2020-03-04 12:00:00",
    approved: str = "1",
    kind: str = "comment",
    user_id: int = 0,
) -> str:
    return (
        "<wp:comment>"
        f"<wp:comment_id>{comment_id}</wp:comment_id>"
        f"<wp:comment_author>{cdata(name)}</wp:comment_author>"
        f"<wp:comment_author_email>{cdata(email)}</wp:comment_author_email>"
        f"<wp:comment_author_url>{url}</wp:comment_author_url>"
        f"<wp:comment_author_IP>{cdata(address)}</wp:comment_author_IP>"
        f"<wp:comment_date>{cdata(date)}</wp:comment_date>"
        f"<wp:comment_date_gmt>{cdata(date_gmt)}</wp:comment_date_gmt>"
        f"<wp:comment_content>{cdata(content)}</wp:comment_content>"
        f"<wp:comment_approved>{cdata(approved)}</wp:comment_approved>"
        f"<wp:comment_type>{cdata(kind)}</wp:comment_type>"
        f"<wp:comment_parent>{parent}</wp:comment_parent>"
        f"<wp:comment_user_id>{user_id}</wp:comment_user_id>"
        "</wp:comment>"
    )


def post(
    post_id: int,
    title: str,
    content: str = "A first paragraph.\n\nA second one.",
    *,
    slug: str = "",
    creator: str = "hannah",
    status: str = "publish",
    date: str = "2019-12-03 10:00:00",
    date_gmt: str = "2019-12-03 10:00:00",
    excerpt: str = "",
    categories: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
    coauthors: tuple[str, ...] = (),
    comments: tuple[str, ...] = (),
    post_type: str = "post",
    link: str = "",
    comment_status: str = "open",
) -> str:
    slug = slug or title.lower().replace(" ", "-")
    terms = "".join(
        f'<category domain="category" nicename="{name.lower()}">{cdata(name)}</category>'
        for name in categories
    )
    terms += "".join(
        f'<category domain="post_tag" nicename="{name.lower()}">{cdata(name)}</category>'
        for name in tags
    )
    terms += "".join(
        f'<category domain="author" nicename="cap-{name}">{cdata(name)}</category>'
        for name in coauthors
    )
    link = link or f"https://old.example/{date[:4]}/{date[5:7]}/{slug}/"
    return (
        f"<item><title>{cdata(title)}</title><link>{link}</link>"
        "<pubDate>Tue, 03 Dec 2019 10:00:00 +0000</pubDate>"
        f"<dc:creator>{cdata(creator)}</dc:creator>"
        f'<guid isPermaLink="false">https://old.example/?p={post_id}</guid>'
        "<description></description>"
        f"<content:encoded>{cdata(content)}</content:encoded>"
        f"<excerpt:encoded>{cdata(excerpt)}</excerpt:encoded>"
        f"<wp:post_id>{post_id}</wp:post_id>"
        f"<wp:post_date>{cdata(date)}</wp:post_date>"
        f"<wp:post_date_gmt>{cdata(date_gmt)}</wp:post_date_gmt>"
        f"<wp:comment_status>{cdata(comment_status)}</wp:comment_status>"
        f"<wp:post_name>{cdata(slug)}</wp:post_name>"
        f"<wp:status>{cdata(status)}</wp:status>"
        "<wp:post_parent>0</wp:post_parent>"
        f"<wp:post_type>{cdata(post_type)}</wp:post_type>"
        f"{terms}{''.join(comments)}</item>"
    )


def page(post_id: int, title: str, content: str, *, slug: str = "", status: str = "publish") -> str:
    return post(post_id, title, content, slug=slug, status=status, post_type="page")


HANNAH = author(2, "hannah", "Hannah Brandt")
OSCAR = author(3, "oscar", "Óscar Ibáñez")


def wxr(
    items: list[str], *, authors: tuple[str, ...] = (HANNAH, OSCAR), version: str = "1.2"
) -> str:
    wp = WP.format(version=version)
    return (
        '<?xml version="1.0" encoding="UTF-8" ?>\n'
        '<rss version="2.0"\n'
        f'  xmlns:excerpt="{wp}excerpt/"\n'
        '  xmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
        '  xmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
        '  xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        f'  xmlns:wp="{wp}">\n'
        "<channel>\n<title>The Old Gazette</title>\n<link>https://old.example</link>\n"
        f"<wp:wxr_version>{version}</wp:wxr_version>\n"
        "<wp:base_site_url>https://old.example</wp:base_site_url>\n"
        + "\n".join(authors)
        + "\n"
        + "\n".join(items)
        + "\n</channel>\n</rss>\n"
    )


# The site to export -----------------------------------------------------------------------

BODY = """## Rent: “fair” or not?

Residents of Brackwater said the rise was *unaffordable* — see [the letter](https://example.org/letter).

- Zofia Kowalczyk: “Nie damy się.”
- Nguyễn Văn An: 40% more since 2019

Code in a CDATA section must survive: `a[b[0]]>c` and ]]> in plain text,
in a paragraph written over
three lines.

```
if (a[b[0]]>c) { return "]]>"; }
```
"""
NOW = timezone.now().replace(microsecond=0)
_minutes = itertools.count(1)


@dataclass
class Site:
    published: Article
    scheduled: Article
    draft: Article
    comments: dict[str, Comment]
    policy: PolicyPage


def _comment(article: Article, key: str, parent: Comment | None = None, **fields: Any) -> Comment:
    values: dict[str, Any] = {
        "name": "Morwenna Tate",
        "body_source": "I was at that meeting and it went on until ten.",
        "status": Comment.Status.PUBLISHED,
        "created_at": NOW - dt.timedelta(hours=5) + dt.timedelta(minutes=next(_minutes) * 7),
    }
    if parent is not None:
        values.update(thread_id=parent.thread_id, depth=parent.depth + 1)
    values.update(fields)
    made = Comment(article=article, parent=parent, **values)
    made.save()
    return made


def build_site() -> Site:
    """Three articles (published with two bylines in a chosen order, scheduled, draft),
    threaded comments in every status, non-ASCII text, "]]>" in a title, body and
    comment, and a published privacy policy."""
    newsdesk = make_user("newsdesk", display_name="Newsdesk")
    zofia = make_user("zofia", display_name="Zofia Kowalczyk")
    rita = make_user("rita", display_name="Rita Campbell")
    ada, siobhan = make_author("Ada Reyes"), make_author("Siobhán Ní Bhriain")
    housing, cafes = make_topic("Housing"), make_topic("Café culture")
    published = make_article(
        "Tenants’ “]]>” victory in Eastfield — ça marche",
        submitted_by=newsdesk,
        authors=[siobhan, ada],  # not alphabetical: the order must survive
        topics=[housing, cafes],
        published_at=NOW - dt.timedelta(days=2),
        body=BODY,
        standfirst="Über 300 households won a rent freeze after a two-year campaign.",
    )
    scheduled = make_article(
        "Bus timetable to change",
        submitted_by=zofia,
        authors=[ada],
        topics=[housing],
        status=Article.Status.SCHEDULED,
        published_at=NOW + dt.timedelta(days=3),
        comments_mode=Article.Comments.CLOSED,
    )
    draft = make_article(
        "Draft: library hours", submitted_by=zofia, status=Article.Status.DRAFT, body="Notes."
    )
    top = _comment(
        published,
        "top",
        email="morwenna@example.org",
        homepage="https://morwenna.example.org/",
        body_source="Well done — *merci* to everyone who came. ]]> is not a problem.",
    )
    held = _comment(
        published, "held", top, name="Ifeoma", status=Comment.Status.HELD, email="if@example.net"
    )
    spam = _comment(published, "spam-reply", held, name="Cheap Loans", status=Comment.Status.SPAM)
    deleted = _comment(published, "deleted", name="Łukasz", status=Comment.Status.DELETED)
    registered = _comment(
        published, "registered", top, name="Rita Campbell", user=rita, email=rita.email
    )
    policy = PolicyPage.objects.create(
        kind=PolicyPage.Kind.PRIVACY,
        version=1,
        title="Privacy policy",
        body_source="We keep **only** what we need.",
        published_at=NOW - dt.timedelta(days=30),
    )
    comments = {
        "top": top,
        "held": held,
        "spam": spam,
        "deleted": deleted,
        "registered": registered,
    }
    return Site(published, scheduled, draft, comments, policy)
