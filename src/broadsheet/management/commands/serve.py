"""`broadsheet serve`: the production HTTP server (granian, WSGI) with static files.

Without SECRET_KEY it serves loopback only (the demo, a site behind a proxy on this
machine), with the key settings.py generated under var/, and says so first; on any other
address it refuses before anything starts. Static files are then collected (hashed and
compressed by whitenoise) so the server can start from a fresh checkout;
`--no-collectstatic` skips that when a deploy step did it.
"""

from __future__ import annotations

import fcntl
import ipaddress
import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


def is_loopback(host: str) -> bool:
    """Whether listening on `host` lets in only this machine (127.0.0.0/8, ::1, localhost)."""
    name = host.strip().removeprefix("[").removesuffix("]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:  # a host name, or "" (every address)
        return False


def _shown(path: Path) -> str:
    """`path` as the operator would type it from here: relative when under the directory."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def check_secret_key(host: str) -> str:
    """The line to print first when serving with the generated key ("" with SECRET_KEY set);
    CommandError when that key would be served beyond this machine."""
    if not settings.SECRET_KEY_GENERATED:
        return ""
    if not is_loopback(host):
        raise CommandError(
            f"Refusing to serve on {host} without SECRET_KEY: set it in the environment or "
            f"in {_shown(settings.BASE_DIR / '.env')} to a long random value (python3 -c "
            "'import secrets; print(secrets.token_urlsafe(50))'); a generated key is only "
            "for serving on 127.0.0.1."
        )
    return (
        f"No SECRET_KEY set: using a generated key kept in "
        f"{_shown(settings.VAR_DIR / 'secret_key')} (fine on this machine only; set "
        "SECRET_KEY before serving on a network)."
    )


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
        if note := check_secret_key(options["host"]):
            self.stdout.write(note)
            self.stdout.flush()  # before collectstatic, which can take a while
        if not options["no_collectstatic"]:
            collect_static_files()
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "broadsheet.settings")
        self.stdout.write(
            f"Serving on http://{options['host']}:{options['port']}/ "
            f"with {options['workers']} worker(s)",
        )
        self.stdout.flush()
        # granian starts from a fresh interpreter in this same process (see serving.py):
        # its workers are forked from it, and would otherwise begin with all of this one.
        arguments = [options["host"], options["port"], options["workers"], options["threads"]]
        os.execv(
            sys.executable,
            [sys.executable, "-m", "broadsheet.serving", *map(str, arguments)],
        )
