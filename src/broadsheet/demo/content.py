"""The demo newsroom as plain data: its accounts, topics and byline authors, the shapes of
its articles and reader comments, and the checks they must pass.

Articles are Markdown files in `articles/`, one per article, named by slug, each opening
with a small front matter of `key: value` lines between two `---` lines (the keys are in
`_REQUIRED` and `_OPTIONAL`). The reader comments are in `comments.py`, checked here by
`check_comments()`. Everything here is invented: the city of Northgate, its people, its
organisations and every quotation. Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources

STATUSES = ("draft", "scheduled", "published")
COMMENT_MODES = ("open", "closed", "hidden")


class DemoContentError(ValueError):
    """The shipped demo content (or the login file) is malformed."""


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    email: str


@dataclass(frozen=True)
class DemoTopic:
    slug: str
    name: str
    description: str


@dataclass(frozen=True)
class DemoAuthor:
    slug: str
    name: str
    bio: str
    username: str = ""  # the demo account this byline belongs to, if any


@dataclass(frozen=True)
class DemoArticle:
    slug: str
    title: str
    standfirst: str
    body: str
    authors: tuple[str, ...]  # author slugs, in byline order
    topics: tuple[str, ...]
    status: str
    published_at: dt.datetime | None
    comments: str = "open"


@dataclass(frozen=True)
class DemoComment:
    """A reader's comment under a demo article (the comments themselves are in
    `comments.py`).

    `key` is unique under its article; replies name their parent by it (`reply_to`). The
    Comment model has no slug, so the installer finds a demo comment's row by its article
    and its `created_at`: fixed, unique under each article (`check_comments()`) and
    read-only in the admin, so a re-run finds the same rows. A `held` comment waits for a
    moderator, so no reader sees it.
    """

    article: str  # the article's slug
    key: str
    created_at: dt.datetime
    name: str  # for `by_reader` comments, the reader's public name is used instead
    body: str  # Markdown
    reply_to: str = ""  # the key of the parent comment under the same article
    email: str = ""
    homepage: str = ""
    email_confirmed: bool = False
    by_reader: bool = False
    held: bool = False


EDITOR = DemoAccount("editor", "Mara Lindqvist", "editor@example.org")
# Articles are submitted by the desk, so the "Submitted by" line differs from the bylines.
NEWSDESK = DemoAccount("newsdesk", "Newsdesk", "newsdesk@example.org")

TOPICS = [
    DemoTopic(
        "housing",
        "Housing",
        "Rents, repairs and the tenants' unions organising in Northgate's tower blocks "
        "and terraces.",
    ),
    DemoTopic(
        "transport",
        "Transport",
        "Buses, trams and cycle lanes, and the people who depend on them, from the first "
        "bus of the day to the last.",
    ),
    DemoTopic(
        "libraries",
        "Libraries",
        "The city's branch libraries, the budget decisions that shape them and the people "
        "who use them.",
    ),
    DemoTopic(
        "work",
        "Work",
        "Pay, conditions and disputes in Northgate's workplaces, from the hospital kitchens "
        "to the distribution park.",
    ),
    DemoTopic(
        "care",
        "Care",
        "Home care, care homes and the council's care contracts: who gives care, who "
        "receives it and who pays for it.",
    ),
    DemoTopic(
        "city-hall",
        "City Hall",
        "Northgate City Council: its meetings, its budget, its elections and the decisions "
        "made in its name.",
    ),
    DemoTopic(
        "newsroom",
        "Newsroom",
        "Notes from the Courier on how we work: who funds us, how we correct our mistakes "
        "and who writes for us.",
    ),
]

AUTHORS = [
    DemoAuthor(
        "mara-lindqvist",
        "Mara Lindqvist",
        "Editor of the Courier since 2023. Before that she spent eleven years on a regional "
        "daily's city desk, mostly in council chambers and magistrates' courts.",
        username=EDITOR.username,
    ),
    DemoAuthor(
        "dev-ramaswamy",
        "Dev Ramaswamy",
        "Housing reporter, covering rents, repairs and the people who organise around them. "
        "Grew up on the Harrow Vale estate and still lives two streets away.",
    ),
    DemoAuthor(
        "niamh-castellan",
        "Niamh Castellan",
        "Transport and City Hall reporter. Takes the 41 to work and keeps a spreadsheet of "
        "every bus that fails to turn up.",
    ),
    DemoAuthor(
        "joel-ferreira",
        "Joel Ferreira",
        "Data reporter. Turns council spreadsheets, bus timetables and election returns into "
        "something people can read.",
    ),
    DemoAuthor(
        "priya-halloran",
        "Priya Halloran",
        "Work and care correspondent. She was a home care worker for six years before she "
        "became a reporter.",
    ),
    DemoAuthor(
        "sam-whitcombe",
        "Sam Whitcombe",
        "Freelance community reporter in the north of the city, and a regular at residents' "
        "meetings that run past their finishing time.",
    ),
    DemoAuthor(
        "ifeoma-brandt",
        "Ifeoma Brandt",
        "Freelance writer on libraries, culture and public space. Runs a monthly reading "
        "group in Millbrook.",
    ),
]

_REQUIRED = frozenset({"title", "standfirst", "authors", "status"})
_OPTIONAL = frozenset({"topics", "published_at", "comments"})


def load_articles() -> list[DemoArticle]:
    """Every article in `articles/`, checked against the known authors and topics."""
    folder = resources.files("broadsheet.demo.articles")
    articles = [
        parse_article(entry.name.removesuffix(".md"), entry.read_text(encoding="utf-8"))
        for entry in sorted(folder.iterdir(), key=lambda entry: entry.name)
        if entry.name.endswith(".md")
    ]
    author_slugs = {author.slug for author in AUTHORS}
    topic_slugs = {topic.slug for topic in TOPICS}
    for article in articles:
        if unknown := set(article.authors) - author_slugs:
            raise DemoContentError(f"{article.slug}.md: unknown authors {sorted(unknown)}")
        if unknown := set(article.topics) - topic_slugs:
            raise DemoContentError(f"{article.slug}.md: unknown topics {sorted(unknown)}")
    return articles


def parse_article(slug: str, text: str) -> DemoArticle:
    """One article file: front matter of `key: value` lines, then the Markdown body."""
    if not text.startswith("---\n"):
        raise DemoContentError(f"{slug}.md: must start with a '---' line")
    head, separator, body = text[4:].partition("\n---\n")
    if not separator:
        raise DemoContentError(f"{slug}.md: the front matter has no closing '---' line")
    fields: dict[str, str] = {}
    for number, line in enumerate(head.splitlines(), start=2):
        if not line.strip():
            continue
        # Only the first colon separates: titles and times contain colons of their own.
        key, colon, value = line.partition(":")
        key = key.strip()
        if not colon or key not in _REQUIRED | _OPTIONAL:
            raise DemoContentError(f"{slug}.md line {number}: unknown field {key!r}")
        if key in fields:
            raise DemoContentError(f"{slug}.md line {number}: {key!r} given twice")
        fields[key] = value.strip()
    if missing := _REQUIRED - fields.keys():
        raise DemoContentError(f"{slug}.md: missing {', '.join(sorted(missing))}")

    status = fields["status"]
    if status not in STATUSES:
        raise DemoContentError(f"{slug}.md: status must be one of {', '.join(STATUSES)}")
    comments = fields.get("comments", "open")
    if comments not in COMMENT_MODES:
        raise DemoContentError(f"{slug}.md: comments must be one of {', '.join(COMMENT_MODES)}")
    published_at = _aware_datetime(slug, fields.get("published_at", ""))
    if status != "draft" and published_at is None:
        raise DemoContentError(f"{slug}.md: a {status} article needs published_at")
    authors = _slugs(fields["authors"])
    if not authors:
        raise DemoContentError(f"{slug}.md: needs at least one author")
    return DemoArticle(
        slug=slug,
        title=fields["title"],
        standfirst=fields["standfirst"],
        body=body.strip() + "\n",
        authors=authors,
        topics=_slugs(fields.get("topics", "")),
        status=status,
        published_at=published_at,
        comments=comments,
    )


def check_comments(comments: list[DemoComment], articles: list[DemoArticle]) -> None:
    """Raise DemoContentError unless every comment sits under a published article, after
    its publication and after its parent, with a key and a time no other comment under
    that article has."""
    published = {
        article.slug: article.published_at for article in articles if article.status == "published"
    }
    seen: dict[str, dict[str, dt.datetime]] = {}
    for comment in comments:
        where = f"comment {comment.article}/{comment.key}"
        if comment.article not in published:
            raise DemoContentError(f"{where}: no published article {comment.article!r}")
        earlier = seen.setdefault(comment.article, {})
        if comment.key in earlier:
            raise DemoContentError(f"{where}: the key is used twice")
        if comment.created_at in earlier.values():
            raise DemoContentError(f"{where}: another comment has the same time")
        published_at = published[comment.article]
        if published_at is None or comment.created_at <= published_at:
            raise DemoContentError(f"{where}: written before the article was published")
        if comment.reply_to:
            if comment.reply_to not in earlier:
                raise DemoContentError(f"{where}: replies to {comment.reply_to!r}, not above it")
            if comment.created_at <= earlier[comment.reply_to]:
                raise DemoContentError(f"{where}: written before the comment it replies to")
        if not comment.body.strip() or not (comment.name or comment.by_reader):
            raise DemoContentError(f"{where}: needs a name and a body")
        earlier[comment.key] = comment.created_at


def _slugs(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _aware_datetime(slug: str, value: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise DemoContentError(f"{slug}.md: published_at {value!r} is not ISO 8601") from None
    # Fixed, zoned times keep the archive the same wherever and whenever the demo loads.
    if moment.tzinfo is None:
        raise DemoContentError(f"{slug}.md: published_at {value!r} needs a UTC offset")
    return moment
