# ruff: noqa: E501 (payloads read best whole, one to a line)
"""Hostile input for the browser tests: what attackers, broken clients and careless
pastes send. Each case is typed into the real comment form, or opened as an address.

A case's `fields` override a harmless default comment; `expect` says what must happen:
"refused" (the form shows a message and keeps what was typed), "stored" (kept exactly as
the browser sent it) or "either" (one of those two; never altered, never lost).
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.e2e import site


@dataclass(frozen=True)
class FormCase:
    label: str
    fields: dict[str, str]
    expect: str = "either"


@dataclass(frozen=True)
class AddressCase:
    label: str
    path: str
    as_moderator: bool = False
    # The text a search box or filter on the page must show back, exactly, when it has one.
    shown_in: str = ""
    shown_value: str = ""


SCRIPT = "<script>alert('xss')</script>"
IMG = '<img src=x onerror="alert(1)">'

FORM_CASES: list[FormCase] = [
    # Script and event handlers in every field.
    FormCase("script tag in name", {"name": f"Ann {SCRIPT}"}, "either"),
    FormCase("img onerror in name", {"name": f"Ann {IMG}"}, "either"),
    FormCase("attribute break in name", {"name": '"><svg onload=alert(1)> Ann'}, "either"),
    FormCase("single-quote break in name", {"name": "Ann' onmouseover='alert(1)"}, "either"),
    FormCase("script tag in body", {"body": f"Before {SCRIPT} after"}, "stored"),
    FormCase("img onerror in body", {"body": f"Look: {IMG}"}, "stored"),
    FormCase("event handler on allowed tag", {"body": '<a href="#" onclick="alert(1)">x</a>'}),
    FormCase("style and iframe tags", {"body": "<style>*{}</style><iframe src=//x></iframe>"}),
    FormCase("form and button tags", {"body": "<form action=//x><button>Go</button></form>"}),
    FormCase("meta refresh", {"body": '<meta http-equiv="refresh" content="0;url=//x">'}),
    FormCase("base tag", {"body": '<base href="//elsewhere.invalid/">'}),
    FormCase("html comment trick", {"body": "<!--<img src=x onerror=alert(1)>-->"}),
    FormCase("unclosed tag", {"body": "<img src=x onerror=alert(1) "}),
    FormCase("template literal", {"body": "{{ 7*7 }} {% debug %} ${alert(1)}"}),
    # Dangerous URL schemes in the homepage, plain and disguised.
    FormCase("javascript: homepage", {"homepage": "javascript:alert(1)"}, "refused"),
    FormCase("mixed-case scheme", {"homepage": "JaVaScRiPt:alert(1)"}, "refused"),
    FormCase("leading space scheme", {"homepage": " javascript:alert(1)"}, "refused"),
    FormCase("tab inside scheme", {"homepage": "java\tscript:alert(1)"}, "refused"),
    FormCase("entity-encoded scheme", {"homepage": "&#106;avascript:alert(1)"}, "refused"),
    FormCase("data: homepage", {"homepage": "data:text/html,<script>alert(1)</script>"}, "refused"),
    FormCase("vbscript: homepage", {"homepage": "vbscript:msgbox(1)"}, "refused"),
    FormCase("fullwidth scheme", {"homepage": "ｊａｖａｓｃｒｉｐｔ:alert(1)"}, "refused"),
    FormCase("quote break in homepage", {"homepage": 'https://example.org/"><script>x</script>'}),
    FormCase("homepage with handler", {"homepage": "https://example.org/ onmouseover=alert(1)"}),
    # The same schemes in Markdown links, images and autolinks.
    FormCase("markdown javascript link", {"body": "[click](javascript:alert(1))"}, "stored"),
    FormCase("markdown entity link", {"body": "[click](&#106;avascript:alert(1))"}, "stored"),
    FormCase("markdown escaped link", {"body": "[click](java\\script:alert(1))"}, "stored"),
    FormCase("markdown spaced link", {"body": "[click]( javascript:alert(1) )"}, "stored"),
    FormCase("markdown data link", {"body": "[x](data:text/html;base64,PHNjcmlwdD4=)"}, "stored"),
    FormCase("markdown vbscript link", {"body": "[x](VBSCRIPT:msgbox(1))"}, "stored"),
    FormCase("markdown image", {"body": "![x](javascript:alert(1))"}, "stored"),
    FormCase("markdown image elsewhere", {"body": "![x](https://elsewhere.invalid/p.png)"}),
    FormCase("markdown title break", {"body": '[x](https://example.org "a" onclick="alert(1)")'}),
    FormCase("autolink javascript", {"body": "<javascript:alert(1)>"}, "stored"),
    FormCase("reference link", {"body": "[x][r]\n\n[r]: javascript:alert(1)"}, "stored"),
    FormCase("unicode scheme link", {"body": "[x](ｊavascript:alert(1))"}, "stored"),
    # SVG and MathML.
    FormCase("svg onload", {"body": "<svg><script>alert(1)</script></svg>"}, "stored"),
    FormCase(
        "svg animate href",
        {
            "body": '<svg><a><animate attributeName=href values="javascript:alert(1)"/><text>x</text></a></svg>'
        },
    ),
    FormCase(
        "mathml href", {"body": '<math><mtext><a href="javascript:alert(1)">x</a></mtext></math>'}
    ),
    FormCase(
        "mathml style confusion",
        {"body": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"},
    ),
    # Unicode tricks in names.
    FormCase("bidi override in name", {"name": "Ann \u202egnp.exe"}, "refused"),
    FormCase("bidi isolate in name", {"name": "\u2067Ann\u2069"}, "refused"),
    FormCase("zero-width space in name", {"name": "An\u200bn"}, "refused"),
    FormCase("zero-width joiner in name", {"name": "Ann\u200d"}, "refused"),
    FormCase("byte order mark in name", {"name": "\ufeffAnn"}, "refused"),
    FormCase("bidi override in body", {"body": "Totals: \u202e 01 \u202c done"}, "stored"),
    # Names of staff, plain and disguised.
    FormCase("editor's name", {"name": site.EDITOR_NAME}, "refused"),
    FormCase("moderator's name", {"name": site.MODERATOR_NAME}, "refused"),
    FormCase("moderator's name in capitals", {"name": site.MODERATOR_NAME.upper()}, "refused"),
    FormCase("moderator's name, Cyrillic o", {"name": "M\u043ergan Vale"}, "refused"),
    FormCase("editor's name, Greek omicron", {"name": "Edith \u039fkafor"}, "refused"),
    FormCase("editor's name, digit for letter", {"name": "Ed1th Okafor"}, "refused"),
    # NUL bytes.
    FormCase("NUL in body", {"body": "before\x00after"}, "refused"),
    FormCase("NUL in name", {"name": "Ann\x00"}, "refused"),
    # Size and depth.
    FormCase("1 MB body", {"body": "a" * 1_000_000}, "refused"),
    FormCase("1,000 nested quotations", {"body": "> " * 1000 + "deep"}, "stored"),
    FormCase("1,000 nested lists", {"body": "".join("  " * i + "- x\n" for i in range(200))}),
    FormCase("long name", {"name": "N" * 500}, "refused"),
    # Header injection through the e-mail field.
    FormCase("CRLF Bcc in e-mail", {"email": "ann@example.org\r\nBcc: all@example.org"}, "refused"),
    FormCase("LF in e-mail", {"email": "ann@example.org\nSubject: hi"}, "refused"),
    FormCase(
        "encoded CRLF in e-mail", {"email": "ann@example.org%0d%0aBcc:x@example.org"}, "refused"
    ),
    FormCase("script in e-mail", {"email": f'"{SCRIPT}"@example.org'}, "either"),
    # SQL in ordinary fields.
    FormCase("SQL in name", {"name": "Ann'); DROP TABLE discussion_comment;--"}, "stored"),
    FormCase("SQL in body", {"body": "1' OR '1'='1'; --"}, "stored"),
]

ARTICLE = f"/articles/{site.ARTICLE_SLUG}/"
ADDRESS_CASES: list[AddressCase] = [
    AddressCase(
        "script in search",
        "/search/?q=%3Cscript%3Ealert(1)%3C/script%3E",
        shown_in="#site-search",
        shown_value="<script>alert(1)</script>",
    ),
    AddressCase(
        "attribute break in search",
        "/search/?q=%22%3E%3Csvg%20onload%3Dalert(1)%3E",
        shown_in="#site-search",
        shown_value='"><svg onload=alert(1)>',
    ),
    AddressCase(
        "FTS operators",
        "/search/?q=harbour%20NEAR%20wall%20AND%20(",
        shown_in="#site-search",
        shown_value="harbour NEAR wall AND (",
    ),
    AddressCase(
        "FTS column filter",
        "/search/?q=title%3Aharbour%20*",
        shown_in="#site-search",
        shown_value="title:harbour *",
    ),
    AddressCase(
        "FTS unbalanced quote",
        "/search/?q=%22harbour",
        shown_in="#site-search",
        shown_value='"harbour',
    ),
    AddressCase(
        "tsquery syntax",
        "/search/?q=harbour%20%26%20!wall%20%7C%20%3A*",
        shown_in="#site-search",
        shown_value="harbour & !wall | :*",
    ),
    AddressCase(
        "SQL in search",
        "/search/?q=%27%3B%20DROP%20TABLE%20publishing_article%3B--",
        shown_in="#site-search",
        shown_value="'; DROP TABLE publishing_article;--",
    ),
    AddressCase(
        "script in search page number", "/search/?q=harbour&page=%3Cscript%3Ealert(1)%3C/script%3E"
    ),
    AddressCase(
        "script in home page number", "/?page=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E"
    ),
    AddressCase("script in comment page", ARTICLE + "?page=%3Csvg%20onload%3Dalert(1)%3E"),
    AddressCase("javascript: next on cookies page", "/cookies/?next=javascript:alert(1)"),
    AddressCase("script in cookies next", "/cookies/?next=%22%3E%3Cscript%3Ealert(1)%3C/script%3E"),
    AddressCase("javascript: next on login", "/accounts/login/?next=javascript:alert(1)"),
    AddressCase("script in login next", "/accounts/login/?next=%22%3E%3Csvg/onload%3Dalert(1)%3E"),
    AddressCase("script in archive", "/archive/?year=%3Cscript%3Ealert(1)%3C/script%3E"),
    AddressCase(
        "script in queue filters",
        "/moderation/?status=%3Cscript%3E&article=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&reason=%3Csvg%20onload%3Dalert(1)%3E",
        as_moderator=True,
    ),
    AddressCase(
        "script in queue page",
        "/moderation/?page=%3Cscript%3Ealert(1)%3C/script%3E",
        as_moderator=True,
    ),
    AddressCase(
        "script in log filter",
        "/moderation/log/?comment=%3Cscript%3Ealert(1)%3C/script%3E",
        as_moderator=True,
    ),
]

# Bytes no browser form sends, posted as the raw body of the comment form.
MALFORMED_BODIES: dict[str, bytes] = {
    "invalid UTF-8 byte": b"body=caf%E9+au+lait",
    "truncated UTF-8 sequence": b"body=%E2%82",
    "overlong slash": b"body=%C0%AF..%C0%AFetc",
    "overlong NUL": b"body=before%C0%80after",
    "UTF-16 surrogate as UTF-8": b"body=%ED%A0%80",
}
