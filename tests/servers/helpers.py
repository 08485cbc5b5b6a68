"""Helpers for the two-server tests: where the shared PostgreSQL and Redis are, and the
two servers with their database, as the `site` fixture hands them to a test."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from pathlib import Path

from .tools import Database, Server, TcpProxy

# The Redis database the servers use (under a key prefix of their own).
REDIS_DB = 7


@dataclass
class Shared:
    """Where the shared services are: the PostgreSQL server (not a database on it) and
    Redis."""

    postgres: Database
    redis_host: str
    redis_port: int


@dataclass
class Site:
    a: Server
    b: Server
    database: Database
    database_proxy: TcpProxy
    env: dict[str, str]
    home: Path
    key_prefix: str
    shared: Shared

    @property
    def servers(self) -> list[Server]:
        return [self.a, self.b]

    def server_env(self, **changes: str) -> dict[str, str]:
        return {**self.env, **changes}


def random_word(length: int = 8) -> str:
    """Letters only, to make a comment unique: a random run of digits can read as a phone
    number to the spam filter, and the comment would be held for that."""
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(length))
