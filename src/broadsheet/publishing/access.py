"""Who may see which article: the one place that decides it.

Readers see live articles (published, or scheduled with their time come). Editors, that is
anyone allowed to change articles, also see drafts and future articles, as previews.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from broadsheet.accounts.models import User

from .models import Article, ArticleQuerySet


def can_preview(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.has_perm("publishing.change_article"))


def visible_articles(user: User | AnonymousUser) -> ArticleQuerySet:
    if can_preview(user):
        return Article.objects.all()
    return Article.objects.live()


def get_visible_article_or_404(user: User | AnonymousUser, slug: str) -> Article:
    try:
        return visible_articles(user).with_relations().get(slug=slug)
    except Article.DoesNotExist:
        raise Http404("No article at this address.") from None
