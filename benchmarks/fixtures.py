"""The bench database's people and rooms, made through Django in the coordinator process.

Residents are ordinary quick-join residents (role resident, a nickname, a region) made
once and reused by later runs; each run opens fresh live sessions so every room starts at
sequence 0. Cookies are the real signed resident cookies (``resident_token``).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from dataclasses import dataclass
from typing import Any

from benchmarks.deploy import ROOT

RESIDENT_PREFIX = "bench-r-"


def setup_django(*, database_url: str, secret_key: str, redis: str) -> None:
    """Configure this process as Madang with the bench database, then ``django.setup()``."""
    for path in (str(ROOT / "platform"), str(ROOT)):
        if path not in sys.path:
            sys.path.insert(0, path)
    os.environ["DJANGO_SETTINGS_MODULE"] = "madang.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SECRET_KEY"] = secret_key
    os.environ["REDIS_URL"] = redis
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.pop("MADANG_TEST_RUN", None)
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


@dataclass(frozen=True)
class Resident:
    user_id: int
    cookie: str


@dataclass(frozen=True)
class World:
    organisation_id: int
    facilitator_id: int
    agenda_id: int


def world() -> World:
    """The bench municipality, its facilitator and a public agenda (made once)."""
    from deliberation.agendas.models import Agenda, Disclosure
    from deliberation.people.models import Organisation, User

    org, _ = Organisation.objects.get_or_create(
        slug="bench-city",
        defaults={"name": "벤치시", "kind": Organisation.Kind.METROPOLITAN},
    )
    facilitator, created = User.objects.get_or_create(
        username="bench-facilitator",
        defaults={
            "nickname": "벤치 진행자",
            "role": User.Role.FACILITATOR,
            "organisation": org,
        },
    )
    if created:
        facilitator.set_unusable_password()
        facilitator.save()
    agenda, _ = Agenda.objects.get_or_create(
        title="벤치마크 의제: 큰 방의 자유발언대",
        organisation=org,
        defaults={"disclosure": Disclosure.PUBLIC, "created_by": facilitator},
    )
    return World(org.pk, facilitator.pk, agenda.pk)


def open_rooms(the_world: World, count: int, *, label: str) -> list[int]:
    """Open ``count`` fresh live sessions; returns their ids."""
    from django.utils import timezone

    from deliberation.agendas.models import Session
    from deliberation.agendas.services import session_transition

    ids: list[int] = []
    for i in range(count):
        session = Session.objects.create(
            agenda_id=the_world.agenda_id,
            title=f"벤치 {label} {i + 1}",
            kind=Session.Kind.OPEN_MIC,
            starts_at=timezone.now() - dt.timedelta(minutes=1),
            created_by_id=the_world.facilitator_id,
        )
        session_transition(actor=None, session=session, to_state=Session.State.LIVE)
        ids.append(session.pk)
    return ids


def close_rooms(ids: list[int]) -> None:
    """Delete the run's sessions (and their stored events) so the database stays small."""
    from deliberation.agendas.models import Session

    Session.objects.filter(pk__in=ids).delete()


def residents(the_world: World, count: int) -> list[Resident]:
    """``count`` bench residents with their signed cookies (created on first need)."""
    from deliberation.people.identity import resident_token
    from deliberation.people.models import User

    existing = list(
        User.objects.filter(username__startswith=RESIDENT_PREFIX).order_by("username")[:count]
    )
    missing = count - len(existing)
    if missing > 0:
        start = len(existing)
        fresh = []
        for i in range(start, start + missing):
            user = User(
                username=f"{RESIDENT_PREFIX}{i:06d}",
                nickname=f"주민{i}",
                role=User.Role.RESIDENT,
                region_id=the_world.organisation_id,
            )
            user.set_unusable_password()
            fresh.append(user)
        User.objects.bulk_create(fresh, batch_size=1000)
        existing = list(
            User.objects.filter(username__startswith=RESIDENT_PREFIX).order_by("username")[:count]
        )
    return [Resident(u.pk, resident_token(u)) for u in existing]


def set_voting(session_id: int, enabled: bool) -> None:
    """Turn voting on statements on or off in a bench room (as the facilitator would)."""
    from deliberation.opinions.models import OpinionRoom

    OpinionRoom.objects.update_or_create(session_id=session_id, defaults={"voting": enabled})


def opinion_map_state(session_id: int) -> dict[str, Any]:
    """The room's stored opinion map: when it was computed, how many voters and groups."""
    from deliberation.opinions.models import OpinionRoom

    room = OpinionRoom.objects.filter(session_id=session_id).first()
    if room is None or not room.result:
        return {"computed": False}
    return {
        "computed": True,
        "computed_at": room.computed_at.isoformat() if room.computed_at else None,
        "voters": len(room.result.get("participants", {})),
        "groups": len(room.result.get("groups", [])),
        "compute_ms": room.result.get("ms"),
    }
