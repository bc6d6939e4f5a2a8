"""``manage.py api_reference [--write]``: the API reference from the generated document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from deliberation.api.api import api
from deliberation.api.reference import reference, rewrite


class Command(BaseCommand):
    help = "Print the API reference (Markdown) generated from the OpenAPI document"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--write", action="store_true", help="rewrite docs/api.md in place")

    def handle(self, *args: Any, write: bool = False, **options: Any) -> None:
        document = api.get_openapi_schema()
        if not write:
            self.stdout.write(reference(document))
            return
        path = Path(settings.BASE_DIR) / "docs" / "api.md"
        path.write_text(rewrite(path, document), encoding="utf-8")
        self.stdout.write(f"wrote {path}")
