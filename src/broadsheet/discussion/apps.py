from __future__ import annotations

from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    name = "broadsheet.discussion"
    verbose_name = "Discussion"

    def ready(self) -> None:
        from django.core import checks

        from broadsheet.pagecache import personal_when_present

        from . import invalidation
        from .access import OWN_HELD_SESSION_KEY
        from .forms import DETAILS_COOKIE
        from .screening import check_screener

        invalidation.connect()
        checks.register(check_screener)
        # The article page shows a reader's own held comments and remembered details.
        personal_when_present(cookie=DETAILS_COOKIE, session_key=OWN_HELD_SESSION_KEY)
