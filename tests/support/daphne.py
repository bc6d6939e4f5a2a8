"""Start real Daphne processes serving Madang, for multi-process, benchmark and fault tests.

They run through Madang's launcher (``python -m madang.serve``), as ``make run`` and the
image do, so the tests meet the same limits as a deployment.

Each process gets a listening socket bound by this module (port 0, passed by file
descriptor, so no two tests can race for a port) and is ready when it answers an HTTP
request. Use ``database_url_of_test_db()`` to point the processes at the database
pytest-django created (tests that use it need ``transactional_db`` so rows commit).

    with daphne_servers(2, database_url=database_url_of_test_db(), redis_url=url) as servers:
        servers[0].ws_url("/ws/sessions/1/")
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[2]
SERVE = [sys.executable, "-m", "madang.serve"]
HOST = "127.0.0.1"


@dataclass
class DaphneServer:
    """One running Daphne process and where it listens."""

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    _log: IO[bytes] | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def origin(self) -> str:
        return f"http://{HOST}:{self.port}"

    def http_url(self, path: str = "/") -> str:
        return f"http://{HOST}:{self.port}{path}"

    def ws_url(self, path: str) -> str:
        return f"ws://{HOST}:{self.port}{path}"

    def log(self) -> str:
        """What the process printed so far (for assertion messages)."""
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` (SIGKILL by default: a crash, no goodbye) and reap the process."""
        if self.alive():
            self.process.send_signal(sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """Ask politely (SIGTERM), then insist."""
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None
        if not os.environ.get("MADANG_KEEP_DAPHNE_LOGS"):
            self.log_path.unlink(missing_ok=True)


def database_url_of_test_db() -> str:
    """A DATABASE_URL naming the database the running tests use (pytest-django's test DB)."""
    from django.db import connection

    s = connection.settings_dict
    engine = s["ENGINE"]
    if engine.endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    if "postgresql" in engine:
        user = s.get("USER") or ""
        password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
        auth = f"{user}{password}@" if user else ""
        port = f":{s['PORT']}" if s.get("PORT") else ""
        return f"postgres://{auth}{s.get('HOST') or '127.0.0.1'}{port}/{s['NAME']}"
    raise RuntimeError(f"no DATABASE_URL form for {engine}")


def _listening_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


def _answers(port: int) -> bool:
    conn = http.client.HTTPConnection(HOST, port, timeout=2)
    try:
        conn.request("GET", "/__ready__", headers={"Host": HOST})
        conn.getresponse().read()
        return True
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


def start_daphne(
    *,
    database_url: str,
    redis_url: str = "",
    channel_prefix: str | None = None,
    extra_env: Mapping[str, str] | None = None,
    extra_args: list[str] | None = None,
    log_dir: Path | None = None,
) -> DaphneServer:
    """Start one Daphne process on a fresh port; returns before it is ready (see wait).

    ``extra_args`` go to the launcher (any Daphne option, or ``--header-timeout``)."""
    sock = _listening_socket()
    port = sock.getsockname()[1]
    env = dict(os.environ)
    env.update(
        {
            "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}",
            "DJANGO_SETTINGS_MODULE": "madang.settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "DJANGO_ALLOWED_HOSTS": f"{HOST},localhost,testserver",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if channel_prefix is not None:
        env["MADANG_CHANNEL_PREFIX"] = channel_prefix
    env.pop("MADANG_TEST_RUN", None)
    env.update(extra_env or {})
    log_dir = log_dir or Path(tempfile.gettempdir())
    log_path = Path(tempfile.mkstemp(prefix=f"daphne-{port}-", suffix=".log", dir=log_dir)[1])
    log = log_path.open("wb")
    args = [
        *SERVE,
        "--fd",
        str(sock.fileno()),
        "--websocket_timeout",
        "-1",
        "--ping-interval",
        "20",
        "--ping-timeout",
        "30",
        "-v",
        "1",
        *(extra_args or []),
        "madang.asgi:application",
    ]
    process = subprocess.Popen(
        args,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        pass_fds=(sock.fileno(),),
    )
    sock.close()
    return DaphneServer(process=process, port=port, log_path=log_path, _log=log)


def wait_until_answering(servers: list[DaphneServer], *, timeout: float = 60.0) -> None:
    """Poll each server with an HTTP request until it answers, or fail with its log."""
    deadline = time.monotonic() + timeout
    pending = list(servers)
    while pending:
        server = pending[0]
        if not server.alive():
            raise RuntimeError(f"daphne on {server.port} exited:\n{server.log()}")
        if _answers(server.port):
            pending.pop(0)
            continue
        if time.monotonic() > deadline:
            raise TimeoutError(f"daphne on {server.port} did not answer:\n{server.log()}")
        time.sleep(0.1)  # polling a condition with a deadline, not synchronising


@contextlib.contextmanager
def daphne_servers(
    count: int, *, timeout: float = 60.0, **options: Any
) -> Iterator[list[DaphneServer]]:
    """Start ``count`` Daphne processes with the same options; stop them afterwards."""
    servers: list[DaphneServer] = []
    try:
        for _ in range(count):
            servers.append(start_daphne(**options))
        wait_until_answering(servers, timeout=timeout)
        yield servers
    finally:
        for server in servers:
            server.stop()
