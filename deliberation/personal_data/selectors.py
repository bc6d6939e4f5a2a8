"""Reads about personal data: the notice in effect, consent state, a person's own record."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from deliberation.digests.exports import csv_cell
from deliberation.digests.models import Notification
from deliberation.live import permissions as room_permissions
from deliberation.live.models import FloorTurn, HandRaise, Participant, Reaction, Report, Statement
from deliberation.opinions.models import StatementVote
from deliberation.people.models import User
from deliberation.structured.models import Ballot, PollVote, Proposal, Support

from . import notice_text
from .models import ConsentRecord, PrivacyNotice, Withdrawal
from .retention import retention_rows


def notice_current() -> PrivacyNotice:
    """The version in effect today; the built-in first version if there is none yet."""
    today = timezone.localdate()
    notice = PrivacyNotice.objects.filter(effective_date__lte=today).order_by("-version").first()
    if notice is not None:
        return notice
    try:
        with transaction.atomic():
            notice, _created = PrivacyNotice.objects.get_or_create(
                version=1,
                defaults={
                    "effective_date": today,
                    "body_ko": notice_text.BODY_KO.strip(),
                    "body_en": notice_text.BODY_EN.strip(),
                },
            )
    except IntegrityError:  # another request created it first
        notice = PrivacyNotice.objects.get(version=1)
    return notice


def notice_versions() -> list[PrivacyNotice]:
    """Every version, newest first, including those scheduled for a later date."""
    notice_current()
    return list(PrivacyNotice.objects.order_by("-version"))


def consent_version() -> PrivacyNotice:
    """The version residents must have consented to: the latest that asks again."""
    current = notice_current()
    if current.asks_consent_again:
        return current
    asking = (
        PrivacyNotice.objects.filter(version__lte=current.version, asks_consent_again=True)
        .order_by("-version")
        .first()
    )
    return asking or current


def _english() -> bool:
    return (get_language() or "ko").startswith("en")


def controller() -> dict[str, str]:
    """Who controls the data in this deployment, in the reader's language."""
    english = _english()
    name = settings.PRIVACY_CONTROLLER_EN if english else settings.PRIVACY_CONTROLLER
    return {
        "name": name or settings.PRIVACY_CONTROLLER,
        "officer": (settings.PRIVACY_OFFICER_EN if english else settings.PRIVACY_OFFICER)
        or settings.PRIVACY_OFFICER
        or _("운영 기관의 개인정보 보호 담당 부서"),
        "contact": settings.PRIVACY_CONTACT or _("운영 기관 대표 연락처"),
    }


def notice_body(notice: PrivacyNotice) -> SafeString:
    """The notice's stored (sanitised) text with the deployment's values filled in."""
    body = notice.body_en if _english() else notice.body_ko
    who = controller()
    table = render_to_string("personal_data/_retention_table.html", {"rows": retention_rows()})
    if "{{ retention_table }}" not in body:
        body += "{{ retention_table }}"
    for key, value in (
        ("controller", escape(who["name"])),
        ("officer", escape(who["officer"])),
        ("contact", escape(who["contact"])),
        ("retention_table", table),
    ):
        body = body.replace("{{ %s }}" % key, value)  # noqa: UP031 - a literal brace pair
    return mark_safe(body)  # noqa: S308 - sanitised on save; values escaped above


def consent_needed(user: Any) -> bool:
    """A resident who has not consented to the version in force must be asked again."""
    if not (isinstance(user, User) and user.is_authenticated and user.is_resident):
        return False
    return not ConsentRecord.objects.filter(
        user=user,
        scope=ConsentRecord.Scope.REQUIRED,
        granted=True,
        notice__version__gte=consent_version().version,
    ).exists()


def optional_consent(user: User) -> ConsentRecord | None:
    """The person's latest answer about the optional items, if any."""
    return (
        ConsentRecord.objects.filter(user=user, scope=ConsentRecord.Scope.OPTIONAL)
        .select_related("notice")
        .order_by("-at", "-pk")
        .first()
    )


def _iso(value: Any) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


# Characters of a device id shown to its owner: enough to tell two browsers apart, too few
# to be used as the cookie.
DEVICE_ID_SHOWN = 6


def _device_shown(device_id: str) -> str:
    return f"{device_id[:DEVICE_ID_SHOWN]}…" if device_id else ""


def _join_mode_label(via: str) -> str:
    labels = {
        room_permissions.ACCOUNT: _("계정"),
        room_permissions.VENUE_CODE: _("회의장 코드"),
        room_permissions.OPEN: _("간편 참여"),
    }
    return str(labels.get(via, via))


def _devices(user: User, participations: list[Participant]) -> list[dict[str, Any]]:
    """The browsers (device cookies) linked to this person: first linked and last seen."""
    seen: dict[str, dict[str, Any]] = {}
    if user.device_id:
        seen[user.device_id] = {"first": user.date_joined, "last": user.date_joined, "sessions": 0}
    for p in participations:
        if not p.device_id:
            continue
        row = seen.setdefault(
            p.device_id, {"first": p.joined_at, "last": p.joined_at, "sessions": 0}
        )
        row["first"] = min(row["first"], p.joined_at)
        row["last"] = max(row["last"], p.last_seen or p.joined_at, p.joined_at)
        row["sessions"] += 1
    return [
        {
            "device": _device_shown(device_id),
            "joined_on_it": device_id == user.device_id,
            "linked_at": _iso(row["first"]),
            "last_seen": _iso(row["last"]),
            "sessions": row["sessions"],
        }
        for device_id, row in sorted(seen.items(), key=lambda item: item[1]["first"])
    ]


def person_record(user: User) -> dict[str, Any]:
    """Everything Madang holds about one person, as plain data for the page and downloads."""
    withdrawal = Withdrawal.objects.filter(user=user).first()
    profile = {
        "id": user.pk,
        "nickname": user.nickname,
        "username": user.username if user.has_usable_password() else "",
        "role": user.get_role_display(),
        "region": user.region.display_name if user.region else "",
        "age_band": user.get_age_band_display() if user.age_band else "",
        "account_attached": user.has_usable_password(),
        "joined_at": _iso(user.date_joined),
        "last_sign_in": _iso(user.last_login),
        "withdrawn_at": _iso(withdrawal.at) if withdrawal else None,
    }
    consents = [
        {
            "notice_version": c.notice.version,
            "scope": c.get_scope_display(),
            "granted": c.granted,
            "channel": c.get_channel_display(),
            "at": _iso(c.at),
        }
        for c in ConsentRecord.objects.filter(user=user).select_related("notice").order_by("at")
    ]
    participations = list(
        Participant.objects.filter(person=user)
        .select_related("session__agenda")
        .order_by("joined_at")
    )
    sessions = [
        {
            "session_id": p.session_id,
            "session": p.session.title,
            "agenda": p.session.agenda.title,
            "joined_at": _iso(p.joined_at),
            "last_seen": _iso(p.last_seen),
            "joined_with": _join_mode_label(
                room_permissions.admitted_via(user, venue_verified=p.venue_verified_at is not None)
            ),
            "device": _device_shown(p.device_id),
            "muted": p.muted,
            "banned": p.banned,
        }
        for p in participations
    ]
    statements = [
        {
            "id": s.pk,
            "session_id": s.session_id,
            "session": s.session.title,
            "text": s.text,
            "stance": s.get_stance_display() if s.stance else "",
            "status": s.get_status_display(),
            "at": _iso(s.created_at),
        }
        for s in Statement.objects.filter(author=user).select_related("session").order_by("pk")
    ]
    proposals = [
        {
            "id": p.pk,
            "session_id": p.session_id,
            "title": p.title,
            "status": p.get_status_display(),
            "at": _iso(p.created_at),
        }
        for p in Proposal.objects.filter(author=user).order_by("pk")
    ]
    ballots = [
        {
            "session_id": b.session_id,
            "session": b.session.title,
            "choices": [
                {"proposal": c.proposal.title, "rank": c.rank}
                for c in b.choices.select_related("proposal")
            ],
            "at": _iso(b.cast_at),
        }
        for b in Ballot.objects.filter(voter=user).select_related("session").order_by("pk")
    ]
    polls = [
        {
            "poll": v.poll.question,
            "session_id": v.poll.session_id,
            "options": [o.label for o in v.options.all()],
            "at": _iso(v.at),
        }
        for v in PollVote.objects.filter(person=user).select_related("poll").order_by("pk")
    ]
    supports = [
        {"proposal": s.proposal.title, "session_id": s.proposal.session_id, "at": _iso(s.at)}
        for s in Support.objects.filter(person=user).select_related("proposal").order_by("pk")
    ]
    statement_votes = [
        {
            "statement_id": v.statement_id,
            "session_id": v.session_id,
            "value": str(v.get_value_display()),
            "at": _iso(v.updated_at),
        }
        for v in StatementVote.objects.filter(person=user).order_by("pk")
    ]
    reactions = [
        {"statement_id": r.statement_id, "kind": r.kind, "at": _iso(r.created_at)}
        for r in Reaction.objects.filter(person=user).order_by("pk")
    ]
    reports = [
        {
            "statement_id": r.statement_id,
            "reason": r.reason,
            "status": r.get_status_display(),
            "at": _iso(r.created_at),
        }
        for r in Report.objects.filter(reporter=user).order_by("pk")
    ]
    turns = [
        {"session_id": t.session_id, "started_at": _iso(t.started_at), "ended_at": _iso(t.ended_at)}
        for t in FloorTurn.objects.filter(person=user).order_by("pk")
    ]
    hands = HandRaise.objects.filter(person=user).count()
    notifications = [
        {"title": n.title, "body": n.body, "at": _iso(n.created_at), "read_at": _iso(n.read_at)}
        for n in Notification.objects.filter(user=user).order_by("pk")
    ]
    return {
        "profile": profile,
        "devices": _devices(user, participations),
        "consents": consents,
        "sessions": sessions,
        "statements": statements,
        "proposals": proposals,
        "votes": {
            "ballots": ballots,
            "polls": polls,
            "supports": supports,
            "statements": statement_votes,
        },
        "reactions": reactions,
        "reports": reports,
        "floor_turns": turns,
        "hands_raised": hands,
        "notifications": notifications,
    }


def record_counts(record: dict[str, Any]) -> dict[str, int]:
    """How many of each kind the record holds, for the data page's summary."""
    votes = record["votes"]
    return {
        "sessions": len(record["sessions"]),
        "statements": len(record["statements"]),
        "proposals": len(record["proposals"]),
        "votes": len(votes["ballots"])
        + len(votes["polls"])
        + len(votes["supports"])
        + len(votes.get("statements", [])),
        "reactions": len(record["reactions"]),
        "reports": len(record["reports"]),
        "notifications": len(record["notifications"]),
    }


def record_csv(record: dict[str, Any]) -> bytes:
    """One row per item (section, id, session, content, time); UTF-8 with a BOM for Excel."""
    rows: list[list[Any]] = [[_("구분"), _("번호"), _("회의"), _("내용"), _("시각")]]
    for key, value in record["profile"].items():
        rows.append([_("프로필"), "", "", f"{key}: {'' if value is None else value}", ""])
    for c in record["consents"]:
        answer = _("동의") if c["granted"] else _("동의하지 않음")
        label = f"v{c['notice_version']} {c['scope']}: {answer} ({c['channel']})"
        rows.append([_("동의 기록"), "", "", label, c["at"]])
    for d in record.get("devices", []):
        label = _("기기 %(device)s: 처음 연결 %(first)s, 마지막 이용 %(last)s") % {
            "device": d["device"],
            "first": d["linked_at"],
            "last": d["last_seen"],
        }
        rows.append([_("기기 연결"), "", "", label, d["linked_at"]])
    for s in record["sessions"]:
        content = f"{s['agenda']} · {_('참여 방식')}: {s['joined_with']}"
        if s.get("device"):
            content += f" · {_('기기')}: {s['device']}"
        rows.append([_("참여한 회의"), s["session_id"], s["session"], content, s["joined_at"]])
    for s in record["statements"]:
        rows.append([_("발언"), s["id"], s["session"], s["text"], s["at"]])
    for p in record["proposals"]:
        rows.append([_("제안"), p["id"], p["session_id"], p["title"], p["at"]])
    for b in record["votes"]["ballots"]:
        choices = ", ".join(
            f"{c['rank']}. {c['proposal']}" if c["rank"] else c["proposal"] for c in b["choices"]
        )
        rows.append([_("투표"), "", b["session"], choices, b["at"]])
    for v in record["votes"]["polls"]:
        rows.append(
            [
                _("설문 응답"),
                "",
                v["session_id"],
                f"{v['poll']}: {', '.join(v['options'])}",
                v["at"],
            ]
        )
    for s in record["votes"]["supports"]:
        rows.append([_("제안 지지"), "", s["session_id"], s["proposal"], s["at"]])
    for v in record["votes"].get("statements", []):
        rows.append([_("발언 투표"), v["statement_id"], v["session_id"], v["value"], v["at"]])
    for r in record["reactions"]:
        rows.append([_("공감 반응"), r["statement_id"], "", r["kind"], r["at"]])
    for r in record["reports"]:
        rows.append([_("신고"), r["statement_id"], "", f"{r['reason']} ({r['status']})", r["at"]])
    for t in record["floor_turns"]:
        rows.append([_("발언권"), "", t["session_id"], "", t["started_at"]])
    for n in record["notifications"]:
        rows.append([_("알림"), "", "", f"{n['title']} {n['body']}".strip(), n["at"]])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(c) for c in row])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")
