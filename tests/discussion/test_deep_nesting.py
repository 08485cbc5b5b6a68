"""A comment that quotes a long thread, or nests lists past the Markdown parser's limit,
shows every word in the preview, on the article page and in the comments feed (the rest
of the deepest level renders flat; tests/lib/test_deep_nesting.py has the details).
"""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from django.test import Client

from broadsheet.discussion.models import Comment
from broadsheet.lib.rendering import html_to_text
from broadsheet.publishing.models import Article
from tests.helpers import as_nadia, body_of, make_article, post_comment
from tests.helpers import page_of as tree_of

pytestmark = pytest.mark.django_db

# Twenty-five levels of quotation (the parser stops at twenty) and twelve of list (it stops
# at ten), each with a word found nowhere else on the page.
BODY = "\n".join(
    [
        "Quoting the whole thread, as my mail program does:",
        "",
        "> " * 25 + "Wavecrest said the *last* bus left at 23:40.",
        "> " * 25 + "Still true on Sundays.",
        "",
        "- " * 12 + "Kestrelford was the deepest stop.",
    ]
)
BOTTOM_WORDS = ("Wavecrest", "Sundays", "Kestrelford")


@pytest.fixture
def article() -> Article:
    return make_article("Night buses cut from the timetable")


def test_the_preview_shows_the_words_at_the_bottom(nadia: Client, article: Article) -> None:
    response = post_comment(nadia, article, preview="1", **as_nadia(BODY))

    assert response.status_code == 200
    preview = tree_of(response).find("div", "comment-preview")
    assert preview is not None
    for word in BOTTOM_WORDS:
        assert word in preview.text
    assert Comment.objects.count() == 0


@pytest.fixture
def published(rita: Client, article: Article) -> Comment:
    """Rita's comment (a confirmed account: published at once), saved through the form."""
    post_comment(rita, article, body=BODY)
    [comment] = Comment.objects.all()
    assert comment.status == Comment.Status.PUBLISHED
    return comment


def test_the_article_page_shows_the_words_at_the_bottom(
    tomasz: Client, article: Article, published: Comment
) -> None:
    shown = body_of(tomasz.get(article.get_absolute_url()), published).text
    for word in BOTTOM_WORDS:
        assert word in shown


def test_the_comments_feed_shows_the_words_at_the_bottom(
    tomasz: Client, article: Article, published: Comment
) -> None:
    response = tomasz.get(f"/articles/{article.slug}/comments/feed/")

    assert response.status_code == 200
    [item] = ElementTree.fromstring(response.content).iter("item")
    shown = html_to_text(item.findtext("description") or "")
    for word in BOTTOM_WORDS:
        assert word in shown
