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

from collections.abc import Iterator
from urllib.parse import urlencode

from django import template
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from broadsheet.lib import linear
from broadsheet.lib.rendering import EMBED_PROVIDERS, EmbedProvider

register = template.Library()

EXTERNAL_MEDIA = "external-media"
# A placeholder is a <figure> whose opening tag has a data-embed-provider attribute. The
# sanitiser writes it with no figure inside it, so the first closing tag after its
# opening tag is its own. `_placeholders` finds them by hand: the pattern saying so needs
# an unbounded lookahead, which `re` can make quadratic on a body of unclosed tags.
_OPEN = "<figure "
_CLOSE = "</figure>"
_PROVIDER_ATTRIBUTE = "data-embed-provider="
_ATTRIBUTE = linear.compile(r'([a-z-]+)="([^"]*)"')


@register.filter
def expand_embeds(body_html: str, request: HttpRequest | None) -> SafeString:
    """Stored, sanitised article HTML with every valid placeholder made a player (external
    media accepted) or a click-to-load placeholder (not accepted)."""
    allowed = _allows_external_media(request)
    next_path = _return_path(request)

    def expand(whole: str, attributes_text: str, inner_html: str) -> str:
        attributes = dict(_ATTRIBUTE.findall(attributes_text))
        provider = EMBED_PROVIDERS.get(attributes.get("data-embed-provider", ""))
        video_id = attributes.get("data-embed-id", "")
        if provider is None or not provider.valid_id(video_id):
            return whole  # not a placeholder this site wrote: left as stored
        # The placeholder's own words and link, from the stored (sanitised) body.
        inner = mark_safe(inner_html)
        if allowed:
            return _player(provider, video_id, inner)
        return _placeholder(provider, video_id, inner, next_path)

    # Stored bodies were sanitised when saved; only the placeholders are rewritten here.
    parts: list[str] = []
    done = 0
    for start, end, attributes_text, inner_html in _placeholders(body_html):
        parts += [body_html[done:start], expand(body_html[start:end], attributes_text, inner_html)]
        done = end
    parts.append(body_html[done:])
    return mark_safe("".join(parts))


def _placeholders(html: str) -> Iterator[tuple[int, int, str, str]]:
    """Start, end, attributes and content of each <figure> with a data-embed-provider
    attribute in its opening tag, up to the first </figure> after that tag.

    What `<figure (?=[^>]*\\bdata-embed-provider=)([^>]*)>(.*?)</figure>` finds, in time
    linear in `html`: a search for the next ">", provider attribute or closing tag runs
    again only once a candidate has passed the last one found, so each search starts where
    the one before it stopped and no stretch of text is read twice by the same search."""
    position = 0
    tag_end = provider = close = -1
    while (start := html.find(_OPEN, position)) >= 0:
        attributes_start = start + len(_OPEN)
        if tag_end < attributes_start:
            tag_end = html.find(">", attributes_start)
            if tag_end < 0:
                return  # no opening tag ends: neither does any later one
        if provider < attributes_start:
            provider = _find_provider_attribute(html, attributes_start)
            if provider < 0:
                return
        if provider > tag_end:
            position = start + 1  # some other figure
            continue
        if close <= tag_end:
            close = html.find(_CLOSE, tag_end + 1)
            if close < 0:
                return
        end = close + len(_CLOSE)
        yield start, end, html[attributes_start:tag_end], html[tag_end + 1 : close]
        position = end


def _find_provider_attribute(html: str, position: int) -> int:
    """Where the next `data-embed-provider=` that starts a word is, from `position` on."""
    found = html.find(_PROVIDER_ATTRIBUTE, position)
    while found > 0 and (html[found - 1].isalnum() or html[found - 1] == "_"):
        found = html.find(_PROVIDER_ATTRIBUTE, found + 1)
    return found


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
