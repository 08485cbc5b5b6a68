"""Values every template may use: the site's name and its date formats."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_DESCRIPTION": settings.SITE_DESCRIPTION,
        "ARTICLE_DATE_FORMAT": settings.ARTICLE_DATE_FORMAT,
    }
