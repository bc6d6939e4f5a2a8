"""Signed webhook deliveries of published digests and answers, with retries and a log.

Each request carries ``X-Madang-Timestamp`` (Unix seconds) and
``X-Madang-Signature: sha256=<hex>``, the HMAC-SHA256 of ``"<timestamp>.<body>"`` under
the endpoint's secret. Receivers recompute it and refuse stale timestamps. A failed
attempt (network error or a non-2xx answer) is retried with exponential backoff on a
schedule kept in the database (``next_attempt_at``), so retries survive a restart.

Delivery is at least once: a worker killed after the receiver got a request but before
it stored the answer sends it again after recovery, with the same ``X-Madang-Delivery``
id, which receivers use to ignore repeats.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from typing import Any

import orjson
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.agendas.models import DISCLOSURE_RANK

from . import jobs, tasks
from .models import Digest, MinistryResponse, WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BASE_DELAY_SECONDS = 2.0
TIMEOUT_SECONDS = 10.0


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=<hex>`` over ``"<timestamp>.<body>"``."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    secret: str, timestamp: str, body: bytes, signature: str, *, tolerance: int = 300
) -> bool:
    """What a receiver does: recompute, compare in constant time, refuse stale requests."""
    try:
        ts = int(timestamp)
    except ValueError:
        return False
    if abs(time.time() - ts) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, ts, body), signature)


def payload_for(digest: Digest, event: str, response: MinistryResponse | None) -> dict[str, Any]:
    from .api import digest_summary_dict, response_dict

    data: dict[str, Any] = {"event": event, "digest": digest_summary_dict(digest)}
    if response is not None:
        data["response"] = response_dict(response)
    return data


def deliveries_create(
    *, digest: Digest, event: str, response: MinistryResponse | None = None
) -> list[int]:
    """Queue one delivery per active endpoint cleared for the digest; sent after commit."""
    rank = DISCLOSURE_RANK[digest.disclosure]  # type: ignore[index]
    ids = []
    for endpoint in WebhookEndpoint.objects.filter(active=True):
        if DISCLOSURE_RANK[endpoint.max_disclosure] < rank:  # type: ignore[index]
            continue
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint,
            digest=digest,
            event=event,
            payload=payload_for(digest, event, response),
        )
        ids.append(delivery.pk)
    for delivery_id in ids:
        transaction.on_commit(_sender(delivery_id))
    return ids


def _sender(delivery_id: int, run_after: datetime | None = None) -> Any:
    def send() -> None:
        jobs.enqueue(tasks.deliver_webhook, run_after=run_after, delivery_id=delivery_id)

    return send


def _attempt(
    endpoint: WebhookEndpoint, delivery: WebhookDelivery, body: bytes
) -> tuple[bool, dict[str, Any]]:
    timestamp = int(time.time())
    request = urllib.request.Request(  # noqa: S310 - administrators configure http(s) URLs only
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Madang-Webhook/1",
            "X-Madang-Event": delivery.event,
            "X-Madang-Delivery": str(delivery.pk),
            "X-Madang-Timestamp": str(timestamp),
            "X-Madang-Signature": sign(endpoint.secret, timestamp, body),
        },
    )
    entry: dict[str, Any] = {"at": timezone.now().isoformat(), "status": None, "error": ""}
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
            entry["status"] = answer.status
            return 200 <= answer.status < 300, entry
    except urllib.error.HTTPError as exc:
        entry["status"] = exc.code
        entry["error"] = f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        entry["error"] = str(getattr(exc, "reason", exc))[:200]
    return False, entry


def _lease() -> timedelta:
    """How long one attempt holds its delivery: the request's timeout and some slack."""
    return timedelta(seconds=TIMEOUT_SECONDS) + jobs.stale_after()


def deliver(
    *,
    delivery_id: int,
    now: datetime | None = None,
    max_attempts: int = MAX_ATTEMPTS,
    base_delay: float = BASE_DELAY_SECONDS,
) -> WebhookDelivery:
    """Make one attempt; on failure schedule the next (2, 4, 8 ... s later). Logged."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint")
            .get(pk=delivery_id)
        )
        if delivery.state != WebhookDelivery.State.PENDING:
            return delivery
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            return delivery  # not due yet, or another worker's attempt holds it
        if delivery.endpoint.url.split(":", 1)[0] not in ("http", "https"):
            delivery.state = WebhookDelivery.State.FAILED
            delivery.next_attempt_at = None
            delivery.log = [*delivery.log, {"error": "unsupported scheme"}]
            delivery.save(update_fields=["state", "log", "next_attempt_at"])
            return delivery
        delivery.next_attempt_at = now + _lease()
        delivery.save(update_fields=["next_attempt_at"])
    body = orjson.dumps(delivery.payload)
    ok, entry = _attempt(delivery.endpoint, delivery, body)
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        delivery.attempts += 1
        entry["attempt"] = delivery.attempts
        delivery.log = [*delivery.log, entry]
        if ok:
            delivery.state = WebhookDelivery.State.DELIVERED
            delivery.delivered_at = timezone.now()
            delivery.next_attempt_at = None
        elif delivery.attempts >= max_attempts:
            delivery.state = WebhookDelivery.State.FAILED
            delivery.next_attempt_at = None
        else:
            delay = base_delay * 2 ** (delivery.attempts - 1)
            delivery.next_attempt_at = now + timedelta(seconds=delay)
            transaction.on_commit(_sender(delivery.pk, run_after=delivery.next_attempt_at))
        delivery.save(update_fields=["state", "attempts", "log", "delivered_at", "next_attempt_at"])
    return delivery


def deliveries_resume_overdue(*, now: datetime, stale: timedelta) -> list[int]:
    """Pending deliveries whose attempt is long overdue (their worker died): enqueue again."""
    with transaction.atomic():
        overdue = list(
            WebhookDelivery.objects.select_for_update()
            .filter(state=WebhookDelivery.State.PENDING)
            .filter(
                models.Q(next_attempt_at__lt=now - stale) | models.Q(next_attempt_at__isnull=True)
            )
            .filter(created_at__lt=now - stale)
            .values_list("pk", flat=True)
        )
        WebhookDelivery.objects.filter(pk__in=overdue).update(next_attempt_at=now)
        for delivery_id in overdue:
            transaction.on_commit(_sender(delivery_id))
    return overdue


@transaction.atomic
def delivery_resend(*, actor: Any, delivery: WebhookDelivery) -> WebhookDelivery:
    """Staff send a delivery again: a new delivery (new id) with the same payload."""
    if not (getattr(actor, "is_active", False) and getattr(actor, "is_staff", False)):
        raise PermissionDenied(_("다시 보낼 권한이 없습니다."))
    copy = WebhookDelivery.objects.create(
        endpoint=delivery.endpoint,
        digest=delivery.digest,
        event=delivery.event,
        payload=delivery.payload,
        resent_from=delivery,
        log=[{"at": timezone.now().isoformat(), "resent_by": actor.get_username()}],
    )
    transaction.on_commit(_sender(copy.pk))
    return copy
