"""The scheduled purge: every kind past its period is anonymised or deleted; nothing
published changes (digest exports compared byte for byte before and after)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import orjson
import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.sessions.models import Session as SignIn
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from deliberation.digests.models import Notification
from deliberation.live.models import DeviceBan, Participant, Report, RoomEvent, Statement
from deliberation.live.selectors import room_state
from deliberation.people.models import User
from deliberation.personal_data.models import PersonalDataAction, Withdrawal
from deliberation.personal_data.services import WITHDRAWN_NICKNAME
from deliberation.structured.models import Poll, Support
from deliberation.structured.selectors import poll_counts, vote_results

from .conftest import OLD_DEVICE, RECENT_DEVICE, Record

pytestmark = pytest.mark.django_db


def _purge(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("purge_personal_data", *args, stdout=out)
    return orjson.loads(out.getvalue())


def published(record: Record) -> dict[str, bytes]:
    """What the ministry and the public were given: every digest export, the API, the page."""
    client = Client()
    client.force_login(record.staff)
    files = {
        fmt: client.get(f"/digests/{record.digest.pk}/export.{fmt}").content
        for fmt in ("json", "csv", "md")
    }
    files["api"] = client.get(f"/api/digests/{record.digest.pk}/").content
    return files


def public_record(record: Record) -> dict[str, Any]:
    """The session as anyone reading it sees it, minus who said what."""
    state = room_state(session=record.session, staff=False)
    poll = Poll.objects.get(session=record.session)
    return {
        "statements": [(s["id"], s["text"], s["stance"]) for s in state["statements"]],
        "reactions": state["reactions"],
        "votes": vote_results(record.session.pk),
        "poll": poll_counts(poll.pk),
        "supports": Support.objects.filter(proposal__session=record.session).count(),
    }


def authors(record: Record) -> dict[int, str]:
    state = room_state(session=record.session, staff=False)
    return {s["id"]: s["author"]["nickname"] for s in state["statements"]}


def test_dry_run_counts_every_kind_and_changes_nothing(full_record: Record) -> None:
    before = (published(full_record), public_record(full_record), authors(full_record))
    result = _purge("--dry-run")
    assert result["dry_run"] is True
    assert result["counts"] == {
        "device_links": 1,
        "quick_join_identities": 1,
        "resident_accounts": 1,
        "notifications": 1,
        "reports": 1,
        "expired_signins": 1,
        "signin_attempts": 2,
        "device_bans": 1,
    }
    assert result["retention_days"]["quick_join_identities"] == 180
    assert (published(full_record), public_record(full_record), authors(full_record)) == before
    assert not Withdrawal.objects.exists()
    assert not PersonalDataAction.objects.filter(kind="purge").exists()


def test_real_run_anonymises_and_deletes_and_nothing_published_changes(
    full_record: Record,
) -> None:
    r = full_record
    exports_before = published(r)
    record_before = public_record(r)
    dry = _purge("--dry-run")["counts"]

    result = _purge()
    assert result["dry_run"] is False and result["counts"] == dry

    # Published digests and the public record: exactly as before.
    assert published(r) == exports_before
    assert public_record(r) == record_before
    assert record_before["votes"][0]["votes"] == 3 and record_before["poll"][0] == 3

    # The expired identities keep their words under "탈퇴한 참여자"; the recent one is untouched.
    names = authors(r)
    mine = dict(Statement.objects.filter(session=r.session).values_list("pk", "author_id"))
    for statement_id, author_id in mine.items():
        expected = "요즘주민" if author_id == r.recent.pk else WITHDRAWN_NICKNAME
        assert names[statement_id] == expected
    for person in (r.quick_old, r.account_old):
        person.refresh_from_db()
        assert person.nickname == WITHDRAWN_NICKNAME
        assert (person.region, person.age_band, person.is_active) == (None, "", False)
        assert not person.has_usable_password() and not person.username.startswith("user")
        assert person.withdrawal.cause == Withdrawal.Cause.RETENTION
    r.recent.refresh_from_db()
    assert r.recent.nickname == "요즘주민" and r.recent.is_active

    # Stored room events (replayed on reconnect) no longer carry the old names.
    payloads = orjson.dumps(list(RoomEvent.objects.values_list("payload", flat=True))).decode()
    assert "옛날주민" not in payloads and "계정주민" not in payloads and "요즘주민" in payloads
    # Notifications to the expired identities and the old one of the recent resident go.
    assert list(Notification.objects.values_list("title", flat=True)) == ["새 답변"]
    # The resolved old report goes; the open one stays.
    assert list(Report.objects.values_list("reason", flat=True)) == ["확인 필요"]
    assert not SignIn.objects.filter(expire_date__lt=timezone.now()).exists()
    # The old browser no longer names anyone; the recent resident's stays linked.
    assert not User.objects.filter(device_id=OLD_DEVICE).exists()
    assert not Participant.objects.filter(device_id=OLD_DEVICE).exists()
    assert User.objects.get(pk=r.recent.pk).device_id == RECENT_DEVICE
    assert Participant.objects.filter(person=r.recent, device_id=RECENT_DEVICE).exists()
    # Old sign-in attempts and sign-ins (username, IP address) go; the fresh failure stays.
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["staff"]
    assert not AccessFailureLog.objects.exists()
    assert "계정주민" not in AccessLog.objects.values_list("username", flat=True)
    assert not AccessLog.objects.filter(
        attempt_time__lt=timezone.now() - dt.timedelta(days=7)
    ).exists()
    # The two-year-old ban has ended with its record; today's ban holds.
    assert list(DeviceBan.objects.values_list("device_id", flat=True)) == ["d-new-ban"]

    log = PersonalDataAction.objects.get(kind="purge")
    assert log.channel == "schedule" and log.detail["counts"] == dry

    again = _purge()
    assert set(again["counts"].values()) == {0}


def test_periods_come_from_settings(full_record: Record, settings: Any) -> None:
    settings.PERSONAL_DATA_RETENTION_DAYS = {
        **settings.PERSONAL_DATA_RETENTION_DAYS,
        "quick_join_identities": 5000,
        "resident_accounts": 5000,
    }
    result = _purge("--dry-run")
    assert result["counts"]["quick_join_identities"] == 0
    assert result["counts"]["resident_accounts"] == 0
    assert result["retention_days"]["resident_accounts"] == 5000
    assert "5000" in Client().get("/privacy/").content.decode()


def test_the_command_speaks_json_with_counts_per_kind(db: None) -> None:
    result = _purge("--dry-run")
    assert set(result) == {"dry_run", "at", "counts", "retention_days"}
    assert all(isinstance(v, int) for v in result["counts"].values())
    assert User.objects.count() == 0
