"""The built-in kinds of personal data and the scheduled purge over every kind."""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.sessions.models import Session as SignIn
from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext, ngettext_lazy

from deliberation.digests.models import Notification
from deliberation.live.models import DeviceBan, Report
from deliberation.people import limits
from deliberation.people.services import device_unlink

from . import retention
from .models import PersonalDataAction, Withdrawal
from .retention import (
    RetentionKind,
    device_links_inactive_since,
    register,
    residents_inactive_since,
)
from .services import action_log, anonymise


def _anonymise_inactive(cutoff: dt.datetime, dry_run: bool, *, accounts: bool) -> int:
    people = residents_inactive_since(cutoff, accounts=accounts)
    if dry_run:
        return people.count()
    done = 0
    for person in people.order_by("pk"):
        anonymise(user=person, cause=Withdrawal.Cause.RETENTION)
        done += 1
    return done


def _device_links(cutoff: dt.datetime, dry_run: bool) -> int:
    people = device_links_inactive_since(cutoff)
    if dry_run:
        return people.count()
    done = 0
    for person in people.order_by("pk"):
        device_unlink(user=person)
        done += 1
    return done


def _quick_join(cutoff: dt.datetime, dry_run: bool) -> int:
    return _anonymise_inactive(cutoff, dry_run, accounts=False)


def _accounts(cutoff: dt.datetime, dry_run: bool) -> int:
    return _anonymise_inactive(cutoff, dry_run, accounts=True)


def _notifications(cutoff: dt.datetime, dry_run: bool) -> int:
    old = Notification.objects.filter(created_at__lt=cutoff)
    return old.count() if dry_run else old.delete()[0]


def _reports(cutoff: dt.datetime, dry_run: bool) -> int:
    # Open reports are still being handled; the facilitator's decision stays in the
    # room's own audit log (live.ModerationAction) after the report itself is gone.
    old = Report.objects.exclude(status=Report.Status.OPEN).filter(resolved_at__lt=cutoff)
    return old.count() if dry_run else old.delete()[0]


def _signins(cutoff: dt.datetime, dry_run: bool) -> int:
    old = SignIn.objects.filter(expire_date__lt=cutoff)
    return old.count() if dry_run else old.delete()[0]


def _signin_attempts(cutoff: dt.datetime, dry_run: bool) -> int:
    """django-axes' records: failures (and lockouts) and the sign-in log, by attempt time."""
    total = 0
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        old = model.objects.filter(attempt_time__lt=cutoff)
        total += old.count() if dry_run else old.delete()[0]
    return total


def _device_bans(cutoff: dt.datetime, dry_run: bool) -> int:
    """Bans of a browser end with their period: the record of who was banned goes too."""
    old = DeviceBan.objects.filter(created_at__lt=cutoff)
    return old.count() if dry_run else old.delete()[0]


def _join_limits_period() -> str:
    minutes = max(1, -(-limits.longest_expiry_seconds() // 60))
    return ngettext(
        "최대 %(minutes)d분(캐시에서 저절로 지워지며 데이터베이스에는 저장하지 않음)",
        "최대 %(minutes)d분(캐시에서 저절로 지워지며 데이터베이스에는 저장하지 않음)",
        minutes,
    ) % {"minutes": minutes}


# Device links come first: someone past both periods is unlinked, then anonymised, so a
# dry run counts exactly what the real run does.
register(
    RetentionKind(
        "device_links",
        retention.DEVICE_LINKS,
        ngettext_lazy(
            "마지막으로 참여한 회의 후 %(days)d일", "마지막으로 참여한 회의 후 %(days)d일", "days"
        ),
        180,
        _device_links,
    )
)
register(
    RetentionKind(
        "quick_join_identities",
        retention.QUICK_JOIN,
        ngettext_lazy(
            "마지막으로 참여한 회의 후 %(days)d일", "마지막으로 참여한 회의 후 %(days)d일", "days"
        ),
        180,
        _quick_join,
    )
)
register(
    RetentionKind(
        "resident_accounts",
        retention.ACCOUNTS,
        ngettext_lazy("마지막 이용 후 %(days)d일", "마지막 이용 후 %(days)d일", "days"),
        730,
        _accounts,
    )
)
register(
    RetentionKind(
        "notifications",
        retention.NOTIFICATIONS,
        ngettext_lazy("보낸 후 %(days)d일", "보낸 후 %(days)d일", "days"),
        365,
        _notifications,
    )
)
register(
    RetentionKind(
        "reports",
        retention.REPORTS,
        ngettext_lazy("처리 후 %(days)d일", "처리 후 %(days)d일", "days"),
        365,
        _reports,
    )
)
register(
    RetentionKind(
        "expired_signins",
        retention.SIGNINS,
        ngettext_lazy("만료 후 %(days)d일", "만료 후 %(days)d일", "days"),
        1,
        _signins,
    )
)
register(
    RetentionKind(
        "ip_addresses",
        retention.IP_ADDRESSES,
        ngettext_lazy(
            "%(days)d일(서버 접속 기록은 운영 기관이 이 기간에 맞춰 지웁니다)",
            "%(days)d일(서버 접속 기록은 운영 기관이 이 기간에 맞춰 지웁니다)",
            "days",
        ),
        7,
        None,
    )
)
register(
    RetentionKind(
        "join_limit_counters",
        retention.JOIN_LIMITS,
        "",
        0,
        None,
        period_text=_join_limits_period,
    )
)
register(
    RetentionKind(
        "signin_attempts",
        retention.SIGNIN_ATTEMPTS,
        ngettext_lazy("시도 후 %(days)d일", "시도 후 %(days)d일", "days"),
        7,
        _signin_attempts,
    )
)


register(
    RetentionKind(
        "device_bans",
        retention.DEVICE_BANS,
        ngettext_lazy(
            "차단 후 %(days)d일(그동안 차단이 유지됨)",
            "차단 후 %(days)d일(그동안 차단이 유지됨)",
            "days",
        ),
        365,
        _device_bans,
    )
)


def purge_personal_data(*, dry_run: bool, at: dt.datetime | None = None) -> dict[str, Any]:
    """Anonymise or delete every kind of personal data past its period; counts per kind.

    Nothing published changes: statements, votes and digests stay, anonymised identities
    keep their words under "탈퇴한 참여자".
    """
    at = at or timezone.now()
    counts: dict[str, int] = {}
    days: dict[str, int] = {}
    for kind in retention.kinds():
        if kind.purge is None:
            continue
        days[kind.name] = kind.days
        with transaction.atomic():
            counts[kind.name] = kind.purge(at - dt.timedelta(days=kind.days), dry_run)
    if not dry_run:
        action_log(
            actor=None,
            subject=None,
            kind=PersonalDataAction.Kind.PURGE,
            channel=PersonalDataAction.Channel.SCHEDULE,
            detail={"counts": counts, "retention_days": days},
        )
    return {"dry_run": dry_run, "at": at.isoformat(), "counts": counts, "retention_days": days}
