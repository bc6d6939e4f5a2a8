"""``manage.py digest_text FILE``: the digest of statements in a text file, as JSON.

Each non-empty line of FILE (UTF-8) is one statement; a line may start with its stance
("[찬성] ...", "반대: ...", "question<TAB>..."). The statements go through the
production analysis and digest pipeline as one session's would on a fresh
installation: the command runs itself again on a scratch SQLite database in a
temporary folder, so the installation's own database is neither read nor written.
It prints keywords with the number of lines using each, the key statements with the
lines they cite, and stance groups when stances were given.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from deliberation.digests.textfile import digest_of_lines, parse_lines

SCRATCH = "MADANG_DIGEST_TEXT_SCRATCH"


class Command(BaseCommand):
    help = "Digest of a UTF-8 text file, one statement per line, as JSON (fresh installation)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="UTF-8 text, one statement per line")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise CommandError(f"{path}: no such file") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(
                f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"
            ) from exc
        lines = parse_lines(raw)
        if not lines:
            raise CommandError(f"{path}: no statements (every line is empty)")
        if os.environ.get(SCRATCH) == "1":
            call_command("migrate", verbosity=0, interactive=False)
            result = digest_of_lines(lines)
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        self.stdout.write(self._run_on_scratch_database(path.resolve()))

    def _run_on_scratch_database(self, path: Path) -> str:
        with tempfile.TemporaryDirectory(prefix="madang-digest-text-") as folder:
            env = {
                **os.environ,
                SCRATCH: "1",
                "DATABASE_URL": f"sqlite:///{folder}/madang.sqlite3",
                "MADANG_DATA_DIR": folder,
                "MADANG_ANALYSIS_MODE": "queue",
                "MADANG_ANALYZER": settings.MADANG_ANALYZER,
            }
            env.pop("REDIS_URL", None)
            done = subprocess.run(  # noqa: S603 - this interpreter and manage.py, no shell
                [sys.executable, str(settings.BASE_DIR / "manage.py"), "digest_text", str(path)],
                env=env,
                capture_output=True,
                check=False,
            )
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-5:]
            raise CommandError("digest_text failed: " + " | ".join(detail))
        return done.stdout.decode("utf-8").rstrip("\n")
