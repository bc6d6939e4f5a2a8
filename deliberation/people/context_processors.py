from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def participant(request: HttpRequest) -> dict[str, Any]:
    """Who is looking at the page, for the header."""
    user = getattr(request, "user", None)
    return {"participant": user if user is not None and user.is_authenticated else None}
