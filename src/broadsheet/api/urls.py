"""/api/v1/: the operations, the OpenAPI document (openapi.json) and the docs page (docs),
with every error, even one answered outside an operation, in the API's JSON shape."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path, re_path

from . import staff  # noqa: F401  (registers the staff operations on `api`)
from .errors import json_errors, not_found
from .views import api

_patterns, _app_name, _namespace = api.urls
for _pattern in _patterns:
    if isinstance(_pattern, URLPattern):
        _pattern.callback = json_errors(_pattern.callback)

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include((_patterns, _app_name), namespace=_namespace)),
    re_path(r"^.*$", not_found),
]
