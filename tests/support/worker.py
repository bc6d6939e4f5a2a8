"""Start Madang's background worker (``manage.py task_worker``) as a real process.

with task_worker(env) as worker:
    ...            # builds and webhook deliveries queued by servers now run
    worker.kill()  # a crash: the task it was running stays behind in the database
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log_path: Path
    _log: IO[bytes]

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.alive():
            self.process.send_signal(sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def start_worker(env: Mapping[str, str], log_path: Path, *, sweep_every: float = 1.0) -> Worker:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("ab")
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "task_worker",
            "--interval",
            "0.2",
            "--no-startup-delay",
            "--no-reload",
            "--sweep-every",
            str(sweep_every),
        ],
        cwd=ROOT,
        env=dict(env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return Worker(process, log_path, log)


@contextlib.contextmanager
def task_worker(
    env: Mapping[str, str], log_path: Path, *, sweep_every: float = 1.0
) -> Iterator[Worker]:
    worker = start_worker(env, log_path, sweep_every=sweep_every)
    try:
        yield worker
    finally:
        worker.kill(signal.SIGTERM)
        worker.kill()
        worker._log.close()
