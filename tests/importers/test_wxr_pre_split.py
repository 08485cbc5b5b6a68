"""The WXR exporter's <pre> scanner cuts HTML exactly where the pattern it replaced did.

`export_wxr._pre_split` stands in for `re.split(r"(<pre\\b.*?</pre>)", …, DOTALL |
IGNORECASE)`, which can backtrack (broadsheet/lib/linear.py); the old pattern is kept
here, in a test, as the reference, and the two are compared on text built from the
pieces that matter (tag fragments in both cases, word characters after "<pre", line
breaks), and timed on text the old pattern is slow on.
"""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from broadsheet.importers.export_wxr import _pre_split, wordpress_html

OLD_PRE = re.compile(r"(<pre\b.*?</pre>)", re.DOTALL | re.IGNORECASE)
PIECES = ["<pre", "<PRE", "<Pre", "</pre>", "</PRE>", "</pre", ">", "<", "/", "pre", "x", "_",
          "é", "1", " ", "\n", "<pre>", "<pre class=a>", "<prex>", "<p>", "</p>"]  # fmt: skip


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<p>a\nb</p>",
        "<pre>a\nb</pre>",
        "a\n<pre>b\nc</pre>\nd<PRE class='x'>e\nf</Pre>g",
        "<pre>unclosed\n<pre>still</pre",
        "<pre</pre>",
        "<prefix>a\nb</pre>",
        "<preé>a\nb</pre>",  # é is a word character: not a <pre> tag
        "<pre_x>a</pre>",
        "<pre>a</pre></pre><pre>b</pre>",
    ],
)
def test_cuts_as_the_old_pattern_did(html: str) -> None:
    assert _pre_split(html) == OLD_PRE.split(html)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_cuts_as_the_old_pattern_did_on_any_mix_of_the_pieces(html: str) -> None:
    assert _pre_split(html) == OLD_PRE.split(html)


def test_many_unclosed_pre_tags_take_linear_time() -> None:
    # The old pattern tried every "<pre" against the rest of the text: quadratic.
    html = "<pre>" * 20_000
    started = time.perf_counter()
    assert wordpress_html(html) == html
    assert time.perf_counter() - started < 2  # a guard against a hang, not a speed test
