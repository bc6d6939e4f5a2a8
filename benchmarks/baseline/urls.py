"""The stock chat room serves no pages; the harness only checks that it answers."""

from __future__ import annotations

from typing import Any

urlpatterns: list[Any] = []
