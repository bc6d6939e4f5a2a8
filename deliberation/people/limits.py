"""Limits on making new identities: per client address and per browser.

Counted in the ``limits`` cache (Redis when ``REDIS_URL`` is set, so every server
process shares one count; an in-process cache otherwise) as a sliding window: the count
of the current fixed window plus the previous window's count weighted by how much of it
still lies within the last ``seconds``. A burst across a window boundary is therefore
still held to the limit, not to twice the limit.
A venue code raises the address limit: a lecture hall behind one Wi-Fi address joins
with the code shown on the projector.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.http import HttpRequest

# Seconds a counter outlives its window in the cache, so a late increment still counts.
EXPIRY_MARGIN = 5


@dataclasses.dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int


def _limit(setting: tuple[int, int], name: str) -> Limit:
    count, seconds = setting
    return Limit(name=name, count=int(count), seconds=int(seconds))


def join_limits(*, venue_code: bool) -> tuple[Limit, Limit]:
    """(per address, per device) limits for a quick-join."""
    per_address = (
        settings.MADANG_JOIN_LIMIT_VENUE_ADDRESS
        if venue_code
        else settings.MADANG_JOIN_LIMIT_ADDRESS
    )
    return (
        _limit(per_address, "join-addr-venue" if venue_code else "join-addr"),
        _limit(settings.MADANG_JOIN_LIMIT_DEVICE, "join-device"),
    )


def longest_expiry_seconds() -> int:
    """The longest any counter (hashed address or browser id and a count) stays cached.

    The privacy notice states it: these counters are never written to the database.
    """
    windows = (
        settings.MADANG_JOIN_LIMIT_ADDRESS,
        settings.MADANG_JOIN_LIMIT_VENUE_ADDRESS,
        settings.MADANG_JOIN_LIMIT_DEVICE,
        settings.MADANG_VENUE_CODE_TRIES,
    )
    return max(_expiry(int(seconds)) for _count, seconds in windows)


def client_address(request: HttpRequest) -> str:
    """The client's address, as django-axes resolves it (same proxy settings)."""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or request.META.get("REMOTE_ADDR", "") or "unknown"


def _expiry(seconds: int) -> int:
    """How long one window's counter is kept: two windows, as the next one still weighs it."""
    return 2 * seconds + EXPIRY_MARGIN


def _clock() -> float:
    return time.time()


def _key(limit: Limit, subject: str, window: int) -> str:
    digest = hashlib.sha256(subject.encode()).hexdigest()[:24]
    return f"limit:{limit.name}:{window}:{digest}"


def _used(cache: BaseCache, limit: Limit, subject: str, now: float, current: int) -> float:
    """The sliding-window count: this window's uses plus the overlapping part of the last."""
    window = int(now // limit.seconds)
    previous = int(cache.get(_key(limit, subject, window - 1), 0) or 0)
    elapsed = (now - window * limit.seconds) / limit.seconds
    return current + previous * (1.0 - elapsed)


def hit(limit: Limit, subject: str, *, cache: BaseCache | None = None) -> float | None:
    """Count one use; None if within the limit, else seconds until the window ends."""
    if not subject or limit.count <= 0:
        return None
    cache = cache if cache is not None else caches["limits"]
    now = _clock()
    window = int(now // limit.seconds)
    key = _key(limit, subject, window)
    timeout = _expiry(limit.seconds)
    cache.add(key, 0, timeout=timeout)
    try:
        current = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=timeout)
        current = 1
    if _used(cache, limit, subject, now, current) > limit.count:
        return max(1.0, (window + 1) * limit.seconds - now)
    return None


def peek(limit: Limit, subject: str) -> bool:
    """True when the limit is already used up (without counting a use)."""
    if not subject or limit.count <= 0:
        return False
    cache = caches["limits"]
    now = _clock()
    window = int(now // limit.seconds)
    current = int(cache.get(_key(limit, subject, window), 0) or 0)
    return _used(cache, limit, subject, now, current) >= limit.count
