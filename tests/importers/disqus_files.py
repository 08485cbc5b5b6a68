"""Small Disqus XML exports for the tests, built from parts: `export(thread(...),
post(...), ...)` gives the text of a file, `write()` puts it where a test can read it.

The defaults describe a plain guest comment; a test names only what it is about.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<disqus xmlns="http://disqus.com" '
    'xmlns:dsq="http://disqus.com/disqus-internals" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
)
FORUM = "northgate-courier"


def export(*parts: str, head: str = HEAD) -> str:
    return (
        head
        + '  <category dsq:id="100"><forum>northgate-courier</forum></category>\n'
        + ("".join(parts) + "</disqus>\n")
    )


def thread(
    dsq_id: str,
    *,
    link: str = "",
    identifier: str = "",
    title: str = "A page of the old site",
    forum: str = FORUM,
) -> str:
    return (
        f'  <thread dsq:id="{dsq_id}">\n'
        f"    <id>{escape(identifier)}</id>\n"
        f"    <forum>{escape(forum)}</forum>\n"
        '    <category dsq:id="100"/>\n'
        f"    <link>{escape(link)}</link>\n"
        f"    <title>{escape(title)}</title>\n"
        "    <message/>\n"
        "    <createdAt>2019-11-30T08:00:00Z</createdAt>\n"
        "    <author><email>desk@example.org</email><name>Newsdesk</name>"
        "<isAnonymous>false</isAnonymous><username>northgate</username></author>\n"
        "    <ipAddress>198.51.100.1</ipAddress>\n"
        "    <isClosed>false</isClosed>\n"
        "    <isDeleted>false</isDeleted>\n"
        "  </thread>\n"
    )


def post(
    dsq_id: str,
    thread_id: str,
    *,
    message: str = "<p>I was at that meeting.</p>",
    message_xml: str | None = None,  # the <message> element's content exactly as written
    parent: str | None = None,
    name: str = "Morwenna Tate",
    email: str = "",
    username: str = "",
    anonymous: bool = True,
    created_at: str = "2019-12-07T17:54:00Z",
    deleted: bool = False,
    spam: bool = False,
    address: str = "203.0.113.7",
) -> str:
    content = message_xml if message_xml is not None else f"<![CDATA[{message}]]>"
    parent_line = f'    <parent dsq:id="{parent}"/>\n' if parent else ""
    return (
        f'  <post dsq:id="{dsq_id}">\n'
        "    <id/>\n"
        f"    <message>{content}</message>\n"
        f"    <createdAt>{created_at}</createdAt>\n"
        f"    <isDeleted>{str(deleted).lower()}</isDeleted>\n"
        f"    <isSpam>{str(spam).lower()}</isSpam>\n"
        f"    <author><email>{escape(email)}</email><name>{escape(name)}</name>"
        f"<isAnonymous>{str(anonymous).lower()}</isAnonymous>"
        f"<username>{escape(username)}</username></author>\n"
        f"    <ipAddress>{escape(address)}</ipAddress>\n"
        f"    <thread dsq:id={quoteattr(thread_id)}/>\n"
        f"{parent_line}"
        "  </post>\n"
    )


def write(directory: Path, text: str, name: str = "disqus.xml") -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path
