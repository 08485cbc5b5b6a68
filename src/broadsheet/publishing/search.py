"""Full-text search over live articles (placeholder until the backends land)."""

from __future__ import annotations

from dataclasses import dataclass

from .models import Article


@dataclass(frozen=True)
class SearchResult:
    article: Article
    snippet: str  # safe HTML: escaped text with <mark> around matched terms
    rank: float


def search_articles(query: str, limit: int = 100) -> list[SearchResult]:
    raise NotImplementedError
