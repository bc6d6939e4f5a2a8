"""Fault-scenario fixtures: a live room in the test PostgreSQL, its residents and their
cookies, a private Redis, and helpers to start real Daphne workers against them."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from deliberation.agendas.models import Session
from deliberation.people.identity import resident_token
from deliberation.people.models import User
from tests.support.daphne import (
    DaphneServer,
    database_url_of_test_db,
    start_daphne,
    wait_until_answering,
)
from tests.support.private_redis import PrivateRedis

ORIGIN = None  # RoomClient: the origin of the page the socket belongs to (same host:port)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Factories set passwords; the slow default hasher would dominate these tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def rss_kib(pid: int) -> int:
    """Resident memory of a process in KiB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def server_connection_count(database: str) -> int:
    """PostgreSQL backends connected to ``database`` (Daphne workers' connections)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [database])
        return int(cursor.fetchone()[0])


@pytest.fixture
def postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("fault scenarios run against PostgreSQL (set DATABASE_URL)")


@dataclass
class FaultRoom:
    session: Session
    facilitator: User
    residents: list[User]
    cookies: list[str]
    facilitator_cookie: str

    @property
    def path(self) -> str:
        return f"/ws/sessions/{self.session.pk}/"


def _session_cookie(user: User) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


@pytest.fixture
def make_room(
    postgres_only: None,
    transactional_db: Any,
    session_factory: Any,
    facilitator_factory: Any,
    resident_factory: Any,
    organisation_factory: Any,
) -> Any:
    """``make_room(residents=20)``: a live public room, committed so servers see it."""

    def make(residents: int = 20) -> FaultRoom:
        org = organisation_factory()
        session = session_factory(agenda__organisation=org, state=Session.State.LIVE)
        facilitator = facilitator_factory(organisation=org)
        people = [resident_factory(region=org) for _ in range(residents)]
        cookie = settings.RESIDENT_COOKIE_NAME
        return FaultRoom(
            session=session,
            facilitator=facilitator,
            residents=people,
            cookies=[f"{cookie}={resident_token(p)}" for p in people],
            facilitator_cookie=_session_cookie(facilitator),
        )

    return make


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    with PrivateRedis() as redis:
        yield redis


@pytest.fixture
def workers() -> Iterator[Any]:
    """``workers(n, redis_url=..., database_url=...)`` -> started, answering Daphne servers."""
    started: list[DaphneServer] = []

    def start(
        count: int = 1,
        *,
        redis_url: str = "",
        database_url: str | None = None,
        prefix: str | None = None,
        extra_args: list[str] | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> list[DaphneServer]:
        env = {"DJANGO_SECRET_KEY": settings.SECRET_KEY, **(extra_env or {})}
        prefix = prefix or f"f{uuid.uuid4().hex[:8]}"  # one prefix: the workers share rooms
        servers = [
            start_daphne(
                database_url=database_url or database_url_of_test_db(),
                redis_url=redis_url,
                channel_prefix=prefix,
                extra_env=env,
                extra_args=extra_args,
            )
            for _ in range(count)
        ]
        started.extend(servers)
        wait_until_answering(servers)
        return servers

    yield start
    for server in started:
        with contextlib.suppress(Exception):
            server.stop()


def keep_logs() -> bool:
    return bool(os.environ.get("MADANG_KEEP_DAPHNE_LOGS"))


FIGURES = Path(__file__).resolve().parents[2] / "test-artifacts" / "faults"


@pytest.fixture
def record_figures(request: pytest.FixtureRequest) -> Any:
    """``record_figures(title, ledger)``: keep a scenario's figures for docs/reliability.md."""
    import json

    def record(title: str, ledger: Any) -> None:
        FIGURES.mkdir(parents=True, exist_ok=True)
        data = {"test": request.node.nodeid, "title": title, "row": ledger.row()}
        data.update(getattr(ledger, "__dict__", {}))
        with (FIGURES / "figures.jsonl").open("a", encoding="utf-8") as out:
            out.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
        print(f"\n[{title}] {ledger.row()} {ledger.extra}")

    return record


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The long scenarios run in `make test-faults` (MADANG_FAULT_SCENARIOS=1), not `make test`."""
    if os.environ.get("MADANG_FAULT_SCENARIOS"):
        return
    here = str(Path(__file__).parent)
    skip = pytest.mark.skip(reason="a long fault scenario: run by `make test-faults`")
    for item in items:
        if str(item.fspath).startswith(here) and item.get_closest_marker("slow"):
            item.add_marker(skip)
