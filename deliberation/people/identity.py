"""The resident's signed cookie: a nickname and a region, no password."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing

from .models import User

_SALT = "madang.resident"


def resident_token(user: User) -> str:
    """Signed value for the resident cookie; dies when ``token_version`` moves."""
    return signing.dumps({"u": user.pk, "v": user.token_version}, salt=_SALT, compress=True)


def resident_from_token(token: str | None) -> User | None:
    """The resident a cookie names, or None for a missing, forged, stale or revoked one."""
    if not token:
        return None
    try:
        data: Any = signing.loads(token, salt=_SALT, max_age=settings.RESIDENT_COOKIE_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user_id = data.get("u")
    if not isinstance(user_id, int):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.token_version != data.get("v"):
        return None
    return user
