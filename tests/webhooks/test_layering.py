"""The webhook outbox is a bottom layer, beside lib: it knows no article, comment, account
or moderation decision. The apps that own those decide the events and build the payloads,
and import webhooks; webhooks importing any of them back would tie every app to every
other through it."""

from __future__ import annotations

import ast
from pathlib import Path

import broadsheet.webhooks

WEBHOOKS = Path(broadsheet.webhooks.__file__).parent
# What the outbox may build on: itself, the site's small helpers, and Django and the like.
OWN = ("broadsheet.webhooks", "broadsheet.lib")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_webhooks_import_no_app_above_them() -> None:
    sources = [p for p in WEBHOOKS.rglob("*.py") if "migrations" not in p.parts]
    assert sources
    above = {
        f"{path.relative_to(WEBHOOKS)}: {name}"
        for path in sources
        for name in imported_modules(path)
        if (name == "broadsheet" or name.startswith("broadsheet.")) and not name.startswith(OWN)
    }
    assert above == set()
