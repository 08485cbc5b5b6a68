"""What `broadsheet serve` becomes once it has checked the key and collected the static
files: granian, in a fresh interpreter (`os.execv`, same process id).

granian forks its workers from the process that starts it, and a forked worker's resident
memory begins with everything that process holds. Started from the management command,
that was the whole site and collectstatic's leftovers (110-140 MB), on top of which each
worker loaded the site again; started from here, the parent holds granian only.

    python -m broadsheet.serving HOST PORT WORKERS THREADS
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> None:
    from granian import Granian
    from granian.constants import Interfaces

    host, port, workers, threads = argv
    Granian(
        "broadsheet.wsgi:application",
        address=host,
        port=int(port),
        interface=Interfaces.WSGI,
        workers=int(workers),
        blocking_threads=int(threads),
        respawn_failed_workers=True,
        log_access=False,
    ).serve()


if __name__ == "__main__":
    main(sys.argv[1:])
