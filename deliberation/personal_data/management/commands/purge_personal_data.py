"""Anonymise or delete personal data past its retention period; prints JSON counts per kind.

Run it daily (cron, a systemd timer, or the compose scheduler); ``--dry-run`` changes
nothing and prints what a real run would do.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.core.management.base import BaseCommand, CommandParser

from deliberation.personal_data.purges import purge_personal_data


class Command(BaseCommand):
    help = "보유 기간이 지난 개인정보를 익명 처리하거나 지우고, 종류별 건수를 JSON으로 출력합니다."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="아무것도 바꾸지 않고 처리할 건수만 출력합니다.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = purge_personal_data(dry_run=options["dry_run"])
        self.stdout.write(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())
