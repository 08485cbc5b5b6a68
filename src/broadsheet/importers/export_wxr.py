"""The whole site as WordPress eXtended RSS (WXR) 1.2, the file WordPress's own importer
(Tools → Import → WordPress) reads, and `broadsheet import-wxr` reads back.

Written as the WordPress exporter writes it (wp-admin/includes/export.php), element for
element, and checked against both parsers of the wordpress-importer plugin: the SimpleXML
one and the line-by-line regular-expression fallback, which needs each `<wp:author>` on
one line and `<item>` and `</item>` on lines of their own, reads `<category domain=…
nicename=…>` with its attributes in that order, and finds `wp:post_date` before
`wp:post_date_gmt` (and `wp:comment_author` before `…_email`) by the first match.

What goes where:
- Submitting accounts are `wp:author` entries; an item's `dc:creator` is the login.
- Topics are categories (`wp:category`, and `<category domain="category">` on items).
- Byline authors are Co-Authors Plus terms: `wp:term` entries of the `author` taxonomy
  and `<category domain="author" nicename="cap-<slug>">`, in byline order. A WordPress
  without Co-Authors Plus reports them as failed terms and imports the rest.
- Bodies are the stored, sanitised HTML (for Markdown articles, the rendered HTML).
- Comments in every status: approved "1", held "0", "spam", deleted "trash". The client
  address is empty: Broadsheet keeps only a keyed hash of it, which means nothing to
  another site.
- Policy pages (the current version of each kind, else the newest draft) are pages with
  WordPress's slugs: privacy-policy, terms, cookie-policy.

Streaming: articles are read `ARTICLE_CHUNK` at a time with their bylines and topics, and
each article's comments `COMMENT_CHUNK` at a time, so memory does not grow with the site.
It is not a snapshot: a comment posted during a long export may or may not be in it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TextIO
from xml.sax.saxutils import escape

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.consent.models import PolicyPage
from broadsheet.discussion.models import Comment
from broadsheet.lib.xmltext import xml_safe
from broadsheet.publishing.models import Article, Author, Topic

WXR_VERSION = "1.2"
NAMESPACES = {
    "excerpt": f"http://wordpress.org/export/{WXR_VERSION}/excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wp": f"http://wordpress.org/export/{WXR_VERSION}/",
}
ARTICLE_CHUNK = 100
COMMENT_CHUNK = 500

POST_STATUS = {
    Article.Status.PUBLISHED: "publish",
    Article.Status.SCHEDULED: "future",
    Article.Status.DRAFT: "draft",
}
# WordPress has no "shown but closed" and "hidden" apart: both are closed there.
COMMENT_STATUS = {
    Article.Comments.OPEN: "open",
    Article.Comments.CLOSED: "closed",
    Article.Comments.HIDDEN: "closed",
}
COMMENT_APPROVED = {
    Comment.Status.PUBLISHED: "1",
    Comment.Status.HELD: "0",
    Comment.Status.SPAM: "spam",
    Comment.Status.DELETED: "trash",
}
POLICY_SLUGS = {
    PolicyPage.Kind.PRIVACY: "privacy-policy",
    PolicyPage.Kind.TERMS: "terms",
    PolicyPage.Kind.COOKIES: "cookie-policy",
}
CAP_PREFIX = "cap-"  # Co-Authors Plus names its author terms "cap-<user_nicename>"
NO_DATE = "0000-00-00 00:00:00"  # WordPress's post_date_gmt of a draft never published


@dataclass
class ExportSummary:
    articles: int = 0
    comments: int = 0
    pages: int = 0
    accounts: int = 0
    authors: int = 0
    topics: int = 0

    def __str__(self) -> str:
        return (
            f"{self.articles} articles, {self.comments} comments, {self.pages} policy pages, "
            f"{self.authors} byline authors, {self.topics} topics, "
            f"{self.accounts} submitting accounts"
        )


def cdata(value: str) -> str:
    """`value` as CDATA; a `]]>` inside ends one section and starts the next.

    Characters XML 1.0 cannot carry at all, even in CDATA (control characters, lone
    surrogates, U+FFFE/U+FFFF), are dropped, as WordPress's exporter does; so they are
    in `text()` and `attribute()`."""
    return "<![CDATA[" + xml_safe(value).replace("]]>", "]]]]><![CDATA[>") + "]]>"


# Outside <pre>, a line break in HTML is only a space, but WordPress runs its HTML through
# wpautop, which makes each line break inside a paragraph a <br />; so bodies go out with
# those breaks as spaces, keeping the ones beside block tags (which wpautop expects).
# A <pre> element runs from "<pre" (as a whole word) to the first "</pre>" after it, as
# `re.split(r"(<pre\b.*?</pre>)", html, flags=re.DOTALL | re.IGNORECASE)` would find it;
# `_pre_split()` finds the two ends with patterns of bounded width instead, so the search
# stays linear (broadsheet/lib/linear.py).
_PRE_START = re.compile(r"<pre\b", re.IGNORECASE)
_PRE_END = re.compile(r"</pre>", re.IGNORECASE)
_BLOCK_TAG = re.compile(
    r"</?(?:address|article|aside|blockquote|br|dd|div|dl|dt|figcaption|figure|footer|"
    r"h[1-6]|header|hr|li|ol|p|pre|section|table|tbody|td|tfoot|th|thead|tr|ul)\b",
    re.IGNORECASE,
)
_WINDOW = 2000  # far enough back to find the start of the tag before a line break


def wordpress_html(html: str) -> str:
    """`html` with the line breaks wpautop would turn into <br /> made spaces."""
    parts = _pre_split(html)
    return "".join(part if index % 2 else _unwrap(part) for index, part in enumerate(parts))


def _pre_split(html: str) -> list[str]:
    """`html` cut around its <pre> elements: text, element, text, … (odd indexes the
    elements), as `re.split` with a capturing group gives."""
    parts = []
    position = 0
    while (start := _PRE_START.search(html, position)) is not None:
        end = _PRE_END.search(html, start.end())
        if end is None:
            # No "</pre>" after this "<pre", so none after any later one either.
            break
        parts += [html[position : start.start()], html[start.start() : end.end()]]
        position = end.end()
    parts.append(html[position:])
    return parts


def _unwrap(html: str) -> str:
    def space_or_break(match: re.Match[str]) -> str:
        before = html[max(0, match.start() - _WINDOW) : match.start()].rstrip(" \t")
        after = html[match.end() : match.end() + _WINDOW].lstrip(" \t")
        if not before or not after or _BLOCK_TAG.match(after):
            return "\n"
        if before.endswith(">") and _BLOCK_TAG.match(before[before.rfind("<") :]):
            return "\n"
        return " "

    return re.sub("\n", space_or_break, html)


def text(value: object) -> str:
    return escape(xml_safe(str(value)))


def attribute(value: str) -> str:
    return escape(xml_safe(value), {'"': "&quot;"})


def wp_local(moment: dt.datetime | None) -> str:
    """A WordPress `post_date`: the site's local time, to the second."""
    if moment is None:
        return NO_DATE
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def wp_gmt(moment: dt.datetime | None) -> str:
    if moment is None:
        return NO_DATE
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def rfc822(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")


def site_url(path: str = "") -> str:
    return f"{settings.SITE_URL}{path}"


def language_tag() -> str:
    """The language as WordPress writes it: "en-gb" becomes "en-GB"."""
    language, _, region = settings.LANGUAGE_CODE.partition("-")
    return f"{language}-{region.upper()}" if region else language


def articles_for_export() -> Iterator[Article]:
    """Every article, oldest first, with submitter, bylines and topics, a chunk at a time."""
    return Article.objects.with_relations().order_by("pk").iterator(chunk_size=ARTICLE_CHUNK)


def comments_for_export(article: Article) -> Iterator[Comment]:
    """An article's comments in every status, parents before replies (ids only grow), a
    chunk at a time."""
    return (
        Comment.objects.filter(article=article)
        .select_related("user")
        .order_by("pk")
        .iterator(chunk_size=COMMENT_CHUNK)
    )


def policy_pages_for_export() -> list[PolicyPage]:
    """For each kind, the version readers see now, or else the newest draft."""
    chosen: dict[str, PolicyPage] = {}
    for page in PolicyPage.objects.order_by("kind", "-version"):
        current = chosen.get(page.kind)
        if current is None or (page.is_published and not current.is_published):
            chosen[page.kind] = page
    return [chosen[kind] for kind in POLICY_SLUGS if kind in chosen]


def write_wxr(out: TextIO, progress: Callable[[], None] | None = None) -> ExportSummary:
    """Write the whole site to `out` as WXR 1.2; `progress` is called after each article."""
    summary = ExportSummary()
    write_channel_start(out)
    _write_site_terms(out, summary)
    for article in articles_for_export():
        summary.comments += _write_article(out, article)
        summary.articles += 1
        if progress is not None:
            progress()
    # Pages take post ids after every article's, so no two items share one (WordPress
    # skips an item whose id it has already imported).
    next_id = (Article.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
    for offset, page in enumerate(policy_pages_for_export()):
        _write_policy_page(out, page, next_id + offset)
        summary.pages += 1
    out.write("</channel>\n</rss>\n")
    return summary


def write_channel_start(out: TextIO) -> None:
    """The XML declaration, `<rss>` with its namespaces, and the channel's own fields."""
    namespaces = "\n".join(f'\txmlns:{prefix}="{uri}"' for prefix, uri in NAMESPACES.items())
    out.write(
        '<?xml version="1.0" encoding="UTF-8" ?>\n'
        "<!-- A WordPress eXtended RSS file written by Broadsheet's export-wxr: articles,\n"
        "     comments, topics, byline authors (as Co-Authors Plus terms) and policy pages.\n"
        "     Import it with WordPress's Tools > Import > WordPress,\n"
        "     or with broadsheet import-wxr. -->\n"
        f'<rss version="2.0"\n{namespaces}\n>\n\n<channel>\n'
        f"\t<title>{text(settings.SITE_NAME)}</title>\n"
        f"\t<link>{text(site_url())}</link>\n"
        f"\t<description>{text(settings.SITE_DESCRIPTION)}</description>\n"
        f"\t<pubDate>{rfc822(timezone.now())}</pubDate>\n"
        f"\t<language>{text(language_tag())}</language>\n"
        f"\t<wp:wxr_version>{WXR_VERSION}</wp:wxr_version>\n"
        f"\t<wp:base_site_url>{text(site_url())}</wp:base_site_url>\n"
        f"\t<wp:base_blog_url>{text(site_url())}</wp:base_blog_url>\n\n"
    )


def _write_site_terms(out: TextIO, summary: ExportSummary) -> None:
    """Submitting accounts, topics (categories) and byline authors (Co-Authors Plus)."""
    submitters = User.objects.filter(submitted_articles__isnull=False).distinct().order_by("pk")
    for user in submitters.iterator(chunk_size=ARTICLE_CHUNK):
        # One line each: the regex parser reads an author only from a single line.
        out.write(
            "\t<wp:author>"
            f"<wp:author_id>{user.pk}</wp:author_id>"
            f"<wp:author_login>{cdata(user.username)}</wp:author_login>"
            f"<wp:author_email>{cdata(user.email)}</wp:author_email>"
            f"<wp:author_display_name>{cdata(user.public_name)}</wp:author_display_name>"
            f"<wp:author_first_name>{cdata(user.first_name)}</wp:author_first_name>"
            f"<wp:author_last_name>{cdata(user.last_name)}</wp:author_last_name>"
            "</wp:author>\n"
        )
        summary.accounts += 1
    out.write("\n")
    for topic in Topic.objects.order_by("pk").iterator(chunk_size=ARTICLE_CHUNK):
        description = topic.description
        out.write(
            "\t<wp:category>"
            f"<wp:term_id>{topic.pk}</wp:term_id>"
            f"<wp:category_nicename>{cdata(topic.slug)}</wp:category_nicename>"
            "<wp:category_parent><![CDATA[]]></wp:category_parent>"
            f"<wp:cat_name>{cdata(topic.name)}</wp:cat_name>"
            + (f"<wp:category_description>{cdata(description)}</wp:category_description>"
               if description else "")
            + "</wp:category>\n"
        )  # fmt: skip
        summary.topics += 1
    for author in Author.objects.order_by("pk").iterator(chunk_size=ARTICLE_CHUNK):
        out.write(
            "\t<wp:term>"
            f"<wp:term_id>{author.pk}</wp:term_id>"
            "<wp:term_taxonomy><![CDATA[author]]></wp:term_taxonomy>"
            f"<wp:term_slug>{cdata(CAP_PREFIX + author.slug)}</wp:term_slug>"
            "<wp:term_parent><![CDATA[]]></wp:term_parent>"
            f"<wp:term_name>{cdata(author.name)}</wp:term_name>"
            "</wp:term>\n"
        )
        summary.authors += 1
    out.write("\n")


def _write_article(out: TextIO, article: Article) -> int:
    """One article as an item, with its comments; returns how many comments it wrote."""
    first_seen = article.published_at or article.created_at
    terms = [
        ("category", topic.slug, topic.name)
        for topic in sorted(article.topics.all(), key=lambda topic: topic.name)
    ] + [("author", CAP_PREFIX + author.slug, author.name) for author in article.byline_authors()]
    write_item_head(
        out,
        post_id=article.pk,
        title=article.title,
        link=site_url(article.get_absolute_url()),
        pub_date=first_seen,
        creator=article.submitted_by.username,
        content=wordpress_html(article.body_html),
        excerpt=article.standfirst,
        post_date=wp_local(first_seen),
        post_date_gmt=wp_gmt(article.published_at),
        modified=article.updated_at,
        comment_status=COMMENT_STATUS[Article.Comments(article.comments_mode)],
        slug=article.slug,
        status=POST_STATUS[Article.Status(article.status)],
        post_type="post",
    )
    for domain, nicename, name in terms:
        out.write(
            f'\t\t<category domain="{domain}" nicename="{attribute(nicename)}">'
            f"{cdata(name)}</category>\n"
        )
    written = 0
    for comment in comments_for_export(article):
        write_comment(out, comment)
        written += 1
    out.write("\t</item>\n")
    return written


def _write_policy_page(out: TextIO, page: PolicyPage, post_id: int) -> None:
    first_seen = page.published_at or page.created_at
    write_item_head(
        out,
        post_id=post_id,
        title=page.title,
        link=site_url(page.current_url()),
        pub_date=first_seen,
        creator="",  # a page has no submitter: WordPress gives it the importing user
        content=wordpress_html(page.body_html),
        excerpt="",
        post_date=wp_local(first_seen),
        post_date_gmt=wp_gmt(page.published_at),
        modified=page.created_at,
        comment_status="closed",
        slug=POLICY_SLUGS[PolicyPage.Kind(page.kind)],
        status="publish" if page.is_published else "draft",
        post_type="page",
    )
    out.write("\t</item>\n")


def write_item_head(
    out: TextIO,
    *,
    post_id: int,
    title: str,
    link: str,
    pub_date: dt.datetime,
    creator: str,
    content: str,
    excerpt: str,
    post_date: str,
    post_date_gmt: str,
    modified: dt.datetime,
    comment_status: str,
    slug: str,
    status: str,
    post_type: str,
) -> None:
    """An item's opening and its fields, up to its categories and comments; the caller
    writes those and `</item>`. `<item>` is alone on its line: the regex parser starts an
    item only there."""
    out.write(
        "\t<item>\n"
        f"\t\t<title>{cdata(title)}</title>\n"
        f"\t\t<link>{text(link)}</link>\n"
        f"\t\t<pubDate>{rfc822(pub_date)}</pubDate>\n"
        f"\t\t<dc:creator>{cdata(creator)}</dc:creator>\n"
        f'\t\t<guid isPermaLink="false">{text(site_url(f"/?p={post_id}"))}</guid>\n'
        "\t\t<description></description>\n"
        f"\t\t<content:encoded>{cdata(content)}</content:encoded>\n"
        f"\t\t<excerpt:encoded>{cdata(excerpt)}</excerpt:encoded>\n"
        f"\t\t<wp:post_id>{post_id}</wp:post_id>\n"
        f"\t\t<wp:post_date>{cdata(post_date)}</wp:post_date>\n"
        f"\t\t<wp:post_date_gmt>{cdata(post_date_gmt)}</wp:post_date_gmt>\n"
        f"\t\t<wp:post_modified>{cdata(wp_local(modified))}</wp:post_modified>\n"
        f"\t\t<wp:post_modified_gmt>{cdata(wp_gmt(modified))}</wp:post_modified_gmt>\n"
        f"\t\t<wp:comment_status>{cdata(comment_status)}</wp:comment_status>\n"
        "\t\t<wp:ping_status><![CDATA[closed]]></wp:ping_status>\n"
        f"\t\t<wp:post_name>{cdata(slug)}</wp:post_name>\n"
        f"\t\t<wp:status>{cdata(status)}</wp:status>\n"
        "\t\t<wp:post_parent>0</wp:post_parent>\n"
        "\t\t<wp:menu_order>0</wp:menu_order>\n"
        f"\t\t<wp:post_type>{cdata(post_type)}</wp:post_type>\n"
        "\t\t<wp:post_password><![CDATA[]]></wp:post_password>\n"
        "\t\t<wp:is_sticky>0</wp:is_sticky>\n"
    )


def write_comment(out: TextIO, comment: Comment) -> None:
    """One `wp:comment`; `comment` need not be saved (bench/imports writes unsaved ones)."""
    out.write(
        "\t\t<wp:comment>\n"
        f"\t\t\t<wp:comment_id>{comment.pk}</wp:comment_id>\n"
        f"\t\t\t<wp:comment_author>{cdata(comment.name)}</wp:comment_author>\n"
        f"\t\t\t<wp:comment_author_email>{cdata(comment.email)}</wp:comment_author_email>\n"
        f"\t\t\t<wp:comment_author_url>{text(comment.homepage)}</wp:comment_author_url>\n"
        # Only a keyed hash of the address is kept, and it means nothing elsewhere.
        "\t\t\t<wp:comment_author_IP><![CDATA[]]></wp:comment_author_IP>\n"
        f"\t\t\t<wp:comment_date>{cdata(wp_local(comment.created_at))}</wp:comment_date>\n"
        f"\t\t\t<wp:comment_date_gmt>{cdata(wp_gmt(comment.created_at))}</wp:comment_date_gmt>\n"
        f"\t\t\t<wp:comment_content>{cdata(wordpress_html(comment.body_html))}</wp:comment_content>\n"
        "\t\t\t<wp:comment_approved>"
        f"{cdata(COMMENT_APPROVED[Comment.Status(comment.status)])}</wp:comment_approved>\n"
        "\t\t\t<wp:comment_type><![CDATA[comment]]></wp:comment_type>\n"
        f"\t\t\t<wp:comment_parent>{comment.parent_id or 0}</wp:comment_parent>\n"
        f"\t\t\t<wp:comment_user_id>{comment.user_id or 0}</wp:comment_user_id>\n"
        "\t\t</wp:comment>\n"
    )
