"""Template helpers for article pages: bylines and the site's date formats."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django import template
from django.conf import settings
from django.template.defaultfilters import date as format_date
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def article_date(value: datetime | None) -> str:
    """`4 December, 2019 - 4:46` with the default ARTICLE_DATE_FORMAT."""
    return format_date(value, settings.ARTICLE_DATE_FORMAT) if value else ""


@register.filter
def byline(authors: list[Any]) -> SafeString:
    """Authors as links joined naturally: `A`, `A and B`, `A, B and C`."""
    links = [
        format_html('<a href="{}" rel="author">{}</a>', author.get_absolute_url(), author.name)
        for author in authors
    ]
    if len(links) <= 1:
        return format_html_join("", "{}", ((link,) for link in links))
    head = format_html_join(", ", "{}", ((link,) for link in links[:-1]))
    return format_html("{} and {}", head, links[-1])


_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def article_jsonld(context: template.Context, article: Any, authors: list[Any]) -> SafeString:
    """schema.org Article JSON-LD; escaped so no stored text can close the script element."""
    request = context["request"]
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": article.title,
        "description": article.standfirst,
        "datePublished": article.published_at.isoformat() if article.published_at else None,
        "dateModified": article.updated_at.isoformat(),
        "url": request.build_absolute_uri(article.get_absolute_url()),
        "mainEntityOfPage": request.build_absolute_uri(article.get_absolute_url()),
        "author": [
            {
                "@type": "Person",
                "name": author.name,
                "url": request.build_absolute_uri(author.get_absolute_url()),
            }
            for author in authors
        ],
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
    }
    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))
