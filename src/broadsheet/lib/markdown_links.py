"""A markdown-it plugin that answers "no link here" at once for a "[" with no "]" after it.

markdown-it's link and image rules find a link's label with `parseLinkLabel`, which walks
every token from the "[" to the end of the label, trying the inline rules at each step.
When no "]" follows at all, that walk runs to the end of the paragraph for every "[", and
only the parser's position cache keeps the total linear: about twenty rule calls for each
character, so a comment of 10,000 "[" took 120 ms to render. A label needs a "]", so when
the paragraph has none after the "[", the rule can say no without the walk: the output is
the same, as the walk only reads.
"""

from __future__ import annotations

from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline, image, link

InlineRule = Callable[[StateInline, bool], bool]


def skip_unclosed_links(md: MarkdownIt) -> None:
    """Wrap the link and image rules (enabled or not) with the check above."""
    md.inline.ruler.at("link", _needs_a_closing_bracket(link))
    md.inline.ruler.at("image", _needs_a_closing_bracket(image))


def _needs_a_closing_bracket(rule: InlineRule) -> InlineRule:
    def checked(state: StateInline, silent: bool) -> bool:
        # The last "]" of the text, found once per paragraph (rfind is C, but once per "["
        # it would still read the text again for each one).
        last_close: int | None = getattr(state, "_last_closing_bracket", None)
        if last_close is None:
            last_close = state.src.rfind("]")
            state._last_closing_bracket = last_close  # type: ignore[attr-defined]
        if last_close < state.pos:
            return False
        return rule(state, silent)

    return checked
