"""What the task worker's recovery sweep does with work a killed worker left behind."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from deliberation.digests import jobs, webhooks
from deliberation.digests.models import Digest, WebhookDelivery, WebhookEndpoint
from tests.digests.test_webhooks import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver() -> Any:
    r = Receiver()
    yield r
    r.close()


def _interrupted(make_digest: Any, *, attempts: int) -> Digest:
    """A draft whose build was under way when its worker died (heartbeat long gone)."""
    digest = make_digest(Digest.Status.DRAFT)
    Digest.objects.filter(pk=digest.pk).update(
        generation=Digest.Generation.RUNNING,
        generation_percent=40,
        generation_attempts=attempts,
        generation_heartbeat_at=timezone.now() - dt.timedelta(hours=1),
    )
    return Digest.objects.get(pk=digest.pk)


def test_an_interrupted_build_is_run_again_and_completes(
    make_digest: Any, django_capture_on_commit_callbacks: Any
) -> None:
    digest = _interrupted(make_digest, attempts=1)
    with django_capture_on_commit_callbacks(execute=True):
        recovered = jobs.recover()
    assert recovered.builds_restarted == [digest.pk]
    digest.refresh_from_db()
    assert digest.generation == Digest.Generation.DONE and digest.generation_percent == 100
    assert digest.generation_attempts == 2


def test_a_build_with_a_live_heartbeat_is_left_alone(make_digest: Any) -> None:
    digest = _interrupted(make_digest, attempts=1)
    Digest.objects.filter(pk=digest.pk).update(generation_heartbeat_at=timezone.now())
    assert jobs.recover().builds_restarted == []
    assert Digest.objects.get(pk=digest.pk).generation == Digest.Generation.RUNNING


def test_a_build_that_keeps_dying_fails_visibly(
    make_digest: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    digest = _interrupted(make_digest, attempts=jobs.MAX_BUILD_ATTEMPTS)
    with django_capture_on_commit_callbacks(execute=True):
        recovered = jobs.recover()
    assert recovered.builds_failed == [digest.pk]
    digest.refresh_from_db()
    assert digest.generation == Digest.Generation.FAILED
    client.force_login(digest.generated_by)
    page = client.get(reverse("digests:digest_detail", args=[digest.pk])).content.decode()
    assert "요약을 만들지 못했습니다." in page and "제한 시간" in page


def test_an_overdue_delivery_is_sent_again_with_its_id(
    make_digest: Any, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint = WebhookEndpoint.objects.create(name="수신처", url=receiver.url)
    digest = make_digest(Digest.Status.PUBLISHED)
    long_ago = timezone.now() - dt.timedelta(hours=1)
    # A delivery whose attempt was cut short: pending, its lease long expired.
    stuck = WebhookDelivery.objects.create(
        endpoint=endpoint, digest=digest, event="digest.published", payload={"n": 1}
    )
    WebhookDelivery.objects.filter(pk=stuck.pk).update(
        created_at=long_ago, next_attempt_at=long_ago
    )
    receiver.requests.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.recover().deliveries_resumed == [stuck.pk]
    stuck.refresh_from_db()
    assert stuck.state == WebhookDelivery.State.DELIVERED and stuck.attempts == 1
    assert [r["headers"]["X-Madang-Delivery"] for r in receiver.requests] == [str(stuck.pk)]


def test_a_delivery_not_yet_due_is_not_sent(make_digest: Any, receiver: Receiver) -> None:
    endpoint = WebhookEndpoint.objects.create(name="수신처", url=receiver.url)
    later = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event="digest.published",
        payload={},
        next_attempt_at=timezone.now() + dt.timedelta(minutes=5),
    )
    assert webhooks.deliver(delivery_id=later.pk).attempts == 0
    assert receiver.requests == []


def test_staff_resend_a_failed_delivery_from_the_back_office(
    make_digest: Any,
    receiver: Receiver,
    admin_factory: Any,
    client: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    endpoint = WebhookEndpoint.objects.create(name="수신처", url=receiver.url)
    failed = WebhookDelivery.objects.create(
        endpoint=endpoint, event="digest.published", payload={"x": 1}, state="failed", attempts=5
    )
    client.force_login(admin_factory(is_staff=True, is_superuser=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:digests_webhookdelivery_changelist"),
            {"action": "resend", "_selected_action": [failed.pk]},
        )
    assert response.status_code == 302
    copy = WebhookDelivery.objects.get(resent_from=failed)
    assert copy.state == WebhookDelivery.State.DELIVERED
    assert [r["headers"]["X-Madang-Delivery"] for r in receiver.requests] == [str(copy.pk)]
    failed.refresh_from_db()
    assert failed.state == WebhookDelivery.State.FAILED  # its log stays as it was


def test_resend_needs_staff(resident_factory: Any) -> None:
    endpoint = WebhookEndpoint.objects.create(name="수신처", url="http://127.0.0.1:9/")
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="e", payload={})
    with pytest.raises(PermissionDenied):
        webhooks.delivery_resend(actor=resident_factory(), delivery=delivery)
