"""Real deployments for the benchmark: Daphne processes, the bench database, process figures.

Madang runs as in production: ``madang.asgi:application`` in Daphne with DJANGO_DEBUG
off, the machine's PostgreSQL (a dedicated ``madang_bench_live`` database, created and
migrated here) and Redis (a random key prefix per deployment). The stock room runs
``benchmarks.baseline.asgi:application`` in the same Daphne against the same Redis.
Each process listens on a socket bound here (port 0, passed by file descriptor).

Madang is started through its launcher (``python -m madang.serve``, Daphne's own command
line plus a request-header deadline and WebSocket close frames on protocol failures), the
stock room through the plain ``daphne`` command; both get the same Daphne options.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
DAPHNE = Path(sys.executable).with_name("daphne")
MADANG_SERVE = [sys.executable, "-m", "madang.serve"]
BENCH_DB = "madang_bench_live"  # its own: the analysis bench uses madang_bench
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
MADANG_APP = "madang.asgi:application"
# With BENCH_PROFILE=<dir>, every measured step is sampled by py-spy (raw collapsed stacks).
PROFILE_DIR = os.environ.get("BENCH_PROFILE", "")
PY_SPY = Path(sys.executable).with_name("py-spy")
BASELINE_APP = "benchmarks.baseline.asgi:application"
# The options `make run` serves with, and a handshake allowance of 30 s instead of
# Daphne's 5 s: in a join storm handshakes queue for the database, and a resident whose
# join is slow should wait, not be dropped (both rooms get the same options). The
# message and frame limits are the launcher's defaults, spelled out for the plain daphne.
DAPHNE_OPTIONS = [
    "--websocket-max-message-size",
    "262144",
    "--websocket-max-frame-size",
    "262144",
    "--websocket_timeout",
    "86400",
    "--ping-interval",
    "20",
    "--ping-timeout",
    "30",
    "--websocket_connect_timeout",
    "30",
]


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def bench_database_url(conn_max_age: int | None = None) -> str:
    """The machine's PostgreSQL (from DATABASE_URL, else the local default), bench database."""
    base = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    parts = urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        raise RuntimeError("the benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    query = f"conn_max_age={conn_max_age}" if conn_max_age is not None else ""
    return urlunsplit((parts.scheme, parts.netloc, f"/{BENCH_DB}", query, ""))


def ensure_database(database_url: str) -> None:
    """Create the bench database on the same server if it does not exist yet."""
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(("postgresql", parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def delete_redis_prefix(url: str, prefix: str) -> int:
    """Remove every key a deployment left under its random prefix."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
        return len(keys)
    finally:
        client.close()


@dataclass
class ProcessFigures:
    """CPU seconds and resident memory of a set of processes, from /proc."""

    pids: list[int]

    def cpu_s(self) -> float:
        total = 0.0
        for pid in self.pids:
            with contextlib.suppress(OSError):
                stat = Path(f"/proc/{pid}/stat").read_text()
                fields = stat.rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        return total

    def rss_kb(self) -> int:
        total = 0
        for pid in self.pids:
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        return total


@dataclass
class Server:
    """One Daphne process."""

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    log: IO[bytes] | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def origin(self) -> str:
        return f"http://{HOST}:{self.port}"

    def ws_url(self, path: str) -> str:
        return f"ws://{HOST}:{self.port}{path}"

    def alive(self) -> bool:
        return self.process.poll() is None

    def tail(self, chars: int = 4000) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text(errors="replace")[-chars:]
        return ""

    def stop(self) -> None:
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.log is not None:
            self.log.close()
            self.log = None


@dataclass
class Deployment:
    """Several Daphne processes serving one application behind the same Redis."""

    name: str
    servers: list[Server]
    prefix: str
    redis: str

    metrics_token: str = ""

    @property
    def figures(self) -> ProcessFigures:
        return ProcessFigures([s.pid for s in self.servers])

    def loop_lag(self, since: float, until: float) -> dict[str, float | int | None]:
        """The largest event-loop lag any process saw between two ``time.time()`` values,
        from each process's /ops/metrics (Madang only; None for the stock room)."""
        if not self.metrics_token:
            return {"loop_lag_max_ms": None, "loop_stalls": None, "gc_max_ms": None}
        worst, stalls, gc_max = 0.0, 0, 0.0
        for server in self.servers:
            conn = http.client.HTTPConnection(HOST, server.port, timeout=10)
            try:
                conn.request(
                    "GET",
                    "/ops/metrics?format=json",
                    headers={"Host": HOST, "Authorization": f"Bearer {self.metrics_token}"},
                )
                data = json.loads(conn.getresponse().read())
            finally:
                conn.close()
            lags = [lag for second, lag in data["seconds"] if since - 1 <= second <= until]
            worst = max([worst, *lags])
            stalls += int(data["stalls"])
            gc_max = max(gc_max, float(data["gc"][2]["max_ms"]))
        return {
            "loop_lag_max_ms": round(worst, 1),
            "loop_stalls": stalls,
            "gc_max_ms": round(gc_max, 1),
        }

    def profile(self, label: str, seconds: float) -> list[subprocess.Popen[bytes]]:
        """Sample each server with py-spy for ``seconds`` (collapsed stacks in PROFILE_DIR)."""
        out = Path(PROFILE_DIR)
        out.mkdir(parents=True, exist_ok=True)
        return [
            subprocess.Popen(
                [
                    str(PY_SPY),
                    "record",
                    "--nonblocking",
                    "--rate",
                    "100",
                    "--format",
                    "raw",
                    "--duration",
                    str(max(1, int(seconds))),
                    "--pid",
                    str(server.pid),
                    "--output",
                    str(out / f"{self.name}-{label}-{i}.txt"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for i, server in enumerate(self.servers)
        ]

    def check_alive(self) -> None:
        for server in self.servers:
            if not server.alive():
                raise RuntimeError(f"{self.name} daphne on {server.port} died:\n{server.tail()}")


def _listening_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    sock.listen(4096)
    sock.set_inheritable(True)
    return sock


def _answers(port: int) -> bool:
    conn = http.client.HTTPConnection(HOST, port, timeout=2)
    try:
        conn.request("GET", "/__bench_ready__", headers={"Host": HOST})
        conn.getresponse().read()
        return True
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


def _start(app: str, env: dict[str, str], log_dir: Path, extra_args: list[str]) -> Server:
    sock = _listening_socket()
    port = sock.getsockname()[1]
    fd, name = tempfile.mkstemp(prefix=f"bench-daphne-{port}-", suffix=".log", dir=log_dir)
    os.close(fd)
    log_path = Path(name)
    log = log_path.open("wb")
    command = MADANG_SERVE if app == MADANG_APP else [str(DAPHNE)]
    args = [*command, "--fd", str(sock.fileno()), *DAPHNE_OPTIONS, *extra_args, app]
    process = subprocess.Popen(
        args,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        pass_fds=(sock.fileno(),),
    )
    sock.close()
    return Server(process=process, port=port, log_path=log_path, log=log)


def _environment(settings_module: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("MADANG_TEST_RUN", "DJANGO_DEBUG"):
        env.pop(name, None)
    env.update(
        {
            "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}",
            "DJANGO_SETTINGS_MODULE": settings_module,
            "DJANGO_ALLOWED_HOSTS": f"{HOST},localhost",
            "DJANGO_DEBUG": "0",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


@contextlib.contextmanager
def deployment(
    name: str,
    *,
    processes: int = 2,
    database_url: str = "",
    secret_key: str,
    log_dir: Path,
    extra_env: dict[str, str] | None = None,
    extra_args: list[str] | None = None,
    timeout: float = 60.0,
) -> Iterator[Deployment]:
    """Start ``processes`` Daphne processes of Madang (or the baseline), stop them after."""
    prefix = f"bench{secrets.token_hex(5)}"
    url = redis_url()
    metrics_token = ""
    if name == "madang":
        metrics_token = secrets.token_hex(16)
        env = _environment(
            "madang.settings",
            DATABASE_URL=database_url,
            REDIS_URL=url,
            MADANG_CHANNEL_PREFIX=prefix,
            DJANGO_SECRET_KEY=secret_key,
            # Statements are queued for analysis as in production; the tagger runs as its
            # own service, measured by the analysis bench, not inside this measurement.
            MADANG_ANALYSIS_MODE="queue",
            # Each process's event-loop lag, read after every step (/ops/metrics).
            MADANG_METRICS_TOKEN=metrics_token,
        )
        app = MADANG_APP
    else:
        env = _environment(
            "benchmarks.baseline.settings",
            REDIS_URL=url,
            BASELINE_CHANNEL_PREFIX=prefix,
            DJANGO_SECRET_KEY=secret_key,
        )
        app = BASELINE_APP
    env.update(extra_env or {})
    servers: list[Server] = []
    try:
        for _ in range(processes):
            servers.append(_start(app, env, log_dir, list(extra_args or [])))
        deadline = time.monotonic() + timeout
        for server in servers:
            while not _answers(server.port):
                if not server.alive():
                    raise RuntimeError(f"{name} daphne exited:\n{server.tail()}")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{name} daphne did not answer:\n{server.tail()}")
                time.sleep(0.2)  # polling a condition with a deadline
        yield Deployment(
            name=name, servers=servers, prefix=prefix, redis=url, metrics_token=metrics_token
        )
    finally:
        for server in servers:
            server.stop()
        with contextlib.suppress(Exception):
            delete_redis_prefix(url, prefix)
