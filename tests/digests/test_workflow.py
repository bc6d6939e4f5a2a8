"""A digest's life: generate (with progress), edit, approve, publish, in that order only."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.core.exceptions import PermissionDenied, ValidationError

from deliberation.digests import services
from deliberation.digests.models import Digest, DigestRevision
from deliberation.live.broadcast import room_group

pytestmark = pytest.mark.django_db


async def _receive(layer: Any, channel: str) -> dict[str, Any]:
    return await asyncio.wait_for(layer.receive(channel), timeout=5)  # type: ignore[no-any-return]


def generate_and_follow(actor: Any, session: Any, capture: Any) -> tuple[Any, list[dict[str, Any]]]:
    """Generate while subscribed to the room, in one event loop (pub/sub layers need it)."""
    layer = get_channel_layer()

    def generate() -> Any:
        with capture(execute=True):
            return services.digest_generate(actor=actor, session=session)

    async def scenario() -> tuple[Any, list[dict[str, Any]]]:
        channel = await layer.new_channel()
        await layer.group_add(room_group(session.pk), channel)
        digest = await sync_to_async(generate)()
        events: list[dict[str, Any]] = []
        while not events or events[-1]["state"] != "done":
            message = await _receive(layer, channel)
            assert message.get("to") == "staff"  # facilitators only
            events.append(orjson.loads(message["text"]))
        return digest, events

    return async_to_sync(scenario)()


def test_generate_builds_a_draft_with_progress_to_the_console(
    content_builder: Any,
    session: Any,
    facilitator_factory: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    actor = facilitator_factory(organisation=session.agenda.organisation)
    digest, events = generate_and_follow(actor, session, django_capture_on_commit_callbacks)

    digest.refresh_from_db()
    assert digest.status == Digest.Status.DRAFT
    assert digest.generation == Digest.Generation.DONE
    assert digest.participant_count == 12 and digest.statement_count == 40
    assert [k["word"] for k in digest.keywords][:2] == ["청년", "일자리"]
    assert "박람회" in digest.summary_text
    assert digest.disclosure == session.agenda.disclosure
    assert all(e["type"] == "digest.progress" and e["digest_id"] == digest.pk for e in events)
    percents = [e["percent"] for e in events]
    assert percents == sorted(percents) and percents[-1] == 100 and len(percents) >= 3


def test_failed_build_is_reported_and_may_be_retried(
    content_builder: Any,
    session: Any,
    facilitator_factory: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    actor = facilitator_factory(organisation=session.agenda.organisation)
    content_builder["fail"] = True
    with django_capture_on_commit_callbacks(execute=True):
        digest = services.digest_generate(actor=actor, session=session)
    digest.refresh_from_db()
    assert digest.generation == Digest.Generation.FAILED
    with pytest.raises(ValidationError):
        services.digest_approve(actor=actor, digest=digest)
    content_builder["fail"] = False
    with django_capture_on_commit_callbacks(execute=True):
        services.digest_generate(actor=actor, session=session)
    digest.refresh_from_db()
    assert digest.generation == Digest.Generation.DONE


def test_order_is_enforced(make_digest: Any) -> None:
    digest = make_digest(Digest.Status.DRAFT)
    actor = digest.test_facilitator
    with pytest.raises(ValidationError):
        services.digest_publish(actor=actor, digest=digest)
    services.digest_approve(actor=actor, digest=digest)
    with pytest.raises(ValidationError):
        services.digest_approve(actor=actor, digest=digest)
    with pytest.raises(ValidationError):
        services.digest_edit(actor=actor, digest=digest, summary_text="x", section_notes={})
    services.digest_reopen(actor=actor, digest=digest)
    services.digest_edit(actor=actor, digest=digest, summary_text="고친 요약", section_notes={})
    services.digest_approve(actor=actor, digest=digest)
    services.digest_publish(actor=actor, digest=digest)
    digest.refresh_from_db()
    assert digest.status == Digest.Status.PUBLISHED
    assert digest.published_by == actor and digest.approved_by == actor
    assert digest.generated_at <= digest.approved_at <= digest.published_at
    with pytest.raises(ValidationError):
        services.digest_reopen(actor=actor, digest=digest)
    with pytest.raises(ValidationError):
        services.digest_generate(actor=actor, session=digest.session)
    kinds = list(digest.revisions.values_list("kind", flat=True))
    assert kinds == ["generate", "approve", "reopen", "edit", "approve", "publish"]


def test_edit_keeps_history_masks_personal_data_and_changes_nothing_on_bad_input(
    make_digest: Any,
) -> None:
    digest = make_digest(Digest.Status.DRAFT)
    actor = digest.test_facilitator
    services.digest_edit(
        actor=actor,
        digest=digest,
        summary_text="연락처 010-1234-5678 로 문의\u202e",
        section_notes={"keywords": "청년이 가장 많이 나온 말", "floor": ""},
    )
    digest.refresh_from_db()
    assert "010-1234-5678" not in digest.summary_text and "\u202e" not in digest.summary_text
    assert digest.section_notes == {"keywords": "청년이 가장 많이 나온 말"}
    before = (digest.summary_text, digest.section_notes, digest.revision)
    with pytest.raises(ValidationError):
        services.digest_edit(
            actor=actor, digest=digest, summary_text="가" * 20_001, section_notes={}
        )
    digest.refresh_from_db()
    assert (digest.summary_text, digest.section_notes, digest.revision) == before
    edits = DigestRevision.objects.filter(digest=digest, kind="edit")
    assert edits.count() == 1 and edits.get().actor == actor


@pytest.mark.parametrize("who", ["facilitator_other", "resident", "ministry", "anonymous"])
def test_only_managers_generate_edit_approve_publish(
    who: str,
    make_digest: Any,
    facilitator_factory: Any,
    resident_factory: Any,
    ministry_staff_factory: Any,
) -> None:
    from django.contrib.auth.models import AnonymousUser

    digest = make_digest(Digest.Status.DRAFT)
    actor = {
        "facilitator_other": lambda: facilitator_factory(),
        "resident": lambda: resident_factory(region=digest.agenda.organisation),
        "ministry": lambda: ministry_staff_factory(clearance="restricted"),
        "anonymous": lambda: AnonymousUser(),
    }[who]()
    for call in (
        lambda: services.digest_generate(actor=actor, session=digest.session),
        lambda: services.digest_edit(
            actor=actor, digest=digest, summary_text="x", section_notes={}
        ),
        lambda: services.digest_approve(actor=actor, digest=digest),
        lambda: services.digest_publish(actor=actor, digest=digest),
    ):
        with pytest.raises(PermissionDenied):
            call()
    digest.refresh_from_db()
    assert digest.status == Digest.Status.DRAFT and digest.revision == 1


def test_admin_and_parent_facilitator_manage(
    make_digest: Any, admin_user: Any, organisation_factory: Any, facilitator_factory: Any
) -> None:
    parent = organisation_factory()
    child = organisation_factory(kind="local", parent=parent)
    digest = make_digest(Digest.Status.DRAFT, organisation=child)
    services.digest_approve(actor=facilitator_factory(organisation=parent), digest=digest)
    services.digest_publish(actor=admin_user, digest=digest)
    digest.refresh_from_db()
    assert digest.status == Digest.Status.PUBLISHED


def test_publish_takes_the_agenda_disclosure_at_that_moment(make_digest: Any) -> None:
    digest = make_digest(Digest.Status.APPROVED, disclosure="public")
    digest.agenda.disclosure = "restricted"
    digest.agenda.save()
    services.digest_publish(actor=digest.test_facilitator, digest=digest)
    digest.refresh_from_db()
    assert digest.disclosure == "restricted"


@pytest.mark.redis
def test_progress_reaches_the_console_through_redis(
    redis_channel_layer: Any,
    content_builder: Any,
    session: Any,
    facilitator_factory: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    actor = facilitator_factory(organisation=session.agenda.organisation)
    digest, events = generate_and_follow(actor, session, django_capture_on_commit_callbacks)
    assert events[-1]["digest_id"] == digest.pk and events[-1]["percent"] == 100
