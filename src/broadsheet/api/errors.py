"""Every error the API answers with, in one shape:

    {"error": {"code": "not_found", "message": "…", "field": null}}

`code` is stable (clients branch on it), `message` is for people, `field` names the
request field at fault (a body field, a query parameter) or is null. Ninja's own errors
(validation, 404) are turned into this shape by the handlers registered in `install()`;
`json_errors()` does the same for answers made outside an operation (405 from ninja's
router, 413 from Django).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

# Statuses whose generic code is used when nothing more precise was said.
GENERIC_CODES = {
    400: "invalid",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


class ApiError(Exception):
    """An error answer: raised anywhere below an operation, answered by its handler."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or GENERIC_CODES.get(status, "error")
        self.message = message
        self.field = field
        self.headers = headers or {}


def error_response(
    status: int,
    message: str,
    *,
    code: str | None = None,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    body = {"error": {"code": code or GENERIC_CODES.get(status, "error"), "message": message,
                      "field": field}}  # fmt: skip
    response = JsonResponse(body, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    # An error is about this request, never a page to keep.
    response["Cache-Control"] = "no-store"
    return response


def _field_of(location: list[Any] | tuple[Any, ...]) -> str | None:
    """The client's name for a field from ninja's location: where it was found ("body",
    "query", "path"), for the body the parameter's name ("payload"), then the field."""
    rest = [str(part) for part in location[1:]]
    if location and location[0] == "body" and rest[:1] == ["payload"]:
        rest = rest[1:]
    return ".".join(rest) or None


def install(api: NinjaAPI) -> None:
    """Answer every error an operation raises in the API's shape."""

    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error_response(
            exc.status, exc.message, code=exc.code, field=exc.field, headers=exc.headers
        )

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        first = exc.errors[0] if exc.errors else {}
        location = first.get("loc", ())
        kind = first.get("type", "")
        field = _field_of(location)
        if field is None or kind == "json_invalid":
            return error_response(400, "The request body is not a JSON object.", code="bad_json")
        if kind == "extra_forbidden":
            return error_response(400, f"Unknown field {field!r}.", code="unknown_field",
                                  field=field)  # fmt: skip
        if kind == "missing":
            return error_response(400, "This field is required.", code="required", field=field)
        return error_response(400, str(first.get("msg", "Invalid value.")), field=field)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(404, str(exc) or "Nothing here.")

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return error_response(403, str(exc) or "Not allowed.")

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(
            401,
            "This needs a valid personal API token: Authorization: Bearer <token>.",
            headers={"WWW-Authenticate": "Bearer"},
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            return error_response(400, "The request body is not JSON.", code="bad_json")
        return error_response(exc.status_code, str(exc))

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return error_response(413, "The request body is too large.")


def json_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Give an error answered outside an operation (ninja's 405, Django's 404 or 413) the
    API's shape."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except RequestDataTooBig:
            return error_response(413, "The request body is too large.")
        if response.status_code < 400 or _is_json(response):
            return response
        shaped = error_response(response.status_code, _plain_message(response.status_code))
        if "Allow" in response:
            shaped["Allow"] = response["Allow"]
        return shaped

    return wrapped


def _is_json(response: HttpResponse) -> bool:
    if not response.get("Content-Type", "").startswith("application/json"):
        return False
    try:
        return "error" in json.loads(response.content)
    except ValueError:
        return False


def _plain_message(status: int) -> str:
    return {
        404: "Nothing here.",
        405: "This method is not allowed here.",
        413: "The request body is too large.",
    }.get(status, "The request failed.")


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any other address under /api/v1/."""
    return error_response(404, "There is no such endpoint.")


def refused_body(request: HttpRequest) -> HttpResponse | None:
    """The answer to a request body refused before it is read: too large (413) or not
    JSON (415); None when it may be read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.API_MAX_BODY_BYTES:
        return error_response(
            413, f"The request body may be at most {settings.API_MAX_BODY_BYTES} bytes."
        )
    if request.content_type != "application/json":
        return error_response(415, "Send the body as application/json.")
    return None
