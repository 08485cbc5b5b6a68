"""`broadsheet demo-content`: load the Northgate Courier, the sample newsroom `make demo` shows.

Safe to run again: it finds its rows by slug and username and leaves existing ones as they
are (`--reset` puts the shipped text back). The editor's login goes to var/demo-login.txt.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from broadsheet.demo.content import DemoContentError
from broadsheet.demo.install import install_demo_content


class Command(BaseCommand):
    help = (
        "Load the demo newsroom (articles, bylines, topics, a Newsdesk account and an editor "
        "whose login is written to var/demo-login.txt). Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Put the demo topics, authors and articles back as shipped, undoing edits.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = install_demo_content(Path(settings.VAR_DIR), reset=options["reset"])
        except DemoContentError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(summary))
