"""`broadsheet export-wxr FILE`: the site as WXR 1.2, in the shape WordPress's importer reads.

Element names and layout follow the wordpress-importer plugin's two parsers (SimpleXML and
the line-based regex fallback) and WordPress's own exporter; see export_wxr.py.
`build_site()` (in helpers.py) is the site the export tests and the round trip share.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import pytest
from defusedxml import ElementTree
from django.core.management import call_command

from broadsheet.accounts.models import User
from broadsheet.consent.models import PolicyPage
from broadsheet.importers.export_wxr import NAMESPACES, cdata, wordpress_html
from tests.importers.helpers import build_site

pytestmark = pytest.mark.django_db

NS = NAMESPACES
WP = "{" + NS["wp"] + "}"
DC, CONTENT, EXCERPT = ("{" + NS[p] + "}" for p in ("dc", "content", "excerpt"))


def export(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "site.xml"
    call_command("export-wxr", str(path), verbosity=0)
    return path, path.read_text(encoding="utf-8")


def items(root: Element) -> dict[str, Element]:
    return {item.findtext(f"{WP}post_name", ""): item for item in root.iter("item")}


def test_channel_has_the_wxr_header_authors_and_topics(tmp_path: Path) -> None:
    build_site()
    _, xml = export(tmp_path)
    root = ElementTree.fromstring(xml.encode())
    assert root.tag == "rss" and root.get("version") == "2.0"
    for prefix, uri in NS.items():
        assert f'xmlns:{prefix}="{uri}"' in xml
    channel = root.find("channel")
    assert channel is not None
    assert channel.findtext(f"{WP}wxr_version") == "1.2"
    assert channel.findtext(f"{WP}base_site_url") == channel.findtext("link")
    assert channel.findtext(f"{WP}base_blog_url") == channel.findtext("link")
    assert channel.findtext("language") == "en-GB"
    authors = {
        author.findtext(f"{WP}author_login"): author for author in channel.iter(f"{WP}author")
    }
    assert set(authors) == {"newsdesk", "zofia"}  # submitters only, not Rita the commenter
    assert authors["zofia"].findtext(f"{WP}author_display_name") == "Zofia Kowalczyk"
    assert authors["zofia"].findtext(f"{WP}author_email") == "zofia@example.org"
    assert int(authors["zofia"].findtext(f"{WP}author_id", "0")) > 0
    categories = {c.findtext(f"{WP}cat_name") for c in channel.iter(f"{WP}category")}
    assert categories == {"Housing", "Café culture"}
    terms = {t.findtext(f"{WP}term_name"): t for t in channel.iter(f"{WP}term")}
    assert terms["Siobhán Ní Bhriain"].findtext(f"{WP}term_taxonomy") == "author"
    assert terms["Siobhán Ní Bhriain"].findtext(f"{WP}term_slug", "").startswith("cap-")


def test_article_item_has_what_wordpress_reads(tmp_path: Path) -> None:
    site = build_site()
    _, xml = export(tmp_path)
    item = items(ElementTree.fromstring(xml.encode()))[site.published.slug]
    article = site.published
    assert item.findtext("title") == article.title  # "]]>" survives the CDATA split
    assert item.findtext(f"{DC}creator") == "newsdesk"
    assert item.find("guid") is not None and item.find("guid").get("isPermaLink") == "false"
    assert item.findtext("link", "").endswith(article.get_absolute_url())
    assert item.findtext(f"{CONTENT}encoded") == wordpress_html(article.body_html)
    assert "<h2" in article.body_html and "]]&gt;" in article.body_html
    assert item.findtext(f"{EXCERPT}encoded") == article.standfirst
    assert item.findtext(f"{WP}post_id") == str(article.pk)
    assert article.published_at is not None
    gmt = article.published_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    assert item.findtext(f"{WP}post_date_gmt") == gmt
    assert item.findtext(f"{WP}post_date") == gmt  # the site's zone is UTC in tests
    assert item.findtext(f"{WP}status") == "publish"
    assert item.findtext(f"{WP}post_type") == "post"
    assert item.findtext(f"{WP}comment_status") == "open"
    terms = [(c.get("domain"), c.get("nicename"), c.text) for c in item.iter("category")]
    topics = [(domain, name) for domain, _, name in terms if domain == "category"]
    assert topics == [("category", "Café culture"), ("category", "Housing")]
    bylines = [(slug, name) for domain, slug, name in terms if domain == "author"]
    assert [name for _, name in bylines] == ["Siobhán Ní Bhriain", "Ada Reyes"]
    assert all(slug and slug.startswith("cap-") for slug, _ in bylines)


def test_scheduled_is_future_and_a_draft_has_no_gmt_date(tmp_path: Path) -> None:
    site = build_site()
    _, xml = export(tmp_path)
    by_slug = items(ElementTree.fromstring(xml.encode()))
    scheduled, draft = by_slug[site.scheduled.slug], by_slug[site.draft.slug]
    assert scheduled.findtext(f"{WP}status") == "future"
    assert scheduled.findtext(f"{WP}comment_status") == "closed"
    assert draft.findtext(f"{WP}status") == "draft"
    assert draft.findtext(f"{WP}post_date_gmt") == "0000-00-00 00:00:00"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", draft.findtext(f"{WP}post_date", ""))


def test_comments_keep_threading_status_and_commenter(tmp_path: Path) -> None:
    site = build_site()
    _, xml = export(tmp_path)
    item = items(ElementTree.fromstring(xml.encode()))[site.published.slug]
    exported = {int(c.findtext(f"{WP}comment_id", "0")): c for c in item.iter(f"{WP}comment")}
    ids = list(exported)
    assert ids == sorted(ids)  # parents first: WordPress maps a parent only once inserted
    expected = {"top": "1", "held": "0", "spam": "spam", "deleted": "trash", "registered": "1"}
    for key, approved in expected.items():
        original = site.comments[key]
        row = exported[original.pk]
        assert row.findtext(f"{WP}comment_approved") == approved
        assert row.findtext(f"{WP}comment_parent") == str(original.parent_id or 0)
        assert row.findtext(f"{WP}comment_author") == original.name
        assert row.findtext(f"{WP}comment_content") == wordpress_html(original.body_html)
        assert row.findtext(f"{WP}comment_author_IP") == ""
    top = exported[site.comments["top"].pk]
    assert top.findtext(f"{WP}comment_author_email") == "morwenna@example.org"
    assert top.findtext(f"{WP}comment_author_url") == "https://morwenna.example.org/"
    assert top.findtext(f"{WP}comment_date_gmt") == site.comments["top"].created_at.astimezone(
        dt.UTC
    ).strftime("%Y-%m-%d %H:%M:%S")
    registered = exported[site.comments["registered"].pk]
    assert registered.findtext(f"{WP}comment_user_id") == str(site.comments["registered"].user_id)
    assert top.findtext(f"{WP}comment_user_id") == "0"


def test_policy_pages_are_pages_with_wordpress_slugs(tmp_path: Path) -> None:
    site = build_site()
    PolicyPage.objects.create(
        kind=PolicyPage.Kind.PRIVACY, version=2, title="Privacy (draft)", body_source="Soon."
    )
    PolicyPage.objects.create(kind=PolicyPage.Kind.TERMS, version=1, title="Terms", body_source="")
    _, xml = export(tmp_path)
    by_slug = items(ElementTree.fromstring(xml.encode()))
    privacy, terms = by_slug["privacy-policy"], by_slug["terms"]
    assert privacy.findtext(f"{WP}post_type") == "page"
    assert privacy.findtext("title") == "Privacy policy"  # the current version, not the draft
    assert privacy.findtext(f"{WP}status") == "publish"
    assert privacy.findtext(f"{CONTENT}encoded") == wordpress_html(site.policy.body_html)
    assert terms.findtext(f"{WP}status") == "draft"
    post_ids = [item.findtext(f"{WP}post_id") for item in by_slug.values()]
    assert len(post_ids) == len(set(post_ids))  # pages never take an article's id


def test_layout_suits_the_regex_parser(tmp_path: Path) -> None:
    """WordPress falls back to a line-by-line parser without an XML extension: an author is
    read only from one line, an item starts at a line holding `<item>`, and a term must be
    `<category domain=".." nicename="..">`."""
    build_site()
    _, xml = export(tmp_path)
    lines = xml.splitlines()
    assert all("</wp:author>" in line for line in lines if "<wp:author>" in line)
    assert all(line.strip() in {"<item>", "</item>"} for line in lines if "item>" in line)
    assert re.search(r'<category domain="author" nicename="cap-[^"]+"><!\[CDATA\[', xml)
    assert xml.index("<wp:post_date>") < xml.index("<wp:post_date_gmt>")
    assert xml.index("<wp:comment_author>") < xml.index("<wp:comment_author_email>")


def test_cdata_splits_its_end_marker_and_drops_what_xml_cannot_carry() -> None:
    assert cdata("a]]>b") == "<![CDATA[a]]]]><![CDATA[>b]]>"
    wrapped = "<t>" + cdata("x]]>]]>y\x00\x0bz ☃") + "</t>"
    assert ElementTree.fromstring(wrapped.encode()).text == "x]]>]]>yz ☃"


def test_command_reports_counts_and_leaves_no_partial_file(tmp_path: Path, capsys: Any) -> None:
    build_site()
    path = tmp_path / "out.xml"
    call_command("export-wxr", str(path))
    out = capsys.readouterr().out
    assert "3 articles, 5 comments, 1 policy pages" in out
    assert path.exists() and not (tmp_path / "out.xml.partial").exists()


def test_empty_site_is_still_a_valid_wxr_file(tmp_path: Path) -> None:
    _, xml = export(tmp_path)
    root = ElementTree.fromstring(xml.encode())
    assert root.find("channel/item") is None
    assert User.objects.count() == 0


def test_line_breaks_wpautop_would_turn_into_br_go_out_as_spaces() -> None:
    html = "<h2>T</h2>\n<p>one\n<em>two</em>\nthree<br>\nfour</p>\n<pre><code>a\nb\n</code></pre>\n"
    assert wordpress_html(html) == (
        "<h2>T</h2>\n<p>one <em>two</em> three<br>\nfour</p>\n<pre><code>a\nb\n</code></pre>\n"
    )
