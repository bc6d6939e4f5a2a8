"""Webhooks on publish: HMAC-SHA256 signed, retried with backoff, every attempt logged.

A real HTTP receiver listens on a free loopback port in a thread.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from deliberation.digests import webhooks
from deliberation.digests.models import Digest, WebhookDelivery, WebhookEndpoint
from tests.digests.conftest import DELAYS

pytestmark = pytest.mark.django_db


class Receiver:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.fail_first = 0
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                failing = len(receiver.requests) <= receiver.fail_first
                self.send_response(503 if failing else 204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def no_wait() -> list[float]:
    """The backoff delays the deliveries asked for (the inline queue does not wait)."""
    return DELAYS


def test_publish_posts_a_signed_payload(make_digest: Any, receiver: Receiver, no_wait: Any) -> None:
    endpoint = WebhookEndpoint.objects.create(name="수신처", url=receiver.url)
    digest = make_digest(Digest.Status.PUBLISHED)
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    headers, body = request["headers"], request["body"]
    assert headers["X-Madang-Event"] == "digest.published"
    assert webhooks.verify(
        endpoint.secret, headers["X-Madang-Timestamp"], body, headers["X-Madang-Signature"]
    )
    assert not webhooks.verify(
        "wrong", headers["X-Madang-Timestamp"], body, headers["X-Madang-Signature"]
    )
    assert not webhooks.verify(
        endpoint.secret, headers["X-Madang-Timestamp"], body + b" ", headers["X-Madang-Signature"]
    )
    payload = json.loads(body)
    assert payload["event"] == "digest.published"
    assert payload["digest"]["id"] == digest.pk and payload["digest"]["title"] == digest.title
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "delivered" and delivery.attempts == 1
    assert delivery.log[0]["status"] == 204


def test_stale_timestamp_is_refused() -> None:
    body = b"{}"
    old = 1_000_000
    assert not webhooks.verify("s", str(old), body, webhooks.sign("s", old, body))


def test_failures_are_retried_with_backoff_and_logged(
    make_digest: Any, receiver: Receiver, no_wait: list[float]
) -> None:
    receiver.fail_first = 2
    WebhookEndpoint.objects.create(name="수신처", url=receiver.url)
    make_digest(Digest.Status.PUBLISHED)
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "delivered" and delivery.attempts == 3
    assert [entry["status"] for entry in delivery.log] == [503, 503, 204]
    assert no_wait == [2.0, 4.0]
    # Every retry carries the same body and a valid signature.
    assert len({r["body"] for r in receiver.requests}) == 1


def test_an_endpoint_that_never_answers_gives_up(make_digest: Any, no_wait: list[float]) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    WebhookEndpoint.objects.create(name="없는 곳", url=f"http://127.0.0.1:{port}/")
    make_digest(Digest.Status.PUBLISHED)
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "failed" and delivery.attempts == webhooks.MAX_ATTEMPTS
    assert all(entry["error"] for entry in delivery.log)
    assert no_wait == [2.0, 4.0, 8.0, 16.0]


def test_endpoints_receive_only_digests_within_their_disclosure(
    make_digest: Any, receiver: Receiver, no_wait: Any
) -> None:
    WebhookEndpoint.objects.create(name="공개만", url=receiver.url, max_disclosure="public")
    WebhookEndpoint.objects.create(
        name="꺼짐", url=receiver.url, active=False, max_disclosure="restricted"
    )
    make_digest(Digest.Status.PUBLISHED, disclosure="internal")
    assert receiver.requests == [] and not WebhookDelivery.objects.exists()


def test_answers_are_delivered_too(
    make_digest: Any,
    receiver: Receiver,
    no_wait: Any,
    ministry_staff_factory: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from deliberation.digests import services

    WebhookEndpoint.objects.create(name="수신처", url=receiver.url)
    digest = make_digest(Digest.Status.PUBLISHED)
    with django_capture_on_commit_callbacks(execute=True):
        services.response_post(
            actor=ministry_staff_factory(), digest=digest, status="adopted", text="반영하겠습니다."
        )
    assert [r["headers"]["X-Madang-Event"] for r in receiver.requests] == [
        "digest.published",
        "response.posted",
    ]
    assert json.loads(receiver.requests[1]["body"])["response"]["status"] == "adopted"
