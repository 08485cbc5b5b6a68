"""The compiled date formats give exactly what Django's dateformat gives."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import dateformat, translation

from broadsheet.lib.dates import formatter

FORMATS = [
    "D, d/m/Y - H:i",
    "j F, Y - G:i",
    "l jS \\o\\f F Y",  # S is not compiled: handed to Django whole
    "d.m.y H:i:s",
    "M j, Y",
    "\\D\\a\\y: j",
    "Y-m-d\\TH:i",
]
MOMENTS = [
    dt.datetime(2019, 12, 7, 17, 54, tzinfo=dt.UTC),
    dt.datetime(2024, 2, 29, 0, 5, 9, tzinfo=dt.UTC),
    dt.datetime(1999, 1, 1, 9, 0, tzinfo=dt.UTC),
    dt.datetime(2031, 9, 14, 23, 59, 59, tzinfo=dt.UTC),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_same_as_django(fmt: str, language: str) -> None:
    with translation.override(language):
        for moment in MOMENTS:
            assert formatter(fmt)(moment) == dateformat.format(moment, fmt)
