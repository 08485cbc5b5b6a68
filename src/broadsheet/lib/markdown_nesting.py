"""Markdown nested deeper than markdown-it allows keeps its words.

markdown-it opens containers (quotations, list items, footnotes) only up to its
`maxNesting` level; past it, its block parser skips the rest of the innermost container,
so a reply quoted twenty times over, or a list ten levels deep, would lose the words at
the bottom from the page, the comment preview and the feed. `cap_nesting` makes the parser
keep them: past the limit, the rest of the innermost container becomes plain paragraphs
at that level, the deeper quotation and list markers are left out, and inline Markdown
(emphasis, links, code) is parsed as usual. A line that began a deeper list item or
changed the quotation depth starts a new paragraph, so flattened items do not run together.

The change acts only where the parser would have dropped the lines, so Markdown that stays
within the limit parses exactly as before. Each line past the limit is read a bounded
number of times, so the work stays linear in the length of the text however deep the
markers go.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.parser_block import ParserBlock
from markdown_it.rules_block import StateBlock

_SPACE = " \t"
_DIGITS = "0123456789"
# CommonMark's longest ordered-list number: a longer run of digits is text.
_MAX_LIST_NUMBER_DIGITS = 9


def cap_nesting(md: MarkdownIt) -> None:
    """A markdown-it plugin: text nested past `maxNesting` renders flat instead of vanishing."""
    capped = _CappedParserBlock()
    # The rules as the preset and the other plugins configured them, shared, so plugins
    # used after this one still reach the parser that runs.
    capped.ruler = md.block.ruler
    md.block = capped


class _CappedParserBlock(ParserBlock):
    def tokenize(self, state: StateBlock, startLine: int, endLine: int) -> None:
        # Every rule leaves the level as it found it, so it is the same throughout a call:
        # the parent's tokenize drops the lines exactly when it starts at this level.
        if state.level >= state.md.options.maxNesting:
            _tokenize_flat(state, startLine, endLine)
        else:
            super().tokenize(state, startLine, endLine)


def _tokenize_flat(state: StateBlock, start: int, end: int) -> None:
    """The lines of a container past the limit as paragraphs, with the bookkeeping of
    `ParserBlock.tokenize` (where the container ends, whether a list stays tight)."""
    line = start
    separated = False  # a blank line or another paragraph came before this one
    while line < end:
        state.line = line = state.skipEmptyLines(line)
        if line >= end or state.sCount[line] < state.blkIndent:
            break  # the container ends here; an outer one reads the rest
        text, quotes, _item = _without_markers(state, line)
        if not text:
            # Only markers ("> >"): a blank line inside the levels that were left out.
            separated = True
            state.line = line = line + 1
            continue
        line = _flat_paragraph(state, line, text, quotes)
        # A tight list hides its paragraphs' <p>: two of them would run into one word.
        state.tight = not separated
        separated = True


def _flat_paragraph(state: StateBlock, start: int, text: str, quotes: int) -> int:
    """Push one paragraph from `start` (its text and number of `>` markers already read)
    to a blank line, a line that begins another item or quotation depth, or the next block
    of an outer container; return the line after it."""
    terminators = state.md.block.ruler.getRules("paragraph")
    parts = [text]
    old_parent_type = state.parentType
    # As in the paragraph rule: a list may interrupt a paragraph only in some cases.
    state.parentType = "paragraph"
    line = start + 1
    while line < state.lineMax and not state.isEmpty(line):
        # A negative indent marks a lazy line the quotation around has already taken in.
        outdented = 0 <= state.sCount[line] < state.blkIndent
        if outdented and any(rule(state, line, state.lineMax, True) for rule in terminators):
            break
        text, line_quotes, item = _without_markers(state, line)
        if not text or item or (line_quotes and line_quotes != quotes):
            break
        parts.append(text)
        quotes = line_quotes or quotes  # a line with no marker is a lazy continuation
        line += 1
    state.parentType = old_parent_type

    state.line = line
    token = state.push("paragraph_open", "p", 1)
    token.map = [start, line]
    token = state.push("inline", "", 0)
    token.content = "\n".join(parts).rstrip(_SPACE)
    token.map = [start, line]
    token.children = []
    state.push("paragraph_close", "p", -1)
    return line


def _without_markers(state: StateBlock, line: int) -> tuple[str, int, bool]:
    """The text of `line` after its leading quotation and list markers, how many `>` it
    had, and whether it had a list marker. Indentation goes too: past the limit it no
    longer means anything but a deeper level."""
    src, pos, end = state.src, state.bMarks[line] + state.tShift[line], state.eMarks[line]
    quotes, item = 0, False
    while pos < end:
        char = src[pos]
        if char in _SPACE:
            pos += 1
        elif char == ">":
            quotes += 1
            pos += 1
        elif char in "-*+" and (pos + 1 == end or src[pos + 1] in _SPACE):
            item = True
            pos += 1
        elif char in _DIGITS:
            digits_end = pos + 1
            while digits_end < end and src[digits_end] in _DIGITS:
                digits_end += 1
                if digits_end - pos > _MAX_LIST_NUMBER_DIGITS:
                    break
            if digits_end - pos > _MAX_LIST_NUMBER_DIGITS:
                break
            if digits_end == end or src[digits_end] not in ".)":
                break
            after = digits_end + 1
            if after < end and src[after] not in _SPACE:
                break  # "3.5 million", not an item
            item = True
            pos = after
        else:
            break
    return src[pos:end], quotes, item
