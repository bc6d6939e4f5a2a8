"""How long each kind of personal data is kept, and the purge that ends it.

The periods are settings (``PERSONAL_DATA_RETENTION_DAYS``, from the environment); the
privacy notice states them from the same settings, so the page and the purge agree.
A module that stores another kind of personal data (device links, client addresses)
registers a ``RetentionKind`` here and the scheduled purge covers it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import DateTimeField, F, Max, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from deliberation.people.models import User


@dataclass(frozen=True)
class RetentionKind:
    """One kind of personal data: how long it is kept and how to end it.

    ``purge(cutoff, dry_run)`` returns how many records it anonymised or deleted (would,
    on a dry run); ``cutoff`` is now minus the kind's period.
    """

    name: str
    label: str | Promise
    period: str | Promise  # "%(days)d일" style: when the period counts from
    default_days: int
    # None: a kind Madang does not store in its database (server logs); stated, not purged.
    purge: Callable[[dt.datetime, bool], int] | None
    # For a kind kept for less than a day (counters in a cache that expire by themselves):
    # the period as the notice states it, from the settings that set the expiry.
    period_text: Callable[[], str] | None = None

    @property
    def days(self) -> int:
        configured = getattr(settings, "PERSONAL_DATA_RETENTION_DAYS", {}) or {}
        return int(configured.get(self.name, self.default_days))


_KINDS: dict[str, RetentionKind] = {}


def register(kind: RetentionKind) -> RetentionKind:
    """Add a kind of personal data to the notice's table and to the scheduled purge."""
    _KINDS[kind.name] = kind
    return kind


def kinds() -> list[RetentionKind]:
    """Every registered kind, in the order registered."""
    _load_builtin()
    return list(_KINDS.values())


def retention_rows() -> list[dict[str, object]]:
    """What the notice shows: each kind, its period and the number of days set."""
    return [
        {
            "name": k.name,
            "label": k.label,
            "period": k.period_text() if k.period_text else k.period % {"days": k.days},
            "days": k.days,
        }
        for k in kinds()
    ]


def _inactive_since(qs: QuerySet[User], cutoff: dt.datetime) -> QuerySet[User]:
    """These people, kept to those whose last session or sign-in is older than ``cutoff``."""
    field = DateTimeField()
    joined = F("date_joined")
    return qs.annotate(
        last_activity=Greatest(
            Coalesce(Max("participations__last_seen"), joined, output_field=field),
            Coalesce(Max("participations__joined_at"), joined, output_field=field),
            Coalesce(F("last_login"), joined, output_field=field),
            Value(dt.datetime(2000, 1, 1, tzinfo=dt.UTC), output_field=field),
            output_field=field,
        )
    ).filter(last_activity__lt=cutoff)


def residents_inactive_since(cutoff: dt.datetime, *, accounts: bool) -> QuerySet[User]:
    """Residents (quick-join, or with an account) whose last session or sign-in is older."""
    qs = _inactive_since(
        User.objects.filter(role=User.Role.RESIDENT, is_active=True, withdrawal__isnull=True),
        cutoff,
    )
    # Quick-join identities have no usable password (Django marks those with "!").
    no_password = Q(password__startswith=UNUSABLE_PASSWORD_PREFIX)
    return qs.exclude(no_password) if accounts else qs.filter(no_password)


def device_links_inactive_since(cutoff: dt.datetime) -> QuerySet[User]:
    """People still linked to a browser (device cookie) whose last session is older."""
    from deliberation.live.models import Participant

    linked = ~Q(device_id="") | Q(
        pk__in=Participant.objects.exclude(device_id="").values("person_id")
    )
    return _inactive_since(User.objects.filter(linked), cutoff)


_loaded = False


def _load_builtin() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        from . import purges  # noqa: F401 - registers the built-in kinds


# Labels used by the built-in kinds (registered in ``purges``).
QUICK_JOIN = _("간편 참여 정보(닉네임, 지역, 연령대)")
DEVICE_LINKS = _("기기 연결(기기 쿠키의 번호와 그 기기로 참여한 사람·회의의 연결)")
ACCOUNTS = _("주민 계정(아이디, 암호화된 비밀번호)")
NOTIFICATIONS = _("알림")
REPORTS = _("처리가 끝난 신고(신고 사유, 신고자)")
SIGNINS = _("만료된 로그인 세션")
IP_ADDRESSES = _("IP 주소(서버 접속 기록)")
JOIN_LIMITS = _("참여 제한 횟수(IP 주소·기기 번호를 해시한 값과 횟수, 캐시에만 저장)")
SIGNIN_ATTEMPTS = _("로그인 시도 기록(아이디, IP 주소, 브라우저 정보)")
DEVICE_BANS = _("기기 차단 기록(차단된 기기 쿠키의 번호와 그 사람)")
