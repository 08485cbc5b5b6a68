"""WSGI entry point for `broadsheet serve` and any other WSGI server."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "broadsheet.settings")
django_application = get_wsgi_application()

from broadsheet.pagecache.replay import wrap  # noqa: E402  (needs the settings loaded)

application = wrap(django_application)
