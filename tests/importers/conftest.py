"""Small WordPress exports written for these tests, and a helper to import them.

`wxr(items, authors=...)` gives the text of a WXR file; `post(...)`, `page(...)` and
`comment(...)` the items and comments in it. Text goes in CDATA sections, as WordPress
writes it, split where it contains "]]>" (as WordPress's wxr_cdata() does).
"""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

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


@pytest.fixture
def import_wxr(tmp_path: Path) -> Callable[..., str]:
    """Write `text` to a file and run `broadsheet import-wxr` on it; returns the output."""

    def run(text: str, *options: str, name: str = "export.xml") -> str:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        out = StringIO()
        call_command("import-wxr", str(path), *options, stdout=out)
        return out.getvalue()

    return run
