"""Hypothesis throws generated text at everything that reads a reader's words: the spam
filter's features, screening's link finder and blocked terms, both Markdown renderers,
display names, and the XML cleaner. Nothing may raise, and no example may take longer
than GUARD_SECONDS: a generous guard against a freeze on a busy machine, not a speed test
(bench/pathological has the figures).

The text is drawn from the characters that make parsers work hardest (brackets, markup,
quotes, list markers, digits, dots, controls) as well as from all of Unicode, in runs long
enough to reach the nesting and backtracking limits.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from broadsheet.accounts.names import name_key
from broadsheet.discussion.models import Comment
from broadsheet.lib.rendering import html_to_text, render_article_markdown, render_comment_markdown
from broadsheet.lib.xmltext import xml_safe
from broadsheet.moderation import classifier, features, screening, spamfilter, tokens
from tests.pathological import GUARD_SECONDS

FRAGMENTS = [
    "[", "]", "(", ")", "[x](", "](", "<a ", "<", ">", "> ", "- ", "* ", "1. ", "  ", "\n",
    "\n\n", "*", "_", "**", "`", "```", "~", "#", "&#x", "&amp;", ";", "\\", "[url=",
    "[/url]", "http://", "https://", "www.", ".", "..", "@", "-", "example", ".com", ".co.uk",
    "12", " 34", "+44 ", "$", "£5", "!!", "'", "’", "word", "WORD", "\x07", "\x1b", "\ufffe",
    "\u202e", "\u200b", "é", "ß", "İ", "ﬁ", "ｆ", "\U0001f600",
]  # fmt: skip
pathological_text = st.one_of(
    st.lists(st.sampled_from(FRAGMENTS), max_size=1500).map("".join),
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=3).map(
        lambda parts: "".join(parts) * 1500
    ),
    st.text(max_size=3000),
)
fuzz = settings(
    max_examples=60,
    deadline=dt.timedelta(seconds=GUARD_SECONDS),
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def unsaved_comment(body: str, name: str = "Nadia Holm") -> Comment:
    return Comment(name=name, email="nadia@example.net", homepage="", body_source=body)


@fuzz
@given(body=pathological_text, name=pathological_text)
def test_the_classifiers_tokens_of_any_text(body: str, name: str) -> None:
    comment = unsaved_comment(body, name[:200])
    groups = tokens.comment_groups(comment)
    assert set(groups) == {"words", "chars", "signals", "sender"}
    assert all(len(token) <= features.MAX_TOKEN_LENGTH for token in groups["signals"])
    # Scored as the request path scores it (the site's own model aside: no database here).
    vector = classifier.vectorise(groups)
    assert 0.0 <= spamfilter.abuse_scorer().probability(vector) <= 1.0
    assert len(vector[0]) <= sum(len(group) for group in groups.values())


@fuzz
@given(body=pathological_text)
def test_the_hosts_linked_from_any_text(body: str) -> None:
    for host in screening.linked_hosts(body):
        assert host == host.strip().lower()


@fuzz
@given(body=pathological_text)
def test_blocked_terms_in_any_text(body: str) -> None:
    terms = ["cheap pills", "f*ck", "$$$", "straße", "[x]("]
    screening._contains_blocked_word(body, terms)


@fuzz
@given(source=pathological_text)
def test_rendering_any_comment(source: str) -> None:
    html = render_comment_markdown(source)
    assert "<script" not in html.lower()
    html_to_text(html)


@fuzz
@given(source=pathological_text)
def test_rendering_any_article_body(source: str) -> None:
    html = render_article_markdown(source)
    assert "<script" not in html.lower()
    html_to_text(html)


@fuzz
@given(name=pathological_text)
def test_the_key_of_any_name(name: str) -> None:
    name_key(name[:400])


@fuzz
@given(text=pathological_text)
def test_xml_safe_leaves_only_what_xml_allows(text: str) -> None:
    cleaned = xml_safe(text)
    assert all(
        char in "\t\n\r"
        or "\x20" <= char <= "\ud7ff"
        or "\ue000" <= char <= "\ufffd"
        or char >= "\U00010000"
        for char in cleaned
    )
