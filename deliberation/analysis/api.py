"""What other apps call: ``enqueue_analysis`` when a text is written, and the drain.

``enqueue_analysis`` records a pending ``TextAnalysis`` row (a single small write)
and wakes this process's analysis worker; it never tags anything itself, so a post
never waits for the tagger. How pending rows get analysed is the
``MADANG_ANALYSIS_MODE`` setting:

- ``worker`` (default): a worker process started lazily by this process (see
  ``worker.py`` for why a subprocess fed from the database).
- ``sync``: analysed at once in the calling thread; for tests and scripts only.
- ``queue``: only recorded; ``analysis_drain()`` (tests) or
  ``manage.py analysis_worker`` (a dedicated service) analyses them.
"""

from __future__ import annotations

import atexit
import fcntl
import hashlib
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import TextAnalysis, TextKind

log = logging.getLogger(__name__)

KINDS = frozenset(TextKind.values)


@dataclass(frozen=True)
class AnalysedText:
    """A text the worker claimed, as written (before any normalisation)."""

    kind: str
    object_id: int
    session_id: int | None
    text: str


TextHook = Callable[[Sequence[AnalysedText]], object]
_text_hooks: list[TextHook] = []


def register_text_hook(hook: TextHook) -> TextHook:
    """Run ``hook`` on every batch of texts the worker claims (registered in ready()).

    Hooks run in the worker, off the post's path, before the texts are tagged; a hook
    that fails is logged and the batch is analysed all the same.
    """
    if hook not in _text_hooks:
        _text_hooks.append(hook)
    return hook


def run_text_hooks(texts: Sequence[AnalysedText]) -> None:
    for hook in list(_text_hooks):
        try:
            hook(texts)
        except Exception:
            log.exception("text hook %s failed", getattr(hook, "__name__", hook))


def _mode() -> str:
    return getattr(settings, "MADANG_ANALYSIS_MODE", "worker")


def enqueue_analysis(kind: str, object_id: int) -> None:
    """Queue one statement or proposal for analysis; call it from transaction.on_commit.

    Never raises for operational trouble (it runs after the write committed): a
    failure is logged and the text can be re-queued by ``analysis_backfill``.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown analysis kind: {kind!r}")
    try:
        _record_pending(kind, int(object_id))
    except Exception:
        log.exception("could not queue %s %s for analysis", kind, object_id)
        return
    _start_analysis()


def enqueue_analysis_in_transaction(kind: str, object_id: int) -> None:
    """Queue a text in the transaction that writes it (the write path's choice).

    The pending row commits or rolls back with the text itself: one commit for both, and
    no text is stored without its place in the queue. The worker is woken (or, in ``sync``
    mode, the queue drained) after the commit.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown analysis kind: {kind!r}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("enqueue_analysis_in_transaction must run inside transaction.atomic")
    _record_pending(kind, int(object_id))
    transaction.on_commit(_start_analysis)


def _start_analysis() -> None:
    """Wake whatever analyses pending rows in this mode; never raises (after a commit)."""
    try:
        mode = _mode()
        if mode == "sync":
            analysis_drain()
        elif mode == "worker":
            worker_handle.wake()
    except Exception:
        log.exception("could not start the analysis of pending texts")


def _record_pending(kind: str, object_id: int) -> None:
    # One upsert: a new text becomes pending; a re-queued one (an edited proposal)
    # becomes pending again and loses any claim on its old text.
    TextAnalysis.objects.bulk_create(
        [
            TextAnalysis(
                kind=kind,
                object_id=object_id,
                state=TextAnalysis.State.PENDING,
                claimed_by="",
                claimed_at=None,
                requested_at=timezone.now(),
                attempts=0,
            )
        ],
        update_conflicts=True,
        unique_fields=["kind", "object_id"],
        update_fields=["state", "claimed_by", "claimed_at", "requested_at", "attempts"],
    )


def analysis_drain(*, limit: int | None = None) -> int:
    """Analyse every pending text now, in this process; returns how many were stored."""
    from .worker import process_pending

    return process_pending(limit=limit)


def pending_count() -> int:
    return TextAnalysis.objects.filter(state=TextAnalysis.State.PENDING).count()


def worker_lock_path() -> Path:
    """One analysis worker per database per host: the file its worker holds locked."""
    db = settings.DATABASES["default"]
    ident = "|".join(str(db.get(k, "")) for k in ("ENGINE", "HOST", "PORT", "NAME"))
    digest = hashlib.sha256(ident.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"madang-analysis-{digest}.lock"


def worker_lock_is_held() -> bool:
    """Whether some process on this host runs the worker for this database."""
    with open(worker_lock_path(), "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


class WorkerHandle:
    """This process's analysis worker subprocess, started on first use.

    Several server processes on one host share one worker: a process whose sibling
    already runs it (the lock file is held) starts none and leaves its texts to that
    worker's polling, checking again after ``RECHECK_SECONDS``.
    """

    RECHECK_SECONDS = 30.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._served_elsewhere_until = 0.0

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def _start(self) -> subprocess.Popen[bytes]:
        base = Path(settings.BASE_DIR)
        env = dict(os.environ)
        paths = [str(base / "platform"), str(base)]
        if env.get("PYTHONPATH"):
            paths.append(env["PYTHONPATH"])
        env["PYTHONPATH"] = os.pathsep.join(paths)
        env.setdefault("DJANGO_SETTINGS_MODULE", "madang.settings")
        env["MADANG_ANALYSIS_LOCK"] = str(worker_lock_path())
        proc = subprocess.Popen(
            [sys.executable, "-m", "deliberation.analysis.worker_process"],
            stdin=subprocess.PIPE,
            cwd=str(base),
            env=env,
            close_fds=True,
        )
        assert proc.stdin is not None
        os.set_blocking(proc.stdin.fileno(), False)
        return proc

    def wake(self) -> None:
        """Start the worker if none serves this database, and tell it there is work."""
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._proc = None
                now = time.monotonic()
                if now < self._served_elsewhere_until:
                    return
                try:
                    if worker_lock_is_held():
                        self._served_elsewhere_until = now + self.RECHECK_SECONDS
                        return
                    self._proc = self._start()
                except OSError:
                    log.exception("could not start the analysis worker")
                    return
            stdin = self._proc.stdin
        try:
            assert stdin is not None
            os.write(stdin.fileno(), b"\n")
        except (BlockingIOError, BrokenPipeError, OSError, ValueError):
            # A full pipe means the worker already has wake-ups waiting.
            pass

    def stop(self, timeout: float = 5.0) -> None:
        """Close the pipe (the worker exits on EOF) and wait for it."""
        with self._lock:
            proc, self._proc = self._proc, None
            self._served_elsewhere_until = 0.0
        if proc is None:
            return
        if proc.stdin is not None:
            try:
                proc.stdin.close()
            except OSError:
                pass
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.terminate()
            proc.wait(timeout=timeout)


worker_handle = WorkerHandle()
atexit.register(worker_handle.stop)
