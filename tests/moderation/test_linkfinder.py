"""Links however they are written (moderation/linkfinder.py): every obfuscated form is found
with its registered domain, and abbreviations, numbers, file names and prose are not links."""

from __future__ import annotations

import pytest

from broadsheet.moderation.linkfinder import MAX_LINKS, FoundLink, find_emails, find_links
from tests.pathological import within_guard


def only_link(text: str) -> FoundLink:
    links = find_links(text)
    assert len(links) == 1, links
    return links[0]


def test_a_url_with_a_scheme() -> None:
    link = only_link("Read https://News.BBC.co.uk/news/uk-politics-123?x=1. Then reply.")
    assert link == FoundLink(
        text="https://News.BBC.co.uk/news/uk-politics-123?x=1",
        host="news.bbc.co.uk",
        registered_domain="bbc.co.uk",
        suffix="co.uk",
        path=("news", "uk", "politics", "123"),
        obfuscated=False,
        shortener=False,
        scheme_less=False,
    )


@pytest.mark.parametrize(
    ("text", "host", "registered_domain"),
    [
        ("see www.example.com/page today", "example.com", "example.com"),
        ("buy at cheap-pills.ru now", "cheap-pills.ru", "cheap-pills.ru"),
        ("shop.example.com has it", "shop.example.com", "example.com"),
        ("news.bbc.co.uk says", "news.bbc.co.uk", "bbc.co.uk"),
        ("EXAMPLE.COM in capitals", "example.com", "example.com"),
        ("(see example.org)", "example.org", "example.org"),
        ("example.com's prices", "example.com", "example.com"),
        ("пример.рф", "xn--e1afmkfd.xn--p1ai", "xn--e1afmkfd.xn--p1ai"),
        ("src=//cdn.example.net/x.js", "cdn.example.net", "example.net"),
    ],
)
def test_scheme_less_names(text: str, host: str, registered_domain: str) -> None:
    link = only_link(text)
    assert (link.host, link.registered_domain, link.scheme_less) == (host, registered_domain, True)
    assert not link.obfuscated


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("visit example dot com today", "example dot com"),
        ("visit example DOT com today", "example DOT com"),
        ("visit example [dot] com today", "example [dot] com"),
        ("visit example[.]com today", "example[.]com"),
        ("visit example(.)com today", "example(.)com"),
        ("visit example ( . ) com today", "example ( . ) com"),
        ("visit example{.}com today", "example{.}com"),
        ("visit example . com today", "example . com"),
        ("visit example .com today", "example .com"),
        ("visit example。com today", "example。com"),
        ("visit ｅｘａｍｐｌｅ．ｃｏｍ today", "ｅｘａｍｐｌｅ．ｃｏｍ"),
        ("visit exam\u200bple.com today", "exam\u200bple.com"),
        ("visit hxxp://example.com today", "hxxp://example.com"),
        ("visit hxxps://example[.]com/ today", "hxxps://example[.]com/"),
        ("visit h**p://example.com today", "h**p://example.com"),
        ("visit HXXP[:]//example.com today", "HXXP[:]//example.com"),
        ("visit hxxp://example dot com today", "hxxp://example dot com"),
        ("visit www[.]example[.]com today", "www[.]example[.]com"),
    ],
)
def test_obfuscated_forms_are_found_as_written(text: str, written: str) -> None:
    link = only_link(text)
    assert link.text == written
    assert (link.host, link.registered_domain, link.suffix) == (
        "example.com",
        "example.com",
        "com",
    )
    assert link.obfuscated


def test_spelled_out_dots_keep_a_longer_suffix() -> None:
    link = only_link("on bbc dot co dot uk")
    assert (link.host, link.registered_domain, link.text) == (
        "bbc.co.uk",
        "bbc.co.uk",
        "bbc dot co dot uk",
    )


def test_markdown_and_html_links() -> None:
    [markdown] = find_links("[cheap meds](https://shop.example.com/buy-now)")
    assert (markdown.registered_domain, markdown.path) == ("example.com", ("buy", "now"))
    [bare] = find_links("[here](cheap-pills.ru)")
    assert bare.host == "cheap-pills.ru"
    [html] = find_links('<a href="http://spam.example.org/x">click</a>')
    assert html.host == "spam.example.org"
    [unquoted] = find_links("<a href=spam.example.org>click</a>")
    assert unquoted.host == "spam.example.org"


def test_a_name_written_as_a_links_text_and_target_counts_once() -> None:
    assert len(find_links("[example.com](https://example.com/)")) == 1
    assert len(find_links('<a href="https://www.example.com">example.com</a>')) == 1
    # Text that names another site than the target is worth knowing about.
    hosts = [link.host for link in find_links("[paypal.com](https://evil.example.ru)")]
    assert hosts == ["paypal.com", "evil.example.ru"]


@pytest.mark.parametrize(
    "text", ["bit.ly/3xYz", "https://bit.ly/3xYz", "t.co/abc", "go to t.co", "tinyurl.com/y5"]
)
def test_shorteners_are_flagged(text: str) -> None:
    assert only_link(text).shortener


def test_ordinary_links_are_not_shorteners() -> None:
    assert not only_link("https://example.com/a").shortener


def test_addresses_without_a_public_suffix() -> None:
    ip = only_link("http://192.168.0.1/admin")
    assert (ip.host, ip.registered_domain, ip.suffix) == ("192.168.0.1", "192.168.0.1", "")
    assert only_link("http://localhost:8000/").host == "localhost"
    assert find_links("www.example is not") == []


def test_a_path_makes_a_file_like_or_short_name_a_link() -> None:
    assert only_link("get.sh/install").host == "get.sh"
    assert only_link("https://example.zip").host == "example.zip"


@pytest.mark.parametrize(
    "text",
    [
        "e.g. this",
        "i.e. that",
        "and so on etc. and so forth",
        "Mr.Smith said",
        "version 2.0.1 is out",
        "pi is 3.14 or so",
        "the U.S. and the U.K.",
        "the end of sentence.Then another",
        "open file.txt",
        "run script.py",
        "edit docs.config.py and notes.md",
        "unzip archive.zip",
        "watch clip.mov",
        "no.no",
        "well...ok",
        "at 9 a.m. sharp",
        "I agree.Now we go",
        "That was great.Top marks",
        "It's over.Online now",
        "I said no.Me too",
        "she was on the dot at nine",
        "the dot com bubble",
        "an early dot com",
        "u.s.army",
        "src/setup.py",
        "~/notes.com",
        "#example.com",
    ],
)
def test_ordinary_text_has_no_links(text: str) -> None:
    assert find_links(text) == []


def test_email_addresses_are_not_links() -> None:
    text = "Write to john.smith@example.com or jane [at] mail.example.org, not spam.example.net"
    assert [link.host for link in find_links(text)] == ["spam.example.net"]
    assert find_emails(text) == ["example.com", "mail.example.org"]
    assert find_emails("see https://user@example.com/") == []


def test_many_links_are_cut_at_the_limit() -> None:
    links = find_links(" ".join(f"site{n}.com" for n in range(200)))
    assert len(links) == MAX_LINKS
    assert links[0].host == "site0.com"


@pytest.mark.parametrize(
    "unit",
    [
        "a.",
        "ab.",
        "dot ",
        "ab dot com ",
        "the dot com ",
        "hxxp",
        "hxxp://",
        "hxxp://a.a",
        "a[.]",
        "[x](",
        "<a href=",
        "a@",
        "a.py.",
        "a." * 126 + "py ",
        "é.",
        "ｅ．",
        "a\u200b.",
        "site.com ",
        "a (.) ",
    ],
)
def test_adversarial_input_finishes_quickly(unit: str) -> None:
    text = (unit * 100_000)[:100_000]
    within_guard(lambda: find_links(text), f"find_links({unit[:20]!r} * n)")
    within_guard(lambda: find_emails(text), f"find_emails({unit[:20]!r} * n)")
