"""Write an invented WXR 1.2 file of about a given size, streaming, for the import benchmark.

Items are written by the exporter's own functions (`broadsheet.importers.export_wxr`), so
the file has exactly the shape `broadsheet export-wxr` writes: Markdown bodies of 300 to
1,500 words from `broadsheet.demo.generated`, rendered to HTML (a pool of bodies rendered
once and reused, as `broadsheet generate` does), one to three bylines, one or two topics,
and Zipf-like comment counts (a few articles with hundreds, most with a handful), about 40%
of them replies, in every status. Needs Django set up (settings, and the models to build
unsaved comments); never touches a database.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone
from django.utils.text import slugify

from broadsheet.demo import generated as text
from broadsheet.discussion.models import Comment
from broadsheet.importers import export_wxr as wxr
from broadsheet.lib.rendering import render_article_markdown, render_comment_markdown

ARTICLE_POOL = 200
COMMENT_POOL = 300
SUBMITTERS = 8
AUTHORS = 120
TOPICS = 24
COMMENT_STATUSES = [
    (Comment.Status.PUBLISHED, 0.9),
    (Comment.Status.HELD, 0.04),
    (Comment.Status.SPAM, 0.04),
    (Comment.Status.DELETED, 0.02),
]


@dataclass
class Written:
    path: Path
    size: int
    articles: int
    comments: int


def comment_count(rng: random.Random) -> int:
    """Mostly a handful, sometimes hundreds: about 10 on average."""
    return min(int(rng.paretovariate(1.3) * 4) - 2, 800) if rng.random() < 0.85 else 0


def write_wxr_file(path: Path, megabytes: float, seed: int = 20241125) -> Written:
    rng = random.Random(seed)
    target = int(megabytes * 1_000_000)
    bodies = [render_article_markdown(text.article_body(rng, text.story(rng)))
              for _ in range(ARTICLE_POOL)]  # fmt: skip
    remarks = [render_comment_markdown(text.comment_body(rng)) for _ in range(COMMENT_POOL)]
    submitters = [f"desk{n}" for n in range(1, SUBMITTERS + 1)]
    authors = [(f"{text.person_name(rng)}", f"author-{n}") for n in range(1, AUTHORS + 1)]
    topics = [(text.topic_name(n), f"topic-{n}") for n in range(TOPICS)]
    statuses, weights = zip(*COMMENT_STATUSES, strict=True)
    start = timezone.now() - dt.timedelta(days=5 * 365)
    articles = comments = 0
    comment_id = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        wxr.write_channel_start(out)
        for n, login in enumerate(submitters, start=1):
            out.write(
                f"\t<wp:author><wp:author_id>{n}</wp:author_id>"
                f"<wp:author_login>{wxr.cdata(login)}</wp:author_login>"
                f"<wp:author_email>{wxr.cdata(login + '@example.org')}</wp:author_email>"
                f"<wp:author_display_name>{wxr.cdata(login.title())}</wp:author_display_name>"
                "</wp:author>\n"
            )
        for n, (name, slug) in enumerate(topics, start=1):
            out.write(
                f"\t<wp:category><wp:term_id>{n}</wp:term_id>"
                f"<wp:category_nicename>{wxr.cdata(slug)}</wp:category_nicename>"
                f"<wp:cat_name>{wxr.cdata(name)}</wp:cat_name></wp:category>\n"
            )
        while out.tell() < target:
            articles += 1
            about = text.story(rng)
            title = f"{text.headline(rng, about)} ({articles})"
            published = start + dt.timedelta(minutes=articles * 17)
            wxr.write_item_head(
                out,
                post_id=articles,
                title=title,
                link=wxr.site_url(f"/articles/{articles}/"),
                pub_date=published,
                creator=rng.choice(submitters),
                content=rng.choice(bodies),
                excerpt=text.standfirst(rng, about),
                post_date=wxr.wp_local(published),
                post_date_gmt=wxr.wp_gmt(published),
                modified=published,
                comment_status="open",
                slug=f"{slugify(title)[:60]}-{articles}",
                status="publish",
                post_type="post",
            )
            for name, slug in rng.sample(topics, rng.randint(1, 2)):
                out.write(f'\t\t<category domain="category" nicename="{slug}">'
                          f"{wxr.cdata(name)}</category>\n")  # fmt: skip
            for name, slug in rng.sample(authors, rng.choice((1, 1, 1, 2, 2, 3))):
                out.write(f'\t\t<category domain="author" nicename="cap-{slug}">'
                          f"{wxr.cdata(name)}</category>\n")  # fmt: skip
            first = comment_id + 1
            for minute in range(comment_count(rng)):
                comment_id += 1
                replying = comment_id > first and rng.random() < 0.4
                wxr.write_comment(
                    out,
                    Comment(
                        pk=comment_id,
                        parent_id=rng.randint(first, comment_id - 1) if replying else None,
                        name=text.commenter_name(rng),
                        email=f"reader{rng.randint(1, 20_000)}@example.net",
                        homepage="https://example.net/" if rng.random() < 0.1 else "",
                        body_html=rng.choice(remarks),
                        status=rng.choices(statuses, weights)[0],
                        created_at=published + dt.timedelta(minutes=minute * 3 + 1),
                    ),
                )
                comments += 1
            out.write("\t</item>\n")
        out.write("</channel>\n</rss>\n")
    return Written(path, path.stat().st_size, articles, comments)
