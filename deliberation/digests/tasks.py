"""The durable tasks of digests; ``jobs.enqueue`` puts them in the queue after commit."""

from __future__ import annotations

from django_tasks import task


@task()
def build_digest(digest_id: int) -> None:
    """Build one digest's draft content (see ``services.digest_build``)."""
    from . import services

    services.digest_build(digest_id=digest_id)


@task()
def deliver_webhook(delivery_id: int) -> None:
    """Make one attempt at one webhook delivery; a failure schedules the next attempt."""
    from . import webhooks

    webhooks.deliver(delivery_id=delivery_id)
