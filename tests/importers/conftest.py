"""A fixture to import a WordPress export. The exports written for these tests (`wxr()`,
`post()`, `page()`, `comment()`) are in helpers.py.
"""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command


@pytest.fixture
def import_wxr(tmp_path: Path) -> Callable[..., str]:
    """Write `text` to a file and run `broadsheet import-wxr` on it; returns the output."""

    def run(text: str, *options: str, name: str = "export.xml") -> str:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        out = StringIO()
        call_command("import-wxr", str(path), *options, stdout=out)
        return out.getvalue()

    return run
