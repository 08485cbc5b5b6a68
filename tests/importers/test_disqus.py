"""`broadsheet import-disqus FILE`: Disqus threads matched to the site's articles, posts
become threaded comments that keep their names, dates and deleted/spam status.

The reader is tested on the records it yields (no database); matching and the command end
to end, through the article page as a visitor sees it.
"""

from __future__ import annotations

import datetime as dt
import tracemalloc
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from broadsheet.discussion.models import Comment
from broadsheet.importers import disqus
from broadsheet.importers.models import ImportedItem, Redirect
from broadsheet.importers.records import CommentRecord
from broadsheet.publishing.models import Article
from tests.helpers import make_article, reply_depth, shown_comments, submitted_lines
from tests.importers.disqus_files import export, post, thread, write

LINK = "https://old.northgate.example/articles/rent-strike/"
LATER = "2019-12-07T18:01:00Z"


def records(path: Path, articles: dict[str, int] | None = None) -> list[CommentRecord]:
    """What the reader yields for `path`, every thread matched to article 7 unless told."""
    found = disqus.scan(path)
    return list(disqus.read_posts(path, found, articles or dict.fromkeys(found.threads, 7)))


def run_import(path: Path) -> str:
    out = StringIO()
    call_command("import-disqus", str(path), stdout=out)
    return out.getvalue()


def format_error(path: Path) -> disqus.DisqusFormatError:
    with pytest.raises(disqus.DisqusFormatError) as caught:
        disqus.scan(path)
    return caught.value


# The reader ----------------------------------------------------------------------------


def test_posts_keep_names_dates_addresses_and_status(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        export(
            thread("1", link=LINK),
            post("11", "1", name="Zoë Ørsted-Łukasiewicz", created_at="2019-12-07T17:54:00Z"),
            post("12", "1", deleted=True, name="Ines Ferro"),
            post("13", "1", spam=True, name="Cheap Watches"),
            post("14", "1", name="", username="hedda_l", anonymous=False, email="h@example.org"),
            post("15", "1", name="", address="2001:db8::5"),
        ),
    )
    found = {record.source_id: record for record in records(path)}
    first = found["11"]
    assert first.name == "Zoë Ørsted-Łukasiewicz"
    assert first.created_at == dt.datetime(2019, 12, 7, 17, 54, tzinfo=dt.UTC)
    assert (first.article_id, first.article_source_id) == (7, "")
    assert (first.body, first.body_format) == ("<p>I was at that meeting.</p>", "html")
    assert first.address == "203.0.113.7"
    assert [found[i].status for i in "11 12 13".split()] == ["published", "deleted", "spam"]
    # A Disqus account is not an account here: no account, not verified, name kept.
    assert (found["14"].name, found["14"].email, found["14"].account) == (
        "hedda_l",
        "h@example.org",
        None,
    )
    assert not any(record.verified for record in found.values())
    assert (found["15"].name, found["15"].address) == ("Anonymous", "2001:db8::5")


def test_a_message_split_over_cdata_sections_is_read_whole(tmp_path: Path) -> None:
    # "]]>" cannot stand inside one CDATA section, so exporters close it and open another.
    split = "<![CDATA[<p>Use a]]]]><![CDATA[>b in code</p>]]>\n<![CDATA[<p>Two</p>]]>"
    path = write(tmp_path, export(thread("1", link=LINK), post("11", "1", message_xml=split)))
    assert records(path)[0].body == "<p>Use a]]>b in code</p>\n<p>Two</p>"


def test_replies_come_after_their_parents_whatever_the_file_order(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        export(
            thread("1", link=LINK),
            post("14", "1", parent="13"),  # a chain written backwards: three more passes
            post("13", "1", parent="12"),
            post("12", "1", parent="11"),
            post("20", "1"),
            post("11", "1"),
            post("21", "1", parent="20"),  # after its parent: the first pass
        ),
    )
    order = [(r.source_id, r.parent_source_id) for r in records(path)]
    assert order == [
        ("20", None),
        ("11", None),
        ("21", "20"),
        ("12", "11"),
        ("13", "12"),
        ("14", "13"),
    ]


def test_a_missing_parent_or_a_parent_loop_leaves_a_top_level_comment(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        export(
            thread("1", link=LINK),
            thread("2", link=LINK + "other/"),
            post("11", "1", parent="99"),  # deleted from Disqus for good
            post("12", "1", parent="13"),
            post("13", "1", parent="12"),
            post("14", "1", parent="21"),  # a parent in another thread
            post("21", "2"),
        ),
    )
    parents = {r.source_id: r.parent_source_id for r in records(path)}
    assert parents["11"] is None and parents["14"] is None
    # The loop is cut once: one of the two becomes top-level, the other replies to it.
    top, other = ("12", "13") if parents["12"] is None else ("13", "12")
    assert parents[top] is None and parents[other] == top


def test_posts_of_unmatched_threads_are_not_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        export(thread("1", link=LINK), thread("2"), post("11", "1"), post("21", "2")),
    )
    assert [r.source_id for r in records(path, {"1": 7})] == ["11"]
    assert disqus.scan(path).threads["2"].posts == 1


def test_a_malformed_file_gives_line_column_and_what_was_expected(tmp_path: Path) -> None:
    text = export(thread("1", link=LINK), post("11", "1").replace("</name>", "</nam>"))
    error = format_error(write(tmp_path, text))
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "</nam>" in row)
    assert error.line == line and error.column > 1
    assert "expected </name>" in str(error) and f"line {line}, column" in str(error)

    cut = export(thread("1", link=LINK), post("11", "1"))[:-60]
    assert "the file ends too soon: expected </" in str(format_error(write(tmp_path, cut)))

    bad_date = export(thread("1", link=LINK), post("11", "1", created_at="last Tuesday"))
    error = format_error(write(tmp_path, bad_date))
    assert "expected a time like 2019-12-07T17:54:00Z in <createdAt>" in error.message
    assert error.line == 20

    not_disqus = '<?xml version="1.0"?>\n<rss version="2.0"/>\n'
    assert str(format_error(write(tmp_path, not_disqus))) == (
        "line 2, column 1: expected <disqus> as the root element, found <rss>"
    )


def test_a_dtd_is_refused_so_no_entity_expands_or_reaches_out(tmp_path: Path) -> None:
    laughs = (
        '<?xml version="1.0"?>\n<!DOCTYPE disqus [\n  <!ENTITY lol "lol">\n'
        '  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n]>\n'
        '<disqus xmlns="http://disqus.com"><category>&lol2;</category></disqus>\n'
    )
    error = format_error(write(tmp_path, laughs))
    assert error.line == 2 and error.message.startswith("a DTD (<!DOCTYPE …>) is refused")

    external = (
        '<?xml version="1.0"?>\n<!DOCTYPE disqus [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        '<disqus xmlns="http://disqus.com"><category>&x;</category></disqus>\n'
    )
    assert "is refused" in str(format_error(write(tmp_path, external)))

    (tmp_path / "old.dtd").write_text('<!ENTITY leak "from the disk">')
    outside = (
        f'<?xml version="1.0"?>\n<!DOCTYPE disqus SYSTEM "{(tmp_path / "old.dtd").as_uri()}">\n'
        '<disqus xmlns="http://disqus.com"><category>&leak;</category></disqus>\n'
    )
    assert "is refused" in str(format_error(write(tmp_path, outside)))

    undeclared = export(thread("1", link=LINK), post("11", "1", name="NAME"))
    undeclared = undeclared.replace("NAME", "&leak;")
    error = format_error(write(tmp_path, undeclared))
    assert error.message == (
        "undefined entity: expected only &amp; &lt; &gt; &quot; &apos; or a character reference"
    )


# Matching threads to articles ----------------------------------------------------------


@pytest.mark.django_db
def test_threads_match_by_link_on_any_host_with_or_without_slash(tmp_path: Path) -> None:
    rent = make_article("Rent strike", slug="rent-strike")
    moved = make_article("The bus depot", slug="bus-depot")
    Redirect.objects.create(old_path="/2019/12/depot-closes/", article=moved)
    threads = [
        disqus.Thread("1", link="https://old.northgate.example/articles/rent-strike/"),
        disqus.Thread("2", link="http://www.northgate.example/articles/rent-strike"),
        disqus.Thread("3", link="https://old.northgate.example/2019/12/depot-closes"),
        disqus.Thread("4", link="https://old.northgate.example/2019/12/gone/"),
        disqus.Thread("5", link="https://old.northgate.example/2019/12/depot-closes/?utm=rss"),
        disqus.Thread("6"),
    ]
    assert disqus.match_threads(threads) == {
        "1": rent.pk,
        "2": rent.pk,
        "3": moved.pk,
        "5": moved.pk,
    }


@pytest.mark.django_db
def test_threads_match_by_identifier(tmp_path: Path) -> None:
    by_slug = make_article("Library hours", slug="library-hours")
    from_wordpress = make_article("Ward boundaries", slug="ward-boundaries")
    from_guid = make_article("Allotments", slug="allotments")
    from_drupal = make_article("Flood defences", slug="flood-defences")
    ImportedItem.objects.create(
        source="wxr:https://old.northgate.example",
        kind="article",
        source_id="412",
        object_id=from_wordpress.pk,
    )
    Redirect.objects.create(old_path="/?p=77", article=from_guid)
    ImportedItem.objects.create(
        source="drupal:newsroom", kind="article", source_id="31", object_id=from_drupal.pk
    )
    threads = [
        disqus.Thread("1", identifier="library-hours", link="https://gone.example/x"),
        disqus.Thread("2", identifier="412 https://old.northgate.example/?p=412"),
        disqus.Thread("3", identifier="https://old.northgate.example/?p=77"),
        disqus.Thread("4", identifier="node/31"),
        disqus.Thread("5", identifier="999 https://old.northgate.example/?p=999"),
    ]
    assert disqus.match_threads(threads) == {
        "1": by_slug.pk,
        "2": from_wordpress.pk,
        "3": from_guid.pk,
        "4": from_drupal.pk,
    }


# The command, end to end ---------------------------------------------------------------


@pytest.fixture
def rent_strike(db: None) -> Article:
    return make_article("Tenants go on rent strike", slug="rent-strike")


def conversation() -> str:
    """A thread on the rent strike article, with a reply written before its parent, a
    deleted comment that keeps its reply, and spam; and a thread for a page not here."""
    return export(
        thread("1", link=LINK, identifier="1204 https://old.northgate.example/?p=1204"),
        thread("2", link="https://old.northgate.example/about/", title="About us"),
        post("103", "1", parent="101", name="Ossian Brandt", message="<p>Were you?</p>"),
        post("101", "1", name="Zoë Ørsted", created_at="2019-12-07T17:54:00Z"),
        post("102", "1", name="Priya Castellanos", deleted=True, message="", created_at=LATER),
        post("104", "1", parent="102", name="Tomasz Wren", message="<p>Agreed.</p>"),
        post("105", "1", spam=True, name="Cheap Watches", message="<p>Buy now</p>"),
        post("201", "2", name="Hedda Lindqvist"),
        post("202", "2", name="Ines Ferro"),
    )


def test_import_shows_threaded_comments_on_the_article(
    tmp_path: Path, rent_strike: Article, client: Client
) -> None:
    output = run_import(write(tmp_path, conversation()))

    response = client.get(rent_strike.get_absolute_url())
    assert response.status_code == 200
    assert submitted_lines(response) == [
        "Submitted by Zoë Ørsted (not verified) on Sat, 07/12/2019 - 17:54",
        "Submitted by Ossian Brandt (not verified) on Sat, 07/12/2019 - 17:54",
        "Submitted by Tomasz Wren (not verified) on Sat, 07/12/2019 - 17:54",
    ]
    assert "This comment has been removed." in response.content.decode()  # Priya's
    assert "Cheap Watches" not in response.content.decode()
    comments = {c.name: c for c in Comment.objects.filter(article=rent_strike)}
    assert reply_depth(response, comments["Ossian Brandt"]) == 1
    assert reply_depth(response, comments["Tomasz Wren"]) == 1
    assert comments["Ossian Brandt"].parent == comments["Zoë Ørsted"]
    assert comments["Tomasz Wren"].parent == comments["Priya Castellanos"]
    assert comments["Priya Castellanos"].status == Comment.Status.DELETED
    assert comments["Cheap Watches"].status == Comment.Status.SPAM
    assert comments["Zoë Ørsted"].created_at == dt.datetime(2019, 12, 7, 17, 54, tzinfo=dt.UTC)
    assert all(c.address_hash and c.address_hash != "203.0.113.7" for c in comments.values())
    assert "1 of 2 threads matched" in output.splitlines()[-1]


def test_an_unmatched_thread_is_reported_with_its_link_and_posts(
    tmp_path: Path, rent_strike: Article
) -> None:
    output = run_import(write(tmp_path, conversation()))
    assert (
        "No article for thread https://old.northgate.example/about/ (identifier ''): "
        "2 posts skipped."
    ) in output
    assert (
        "comment: 5 created, 0 updated, 0 unchanged, 2 skipped (2 thread matches no article)"
        in output
    )
    assert not Comment.objects.filter(name__in=["Hedda Lindqvist", "Ines Ferro"]).exists()


def test_a_dry_run_reports_and_stores_nothing(tmp_path: Path, rent_strike: Article) -> None:
    out = StringIO()
    call_command("import-disqus", str(write(tmp_path, conversation())), "--dry-run", stdout=out)
    assert "No article for thread https://old.northgate.example/about/" in out.getvalue()
    assert "comment: 5 created" in out.getvalue()
    assert out.getvalue().splitlines()[-1].startswith("Dry run, nothing stored: disqus.xml as ")
    assert not Comment.objects.exists() and not ImportedItem.objects.exists()


def test_running_again_updates_instead_of_duplicating(
    tmp_path: Path, rent_strike: Article, client: Client
) -> None:
    run_import(write(tmp_path, conversation()))
    changed = conversation().replace("<p>Agreed.</p>", "<p>Agreed, and said so.</p>")
    output = run_import(write(tmp_path, changed))

    assert Comment.objects.filter(article=rent_strike).count() == 5
    assert "comment: 0 created, 1 updated, 4 unchanged, 2 skipped" in output
    response = client.get(rent_strike.get_absolute_url())
    assert "Agreed, and said so." in response.content.decode()
    assert len(shown_comments(response)) == 3


def test_a_malformed_file_stops_the_import_and_stores_nothing(
    tmp_path: Path, rent_strike: Article
) -> None:
    text = conversation().replace("<isSpam>true</isSpam>", "<isSpam>true</isDeleted>")
    with pytest.raises(CommandError) as caught:
        run_import(write(tmp_path, text))
    line = next(
        n for n, row in enumerate(text.splitlines(), 1) if "<isSpam>true</isDeleted>" in row
    )
    assert str(caught.value) == (
        f"{tmp_path / 'disqus.xml'}:{line}:19: a closing tag that does not match: "
        f"expected </isSpam> (for <isSpam> at line {line}, column 5). Nothing was imported."
    )
    assert not Comment.objects.exists() and not ImportedItem.objects.exists()


def test_an_export_with_entities_is_refused_by_the_command(
    tmp_path: Path, rent_strike: Article
) -> None:
    laughs = '<?xml version="1.0"?>\n<!DOCTYPE disqus [<!ENTITY a "aaaaaaaaaa">]>\n<disqus/>\n'
    with pytest.raises(CommandError, match=r"disqus\.xml:2:\d+: a DTD .* is refused"):
        run_import(write(tmp_path, laughs))
    assert not Comment.objects.exists()


def test_reading_keeps_ids_in_memory_not_bodies(tmp_path: Path) -> None:
    body = "<p>" + "The meeting went on until ten. " * 70 + "</p>"  # about 2 kB
    posts = [post(str(n), "1", message=body, parent=str(n + 1) if n % 40 == 0 else None)
             for n in range(1, 2001)]  # fmt: skip
    path = write(tmp_path, export(thread("1", link=LINK), *posts))
    assert path.stat().st_size > 4_000_000

    tracemalloc.start()
    try:
        found = disqus.scan(path)
        read = sum(1 for _ in disqus.read_posts(path, found, {"1": 7}))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert read == 2000 and max(found.passes.values()) == 1  # a second pass for 50 replies
    assert peak < 1_500_000
