"""`{{ article.body_html|expand_embeds:request }}`: the embed placeholders of a stored body,
made ready for this reader.

Stored bodies never contain a frame (see `broadsheet.lib.rendering`). Here each placeholder
becomes, for a reader who accepted the external-media cookie category, a sandboxed player
on the provider's privacy-enhanced address; for everyone else it stays a placeholder that
names the provider, links to the video and offers the cookie preferences page, and loads
nothing from another site. Provider and id are checked again before either is used, and
the player's address is built from them alone.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django import template
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from broadsheet.lib.rendering import EMBED_PROVIDERS, EmbedProvider

register = template.Library()

EXTERNAL_MEDIA = "external-media"
# The sanitiser writes a placeholder as one <figure> with no figure inside it, so the first
# closing tag after its opening tag is its own.
_PLACEHOLDER = re.compile(
    r"<figure (?=[^>]*\bdata-embed-provider=)(?P<attributes>[^>]*)>(?P<inner>.*?)</figure>",
    re.DOTALL,
)
_ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')


@register.filter
def expand_embeds(body_html: str, request: HttpRequest | None) -> SafeString:
    """Stored, sanitised article HTML with every valid placeholder made a player (external
    media accepted) or a click-to-load placeholder (not accepted)."""
    allowed = _allows_external_media(request)
    next_path = _return_path(request)

    def expand(match: re.Match[str]) -> str:
        attributes = dict(_ATTRIBUTE.findall(match["attributes"]))
        provider = EMBED_PROVIDERS.get(attributes.get("data-embed-provider", ""))
        video_id = attributes.get("data-embed-id", "")
        if provider is None or not provider.valid_id(video_id):
            return match[0]  # not a placeholder this site wrote: left as stored
        # The placeholder's own words and link, from the stored (sanitised) body.
        inner = mark_safe(match["inner"])
        if allowed:
            return _player(provider, video_id, inner)
        return _placeholder(provider, video_id, inner, next_path)

    # Stored bodies were sanitised when saved; only the placeholders are rewritten here.
    return mark_safe(_PLACEHOLDER.sub(expand, body_html))


def _allows_external_media(request: HttpRequest | None) -> bool:
    allows = getattr(request, "consent_allows", None)
    return bool(allows and allows(EXTERNAL_MEDIA))


def _return_path(request: HttpRequest | None) -> str:
    """Where the cookie preferences page sends the reader back to: this page, or after a
    POST (a comment preview shows the article at the form's address) the page they came
    from. The preferences page checks it is on this site."""
    if request is None:
        return "/"
    if request.method in {"GET", "HEAD"}:
        return request.get_full_path()
    return request.headers.get("Referer") or "/"


def _player(provider: EmbedProvider, video_id: str, inner: SafeString) -> str:
    return format_html(
        '<figure class="embed" data-embed-provider="{key}" data-embed-id="{id}">'
        '<iframe src="{src}" title="Video from {name}" width="560" height="315" '
        'loading="lazy" referrerpolicy="strict-origin-when-cross-origin" '
        'sandbox="allow-scripts allow-same-origin allow-presentation" '
        'allow="encrypted-media; picture-in-picture; fullscreen" allowfullscreen></iframe>'
        "{inner}</figure>",
        key=provider.key,
        id=video_id,
        src=provider.player(video_id),
        name=provider.name,
        inner=inner,
    )


def _placeholder(provider: EmbedProvider, video_id: str, inner: SafeString, next_path: str) -> str:
    preferences = reverse("consent:preferences") + "?" + urlencode({"next": next_path})
    return format_html(
        '<figure class="embed embed-placeholder" data-embed-provider="{key}" data-embed-id="{id}">'
        "{inner}"
        '<p class="embed-consent">To watch it here, allow external media in your cookie '
        "choices. {name} can then see that you visited this page, and may set cookies.</p>"
        '<p class="embed-load"><a class="button" href="{preferences}">'
        "Load video from {name} (allows external media)</a></p></figure>",
        key=provider.key,
        id=video_id,
        inner=inner,
        name=provider.name,
        preferences=preferences,
    )
