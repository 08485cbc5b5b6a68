"""The API against its own OpenAPI document: schemathesis generates requests for every
operation from /api/v1/openapi.json and sends them to the real server (`broadsheet serve`
on a free loopback port, a fresh SQLite site seeded by tests/e2e/seed.py). No answer may
be a server error, and every answer's status, content type, headers and body must be one
the document declares for that operation.

The number of examples per operation is bounded and the generation derandomized, so a run
takes well under a minute and CI sees the same requests every time. Outside CI the test
skips, with the reason, when schemathesis is not installed; under CI=true that is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.seeded_server import seeded_server

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

try:
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )
except ImportError:
    if IN_CI:
        raise
    pytest.skip("schemathesis is not installed (pip install -e '.[dev]')", allow_module_level=True)

# The server's settings for this run: the spam checks that would hold or refuse a program's
# posts (too fast, too many from one address) and the API's own rate limit are off, so the
# comment POST is answered on its merits rather than with 429; the API's validation and
# everything else are the production defaults.
SERVER_ENV = {
    "SITE_NAME": "The Estuary Herald",
    "SPAM_MIN_FORM_SECONDS": "0",
    "COMMENT_RATE_LIMIT_ADDRESS": "",
    "COMMENT_RATE_LIMIT_EMAIL": "",
    "API_COMMENT_RATE_LIMIT": "",
}
# Slugs tests/e2e/seed.py creates, by the path their operations start with.
KNOWN_SLUGS = {
    "/api/v1/articles/": "harbour-wall",
    "/api/v1/authors/": "ada-reyes",
    "/api/v1/topics/": "harbour",
}
MAX_EXAMPLES = 25
VALID_COMMENT = {"name": "Marta Quinn", "body": "The harbour wall needs repairs before winter."}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The address of a freshly migrated and seeded site served by `broadsheet serve`."""
    home = tmp_path_factory.mktemp("schemathesis-site")
    with seeded_server(home, SERVER_ENV) as url:
        yield url
    # A server error's traceback is in the log; show it when a check failed.
    print((home / "server.log").read_text()[-5000:])


def _known_slug(path: str) -> str | None:
    """A slug the seeded site has, for the operation at `path`: generated slugs name no
    article, so without one every answer would be a 404."""
    for prefix, slug in KNOWN_SLUGS.items():
        if path.startswith(prefix):
            return slug
    return None


def test_api_conforms_to_its_openapi_document(api_server: str) -> None:
    schema = schemathesis.openapi.from_url(f"{api_server}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 15, [operation.label for operation in operations]
    failures = []
    for operation in operations:
        slug = _known_slug(operation.path) if "{slug}" in operation.path else None
        # Valid requests with any slug and with one that exists, and requests that break
        # the document, which must be refused with a declared 4xx in the API's error shape.
        strategies = {
            "positive": operation.as_strategy(GenerationMode.POSITIVE),
            "negative": operation.as_strategy(GenerationMode.NEGATIVE),
        }
        if slug is not None:
            strategies[f"positive, slug {slug}"] = operation.as_strategy(
                GenerationMode.POSITIVE, path_parameters={"slug": slug}
            )
        if operation.method.upper() == "POST" and operation.path.endswith("/comments"):
            # Generated bodies mostly break the comment form's rules (400), so the answers
            # to a post that is taken (201, then 200 for the same again) are checked too.
            strategies["a valid comment"] = operation.as_strategy(
                GenerationMode.POSITIVE, path_parameters={"slug": slug}, body=VALID_COMMENT
            )
        for name, strategy in strategies.items():

            @given(case=strategy)
            @settings(
                max_examples=MAX_EXAMPLES,
                derandomize=True,
                deadline=None,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def call(case: Any) -> None:
                case.call_and_validate(base_url=api_server, checks=CHECKS)

            try:
                call()
            except Unsatisfiable:
                # Nothing in this operation can be sent invalid (only string parameters
                # and no body), so there are no negative cases.
                assert name == "negative", operation.label
            except Exception as error:  # noqa: BLE001 - every operation is tried, then reported
                failures.append(f"{operation.label} ({name}):\n{error}")
    assert not failures, "\n\n".join(failures)
