"""Entry point of the analysis worker process: set up Django, then run the loop.

Started by ``api.WorkerHandle`` as ``python -m deliberation.analysis.worker_process``
with its stdin as the wake-up pipe (EOF = the parent is gone).
"""

from __future__ import annotations

import fcntl
import logging
import os
import sys

ALREADY_SERVED = 3


def main() -> None:
    import django

    # Analysis can wait; the live room cannot. On a small machine the worker yields
    # the CPU to the server processes (MADANG_ANALYSIS_NICE=0 to turn this off).
    os.nice(int(os.environ.get("MADANG_ANALYSIS_NICE", "10")))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madang.settings")
    django.setup()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    from deliberation.analysis.worker import run_forever

    lock_path = os.environ.get("MADANG_ANALYSIS_LOCK")
    if lock_path:
        # Held for the life of the process (the kernel drops it when we die).
        lock = open(lock_path, "a+b")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            logging.getLogger(__name__).info("another analysis worker serves this database")
            sys.exit(ALREADY_SERVED)
    try:
        run_forever(wake_fd=sys.stdin.fileno())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
