"""Reading a Disqus XML export: its threads, and its posts as `CommentRecord`s.

Disqus comments go onto articles already on the site, so each Disqus thread is first
matched to an article (`match_threads()`, the one part that reads the database: by the
thread's link, else by the identifier the old site gave Disqus); the posts of a matched
thread become comments with `article_id` set. The loader stores them.

The file is read as a stream of SAX events through defusedxml (a DTD is refused, and with
it entity declarations and external references, so nothing expands), in chunks, so memory
does not grow with the bodies. A reply may come before its parent in the file, and the
loader needs the parent first. So `scan()` reads the file once and keeps only ids (each
post's thread and parent, in file order), and checks everything a later pass relies on;
`read_posts()` then reads it again and yields each post once its parent has been yielded.
A reply that comes before its parent waits for the next pass rather than being held in
memory with its body: a file in Disqus's usual order needs one pass, and each further pass
is needed only by replies that come before their parents (a chain of k such replies, one
after the other, takes k more passes). Memory stays in proportion to the number of posts'
ids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.sax import SAXParseException
from xml.sax.expatreader import ExpatLocator
from xml.sax.handler import ContentHandler, feature_namespaces
from xml.sax.xmlreader import AttributesNSImpl, Locator

from defusedxml import DefusedXmlException
from defusedxml.expatreader import create_parser
from django.urls import Resolver404, resolve

from broadsheet.publishing.models import Article

from .models import ImportedItem, Redirect
from .records import CommentRecord, CommentStatus

INTERNALS = "http://disqus.com/disqus-internals"  # the namespace of the dsq:id attribute
CHUNK_BYTES = 64 * 1024
THREAD_FIELDS = {"id": "identifier", "link": "link", "title": "title", "forum": "forum"}
POST_FIELDS = {"message", "createdAt", "isDeleted", "isSpam", "ipAddress"}
AUTHOR_FIELDS = {"name", "email", "username", "isAnonymous"}
ANONYMOUS_NAME = "Anonymous"


class DisqusFormatError(Exception):
    """The file is not a Disqus export we can read: where, and what was expected there."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"line {line}, column {column}: {message}")
        self.message, self.line, self.column = message, line, column


@dataclass
class Thread:
    dsq_id: str
    identifier: str = ""  # what the old site called the page (a post id, a URL, a slug)
    link: str = ""
    title: str = ""
    forum: str = ""
    posts: int = 0  # how many posts of the file belong to it


@dataclass
class Post:
    """One post as parsed: held only while it is read and handed on."""

    dsq_id: str
    thread_id: str = ""
    parent_id: str | None = None
    message: str = ""
    created_at: dt.datetime | None = None
    deleted: bool = False
    spam: bool = False
    address: str = ""
    name: str = ""
    email: str = ""
    username: str = ""
    anonymous: bool = False


@dataclass
class Export:
    """What the first pass learns: the threads, and each post's thread and parent (ids
    only, in file order; a parent the post cannot have is dropped)."""

    threads: dict[str, Thread] = field(default_factory=dict)
    posts: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    passes: dict[str, int] = field(default_factory=dict)  # see _settle_parents()
    orphans: int = 0  # posts naming a thread the file does not have
    repeated: int = 0  # posts the file has twice (the first is read)

    @property
    def forums(self) -> list[str]:
        return sorted({thread.forum for thread in self.threads.values() if thread.forum})


class _Handler(ContentHandler):
    """Turns SAX events into `Thread`s and `Post`s, appended to `found` as each ends."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[Thread | Post] = []
        self.stack: list[tuple[str, int, int]] = []  # open elements with where they began
        self.locator: Locator | None = None
        self._item: Thread | Post | None = None
        self._text: list[str] | None = None
        self.seen_root = False

    def setDocumentLocator(self, locator: Locator) -> None:  # noqa: N802 (SAX's name)
        self.locator = locator

    def position(self) -> tuple[int, int]:
        if self.locator is None:
            return 1, 1
        return self.locator.getLineNumber() or 1, (self.locator.getColumnNumber() or 0) + 1

    def fail(self, message: str, at: tuple[int, int] | None = None) -> DisqusFormatError:
        line, column = at or self.position()
        return DisqusFormatError(message, line, column)

    def startElementNS(  # noqa: N802
        self, name: tuple[str | None, str], qname: str | None, attrs: AttributesNSImpl
    ) -> None:
        local = name[1]
        line, column = self.position()
        depth = len(self.stack)
        self.stack.append((local, line, column))
        if depth == 0:
            self.seen_root = True
            if local != "disqus":
                raise self.fail(f"expected <disqus> as the root element, found <{local}>")
        elif depth == 1 and local in ("thread", "post"):
            dsq_id = self._dsq_id(attrs)
            if not dsq_id:
                raise self.fail(f"expected a dsq:id attribute on <{local}>")
            self._item = Thread(dsq_id) if local == "thread" else Post(dsq_id)
        elif isinstance(self._item, Post) and depth == 2 and local in ("thread", "parent"):
            if not (dsq_id := self._dsq_id(attrs)):
                raise self.fail(f"expected a dsq:id attribute on <{local}> in <post>")
            if local == "thread":
                self._item.thread_id = dsq_id
            else:
                self._item.parent_id = dsq_id
        elif self._item is not None and self._wanted(local, depth):
            self._text = []

    def _wanted(self, local: str, depth: int) -> bool:
        if isinstance(self._item, Thread):
            return depth == 2 and local in THREAD_FIELDS
        if depth == 2:
            return local in POST_FIELDS
        return depth == 3 and self.stack[2][0] == "author" and local in AUTHOR_FIELDS

    @staticmethod
    def _dsq_id(attrs: AttributesNSImpl) -> str:
        value = attrs.get((INTERNALS, "id")) or attrs.get((None, "id")) or ""
        return str(value).strip()

    def characters(self, content: str) -> None:
        # Called for every piece, CDATA sections included: a message may come in several.
        if self._text is not None:
            self._text.append(content)

    def endElementNS(self, name: tuple[str | None, str], qname: str | None) -> None:  # noqa: N802
        local, line, column = self.stack.pop()
        depth = len(self.stack)
        if self._text is not None:
            self._store(local, "".join(self._text), (line, column))
            self._text = None
        elif depth == 1 and self._item is not None:
            if isinstance(self._item, Post) and not self._item.thread_id:
                raise self.fail("expected <thread dsq:id=…/> in <post>", (line, column))
            self.found.append(self._item)
            self._item = None

    def _store(self, local: str, text: str, at: tuple[int, int]) -> None:
        item = self._item
        if isinstance(item, Thread):
            setattr(item, THREAD_FIELDS[local], text.strip())
            return
        assert isinstance(item, Post)
        if local == "message":
            item.message = text
        elif local == "createdAt":
            item.created_at = self._date(text, at)
        elif local in ("isDeleted", "isSpam", "isAnonymous"):
            flag = self._flag(local, text, at)
            item.deleted = flag if local == "isDeleted" else item.deleted
            item.spam = flag if local == "isSpam" else item.spam
            item.anonymous = flag if local == "isAnonymous" else item.anonymous
        elif local == "ipAddress":
            item.address = text.strip()
        else:  # name, email, username of the author
            setattr(item, local, text.strip())

    def _date(self, text: str, at: tuple[int, int]) -> dt.datetime:
        try:
            moment = dt.datetime.fromisoformat(text.strip())
        except ValueError:
            expected = "expected a time like 2019-12-07T17:54:00Z in <createdAt>"
            raise self.fail(f"{expected}, found {text.strip()[:40]!r}", at) from None
        if moment.tzinfo is None:  # Disqus writes UTC, with or without the Z
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC)

    def _flag(self, local: str, text: str, at: tuple[int, int]) -> bool:
        value = text.strip().lower()
        if value in ("true", "1"):
            return True
        if value in ("false", "0", ""):
            return False
        raise self.fail(f"expected true or false in <{local}>, found {value[:20]!r}", at)


def _items(path: Path, progress: Callable[[int], object] | None = None) -> Iterator[Thread | Post]:
    """The threads and posts of the file, in order, read a chunk at a time (`progress` is
    told how many bytes each time)."""
    handler = _Handler()
    parser = create_parser(forbid_dtd=True)  # and with it entities, internal or external
    parser.setFeature(feature_namespaces, True)
    parser.setContentHandler(handler)
    # SAX gives a locator only to parse(), not to feed(): positions come from the parser.
    handler.setDocumentLocator(ExpatLocator(parser))
    try:
        with path.open("rb") as source:
            while chunk := source.read(CHUNK_BYTES):
                parser.feed(chunk)
                if progress is not None:
                    progress(len(chunk))
                yield from handler.found
                handler.found.clear()
            parser.close()
        if not handler.seen_root:
            raise handler.fail("the file is empty: expected a <disqus> element")
    except SAXParseException as exc:
        raise _malformed(exc, handler) from None
    except DefusedXmlException:
        raise handler.fail(
            "a DTD (<!DOCTYPE …>) is refused, so no entity can expand or reach outside the "
            "file: expected <disqus> (Disqus exports have no DTD or entities)"
        ) from None
    yield from handler.found


def _malformed(exc: SAXParseException, handler: _Handler) -> DisqusFormatError:
    problem = exc.getMessage()
    if handler.stack:
        local, line, column = handler.stack[-1]
        expected = f"expected </{local}> (for <{local}> at line {line}, column {column})"
        if problem == "mismatched tag":
            problem = "a closing tag that does not match"
        elif problem == "no element found":
            problem = "the file ends too soon"
        elif problem == "undefined entity":
            expected = "expected only &amp; &lt; &gt; &quot; &apos; or a character reference"
    elif problem in ("no element found", "syntax error"):
        expected = "expected a <disqus> element"
    else:
        expected = "expected the end of the file after </disqus>"
    return DisqusFormatError(
        f"{problem}: {expected}", exc.getLineNumber() or 1, (exc.getColumnNumber() or 0) + 1
    )


def scan(path: Path, progress: Callable[[int], object] | None = None) -> Export:
    """Read the whole file once, keeping ids only; raises DisqusFormatError on anything a
    later pass could trip on, before anything is stored. `progress` is told of each chunk
    of bytes read."""
    export = Export()
    for item in _items(path, progress):
        if isinstance(item, Thread):
            export.threads[item.dsq_id] = item
        elif item.dsq_id in export.posts:
            export.repeated += 1
        elif item.thread_id in export.threads:
            export.threads[item.thread_id].posts += 1
            export.posts[item.dsq_id] = (item.thread_id, item.parent_id)
        else:
            export.orphans += 1
    _settle_parents(export)
    return export


def _settle_parents(export: Export) -> None:
    """Fill in `export.passes`: the pass in which each post can be yielded, 0 for a post
    whose parent (if any) comes earlier in the file, one more than its parent's when the
    parent comes later. A parent that is not in the file or is in another thread is
    dropped (the post becomes a top-level comment), and so is the one parent link that
    would close a loop."""
    position = {post_id: index for index, post_id in enumerate(export.posts)}
    for post_id, (thread_id, parent_id) in export.posts.items():
        if parent_id is not None and export.posts.get(parent_id, ("", None))[0] != thread_id:
            export.posts[post_id] = (thread_id, None)
    passes = export.passes
    for start in export.posts:
        chain: list[str] = []
        on_chain: set[str] = set()
        step: str | None = start
        while step is not None and step not in passes and step not in on_chain:
            chain.append(step)
            on_chain.add(step)
            step = export.posts[step][1]
        for post_id in reversed(chain):
            thread_id, parent_id = export.posts[post_id]
            if parent_id is None or parent_id not in passes:
                export.posts[post_id] = (thread_id, None)  # the link that closes a loop
                passes[post_id] = 0
            else:
                passes[post_id] = passes[parent_id] + (position[parent_id] > position[post_id])


def read_posts(path: Path, export: Export, articles: Mapping[str, int]) -> Iterator[CommentRecord]:
    """The posts of matched threads (`articles`: thread dsq:id → article pk) as comments,
    every parent before its replies. `export` is what `scan()` read from the same file."""
    wanted = {post_id for post_id, (thread, _) in export.posts.items() if thread in articles}
    last_pass = max((export.passes[post_id] for post_id in wanted), default=-1)
    for this_pass in range(last_pass + 1):
        for item in _items(path):
            if isinstance(item, Post) and item.dsq_id in wanted:
                if export.passes[item.dsq_id] == this_pass:
                    wanted.discard(item.dsq_id)  # once, should the file repeat a post
                    parent_id = export.posts[item.dsq_id][1]
                    yield comment_record(item, articles[item.thread_id], parent_id)


def comment_record(post: Post, article_id: int, parent_id: str | None) -> CommentRecord:
    """Disqus accounts are not accounts of this site, so no post has an account here and
    none is verified: each shows "(not verified)", as an anonymous comment does."""
    status: CommentStatus = "spam" if post.spam else "deleted" if post.deleted else "published"
    return CommentRecord(
        source_id=post.dsq_id,
        article_source_id="",
        article_id=article_id,
        body=post.message.strip(),
        body_format="html",
        parent_source_id=parent_id,
        name=post.name or post.username or ANONYMOUS_NAME,
        email=post.email,
        created_at=post.created_at,
        status=status,
        address=post.address,
        verified=False,
    )


# Matching threads to articles ----------------------------------------------------------


def match_threads(threads: Iterable[Thread]) -> dict[str, int]:
    """Thread dsq:id → the pk of the site article it is about, for the threads that match."""
    matched = {}
    for thread in threads:
        if (article_id := article_for_thread(thread)) is not None:
            matched[thread.dsq_id] = article_id
    return matched


def article_for_thread(thread: Thread) -> int | None:
    """By the thread's link first: the article's own address, or an old address an import
    kept as a Redirect (any host, with or without the trailing slash). Else by its
    identifier: an article's slug, or what the old site used, which an import recorded:
    WordPress's Disqus plugin writes "<post id> <guid>" (the guid often "/?p=<id>"),
    Drupal's module "node/<nid>"; some sites give the page's URL."""
    host = urlsplit(thread.link).hostname or ""
    found = _by_address(thread.link)
    if found is None and thread.identifier:
        found = _by_slug(thread.identifier)
    for token in thread.identifier.split():
        if found is not None:
            break
        if token.isdigit():
            found = _by_imported_item("wxr:", token, host)
        elif token.startswith("node/") and token[5:].isdigit():
            found = _by_imported_item("drupal:", token[5:], host)
        elif "/" in token:
            found = _by_address(token)
    return found


def _by_address(address: str) -> int | None:
    parts = urlsplit(address.strip())
    if not parts.path and not parts.query:
        return None
    path = unquote(parts.path) or "/"
    paths = sorted({path, path.rstrip("/") or "/", path if path.endswith("/") else path + "/"})
    for candidate in paths:
        try:
            match = resolve(candidate)
        except Resolver404:
            continue
        if match.view_name == "publishing:article" and (found := _by_slug(match.kwargs["slug"])):
            return found
    # With the query string first ("/?p=12"), then without (a link with "?utm_source=…").
    with_query = [f"{path}?{parts.query}" for path in paths] if parts.query else []
    for candidates in (with_query, paths):
        redirects = Redirect.objects.filter(old_path__in=candidates).order_by("old_path")
        if found := redirects.values_list("article_id", flat=True).first():
            return found
    return None


def _by_slug(slug: str) -> int | None:
    return Article.objects.filter(slug=slug).values_list("pk", flat=True).first()


def _by_imported_item(prefix: str, source_id: str, host: str) -> int | None:
    """The article an import made of that post; when several imports (of several old
    sites) made one, the one imported from the thread's host."""
    items = ImportedItem.objects.filter(
        source__startswith=prefix, kind="article", source_id=source_id
    ).values_list("source", "object_id")
    found = {object_id: source for source, object_id in items}
    existing = set(Article.objects.filter(pk__in=found).values_list("pk", flat=True))
    found = {object_id: source for object_id, source in found.items() if object_id in existing}
    if len(found) > 1:
        found = {pk: source for pk, source in found.items() if host and host in source}
    return next(iter(found)) if len(found) == 1 else None
