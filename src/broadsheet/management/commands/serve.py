"""`broadsheet serve`: the production HTTP server (granian, WSGI) with static files.

Static files are collected first (hashed and compressed by whitenoise) so the server can
start from a fresh checkout; `--no-collectstatic` skips that when a deploy step did it.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


def collect_static_files() -> None:
    """collectstatic, one server at a time: servers sharing a directory (several on one
    machine, or a shared mount) would otherwise delete and rewrite each other's files."""
    root = Path(settings.STATIC_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    with (root.parent / ".collectstatic.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        call_command("collectstatic", interactive=False, verbosity=0)


class Command(BaseCommand):
    help = "Serve Broadsheet with the production server (granian) and whitenoise static files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_WORKERS", "0")) or (os.cpu_count() or 1),
            help="Worker processes (default: one per CPU).",
        )
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))
        parser.add_argument("--no-collectstatic", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        from granian import Granian
        from granian.constants import Interfaces

        if not options["no_collectstatic"]:
            collect_static_files()
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "broadsheet.settings")
        self.stdout.write(
            f"Serving on http://{options['host']}:{options['port']}/ "
            f"with {options['workers']} worker(s)",
        )
        self.stdout.flush()
        Granian(
            "broadsheet.wsgi:application",
            address=options["host"],
            port=options["port"],
            interface=Interfaces.WSGI,
            workers=options["workers"],
            blocking_threads=options["threads"],
            respawn_failed_workers=True,
            log_access=False,
        ).serve()
