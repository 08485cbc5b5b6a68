"""Comments as plain dicts: the one place that says what each fact of a comment leaving
the site is called and where it comes from, for the API, the exports and webhook payloads.

`comment_data()` is what anyone reading the page can see; `comment_private_data()` adds
what only the commenter, the site's staff and its exports may see. Datetimes stay
datetimes, so each format writes them its own way. Webhook receivers get a variant (see
`comment_payload()`).
"""

from __future__ import annotations

from typing import Any

from broadsheet.publishing.serializers import site_url

from .models import Comment


def comment_data(comment: Comment) -> dict[str, Any]:
    """The public facts of a comment, as shown under its article."""
    return {
        "id": comment.pk,
        "article_id": comment.article_id,
        "parent_id": comment.parent_id,
        "status": comment.status,
        "name": comment.name,
        "homepage": comment.homepage,
        "verified": comment.is_verified,
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
        "body_html": comment.body_html,
        "url": site_url(comment.get_absolute_url()),
    }


def comment_private_data(comment: Comment) -> dict[str, Any]:
    """A comment with what only its author and the site's staff may see: the address it was
    sent with, the text as typed and the account it was posted from. Never the client
    address hash itself, only whether one is still kept."""
    user = comment.user
    return {
        **comment_data(comment),
        "email": comment.email,
        "email_confirmed": comment.email_confirmed,
        "notify_replies": comment.notify_replies,
        "body_format": comment.body_format,
        "body_source": comment.body_source,
        "account": None if user is None else {"id": user.pk, "username": user.username},
        "network_address_hash_kept": bool(comment.address_hash),
    }


# The only keys a webhook receiver gets: docs/webhooks.md promises no more.
PAYLOAD_KEYS = ("id", "article_id", "url", "status", "verified", "name")


def comment_payload(comment: Comment) -> dict[str, Any]:
    """What a webhook receiver learns of a comment: public facts only, never an e-mail
    address or a client address hash.

    A variant, because receivers get a short, stable notice (they fetch the comment from
    the API for more) with its date as an ISO 8601 string."""
    data = comment_data(comment)
    return {
        **{key: data[key] for key in PAYLOAD_KEYS},
        "created_at": data["created_at"].isoformat(),
    }
