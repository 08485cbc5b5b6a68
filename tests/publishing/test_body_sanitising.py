"""Article bodies end to end: what an editor saves is kept as written, and what a reader's
browser receives from the article page carries none of the hostile markup in it."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from broadsheet.publishing.models import Article
from tests.helpers import make_article
from tests.lib.helpers import (
    CLOSING,
    HOSTILE_BODIES,
    OPENING,
    Hostile,
    body_around,
    executable_markup,
)

pytestmark = pytest.mark.django_db

BAD_URL_ATTRIBUTE = re.compile(r"""(href|src)\s*=\s*["']?\s*(javascript|data|vbscript):""", re.I)


def _article_body(page: str) -> str:
    """The rendered body of an article page: the part that came from the editor."""
    return page.split('<div class="article-body">', 1)[1].split("</article>", 1)[0]


def _page_for(client: Client, body: str) -> tuple[Article, str]:
    article = make_article(body=body)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return article, response.content.decode()


@pytest.mark.parametrize("hostile", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES.keys())
def test_article_page_carries_none_of_a_hostile_body(client: Client, hostile: Hostile) -> None:
    _, page = _page_for(client, body_around(hostile.payload))

    body = _article_body(page)
    assert executable_markup(body) == []
    for words in (OPENING, *hostile.survivors):
        assert words in body


def test_the_whole_page_has_only_its_own_script_and_no_event_attributes(client: Client) -> None:
    # The body also reaches the page head through body_text (meta description, og tags).
    hostile_body = "\n\n".join(h.payload for h in HOSTILE_BODIES.values())
    _, plain_page = _page_for(client, OPENING)
    _, hostile_page = _page_for(client, hostile_body)

    # The page's own scripts: the JSON-LD block and same-origin static files, and the
    # hostile body adds none.
    scripts = re.findall(r"<script[^>]*>", hostile_page)
    assert scripts == re.findall(r"<script[^>]*>", plain_page)
    assert '<script type="application/ld+json">' in scripts
    for tag in scripts:
        assert tag == '<script type="application/ld+json">' or re.fullmatch(
            r'<script src="/static/[\w/.-]+\.js" defer>', tag
        ), tag
    assert re.search(r"<[^>]*\son\w+\s*=", hostile_page) is None
    assert BAD_URL_ATTRIBUTE.search(hostile_page) is None


def test_stored_source_is_exactly_what_the_editor_wrote(client: Client) -> None:
    source = body_around(
        "<script>alert(1)</script>\n\n[tide tables](javascript:alert(1))\n\n"
        "<svg onload=alert(1)>\n\n  trailing spaces  \n"
    )

    article, _ = _page_for(client, source)

    assert Article.objects.get(pk=article.pk).body_source == source


def test_body_text_has_the_readable_words_and_no_tags(client: Client) -> None:
    source = (
        f"{OPENING}\n\n<script>alert(1)</script>\n\n"
        '## Moorings\n\nThe <em>harbour</em>master\'s <a href="javascript:alert(1)">notice</a>'
        " went up.[^1]\n\n<img src=x onerror=alert(1)>\n\n"
        f"| Berth | Fee |\n|:--|--:|\n| East | £12 |\n\n{CLOSING}\n\n[^1]: Posted at noon."
    )

    article, _ = _page_for(client, source)

    text = Article.objects.get(pk=article.pk).body_text
    assert text == (
        f"{OPENING} Moorings The harbourmaster's notice went up. Berth Fee East £12 "
        f"{CLOSING} Posted at noon."
    )
    assert "<" not in text and ">" not in text
    assert "alert" not in text


def test_ordinary_markdown_reaches_the_page_intact(client: Client) -> None:
    source = (
        "## Berths\n\n> Fees rise in spring.\n\n- east quay\n- west quay\n\n"
        "![The east quay at low tide](https://example.org/quay.jpg)\n\n"
        "Ask [the harbour office](mailto:office@example.org).[^fees]\n\n"
        "| Quay | Fee |\n|:--|--:|\n| East | £12 |\n\n[^fees]: From the April notice."
    )

    _, page = _page_for(client, source)

    body = _article_body(page)
    assert "<h2>Berths</h2>" in body
    assert "<blockquote>\n<p>Fees rise in spring.</p>\n</blockquote>" in body
    assert "<li>east quay</li>" in body
    assert '<img src="https://example.org/quay.jpg" alt="The east quay at low tide">' in body
    assert '<a href="mailto:office@example.org" rel="noopener">the harbour office</a>' in body
    assert '<a href="#body-fn1" id="body-fnref1" rel="noopener">' in body
    assert '<li id="body-fn1" class="footnote-item">' in body
    assert '<td style="text-align:right">£12</td>' in body
