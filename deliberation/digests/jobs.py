"""Work that must not run on a request thread or the event loop: digest builds, webhooks."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any

from asgiref.sync import SyncToAsync
from django.db import close_old_connections

log = logging.getLogger(__name__)


def _run(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], loop: Any) -> None:
    if loop is not None:
        # Let async_to_sync in this thread (channel-layer publishes) run on the server's
        # event loop, as it does in request threads; the in-memory layer needs that.
        SyncToAsync.threadlocal.main_event_loop = loop
        SyncToAsync.threadlocal.main_event_loop_pid = os.getpid()
    close_old_connections()
    try:
        fn(*args, **kwargs)
    except Exception:
        log.exception("background job %s failed", getattr(fn, "__name__", fn))
    finally:
        close_old_connections()


def run_in_background(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Start ``fn`` on its own daemon thread with its own database connection."""
    loop = None
    if getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) == os.getpid():
        loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    thread = threading.Thread(
        target=_run, args=(fn, args, kwargs, loop), name=f"madang-{fn.__name__}", daemon=True
    )
    thread.start()
