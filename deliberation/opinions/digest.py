"""The digest's "opinion groups": what each group is, says, and what they share or split on.

Two pieces, kept apart from the digest's own code: ``opinion_groups_content`` adds the
groups of each session to a digest's content when it is built (an agenda digest lists
every session that voted), and ``opinion_sections`` turns that content into the
document section that the page and every export (CSV, JSON, Markdown, HWPX) render.
Every statement is cited by id, so pages link it to its text among the sources.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from deliberation.agendas.models import Session
from deliberation.analysis.cleaning import clean_for_digest
from deliberation.live.models import Statement

from .math import compute
from .models import OpinionRoom, StatementVote
from .selectors import map_inputs

KEY = "opinion_groups"
TITLE = gettext_lazy("의견 그룹")
TEXT_LIMIT = 300


def group_label(group: Any) -> str:
    return _("그룹 %(g)s") % {"g": chr(65 + int(group))}


def _session_groups(session: Session) -> dict[str, Any] | None:
    votes, counting, out = map_inputs(session.pk)
    if not votes:
        return None
    room = OpinionRoom.objects.filter(session=session).first()
    stored = room.result if room is not None else {}
    newest = StatementVote.objects.filter(session=session).aggregate(m=Max("updated_at"))["m"]
    if room is not None and room.final and room.votes_seen == newest and stored:
        result = stored  # the map frozen at the close, as the room last showed it
    else:
        previous = {
            int(p): int(v[2])
            for p, v in (stored.get("participants") or {}).items()
            if v[2] is not None
        }
        result = compute(votes, statements=counting, excluded=out, previous=previous).to_dict()
    ids = {
        int(r["statement"]) for g in result.get("groups", []) for r in g.get("representative", [])
    } | {int(c["statement"]) for c in [*result.get("consensus", []), *result.get("divisive", [])]}
    texts = {
        s.pk: clean_for_digest(s.text, limit=TEXT_LIMIT)
        for s in Statement.objects.filter(pk__in=ids, status=Statement.Status.VISIBLE)
    }

    def cite(row: dict[str, Any]) -> dict[str, Any] | None:
        sid = int(row["statement"])
        if sid not in texts:
            return None
        return {
            "statement_id": sid,
            "text": texts[sid],
            "direction": row["direction"],
            **(
                {"share": round(row["probability"], 3), "rest": round(row["rest_probability"], 3)}
                if "probability" in row
                else {"groups": row.get("groups", {})}
            ),
        }

    participants = result.get("participants") or {}
    return {
        "session_id": session.pk,
        "session_title": session.title,
        "voters": len(participants),
        "grouped": sum(1 for v in participants.values() if v[2] is not None),
        "votes": result.get("votes", len(votes)),
        "groups": [
            {
                "id": g["id"],
                "size": g["size"],
                "representative": [c for c in map(cite, g.get("representative", [])) if c],
            }
            for g in result.get("groups", [])
        ],
        "consensus": [c for c in map(cite, result.get("consensus", [])) if c],
        "divisive": [c for c in map(cite, result.get("divisive", [])) if c],
    }


def opinion_groups_content(session_ids: list[int]) -> dict[str, Any]:
    """``{"opinion_groups": {"sessions": [...]}}`` for a digest's content (empty: no votes)."""
    sessions = [
        part
        for session in Session.objects.filter(pk__in=session_ids).order_by("starts_at", "pk")
        if (part := _session_groups(session)) is not None
    ]
    return {KEY: {"sessions": sessions}} if sessions else {}


def digest_session_ids(digest: Any, content: dict[str, Any]) -> list[int]:
    ids = content.get("session_ids") or ([digest.session_id] if digest.session_id else [])
    return [int(i) for i in ids]


def cited_statement_ids(content: dict[str, Any]) -> set[int]:
    """Every statement the opinion groups cite (the digest lists their text as sources)."""
    out: set[int] = set()
    for part in (content.get(KEY) or {}).get("sessions", []):
        rows = [*part.get("consensus", []), *part.get("divisive", [])]
        rows += [r for g in part.get("groups", []) for r in g.get("representative", [])]
        out |= {int(r["statement_id"]) for r in rows}
    return out


def _pct(x: Any) -> str:
    return f"{round(100 * float(x))}%"


def _shares(groups: dict[str, Any], direction: str = "agree") -> str:
    """Each group's share agreeing (or, for a shared disagreement, disagreeing)."""
    template = _("%(g)s 비동의 %(p)s") if direction == "disagree" else _("%(g)s 동의 %(p)s")
    return ", ".join(
        template
        % {
            "g": group_label(g),
            "p": _pct(v.get(direction if direction == "disagree" else "agree", 0)),
        }
        for g, v in sorted(groups.items(), key=lambda kv: int(kv[0]))
    )


def opinion_sections(content: dict[str, Any], notes: dict[str, str] | None = None) -> list[Any]:
    """The document section of the opinion groups (none when nobody voted)."""
    from deliberation.digests.document import Line, Section, Table

    sessions = (content.get(KEY) or {}).get("sessions") or []
    if not sessions:
        return []
    section = Section(key=KEY, title=str(TITLE), note=(notes or {}).get(KEY, ""))
    several = len(sessions) > 1
    direction = {"agree": pgettext("vote", "동의"), "disagree": pgettext("vote", "비동의")}
    for part in sessions:
        prefix = f"[{part['session_title']}] " if several else ""
        section.paragraphs.append(
            prefix
            + _(
                "발언 투표 %(votes)s건, 투표한 참여자 %(voters)s명 중 %(grouped)s명이 "
                "그룹 %(k)s개로 나뉘었습니다."
            )
            % {
                "votes": part["votes"],
                "voters": part["voters"],
                "grouped": part["grouped"],
                "k": len(part["groups"]),
            }
        )
        if part["groups"]:
            total = sum(g["size"] for g in part["groups"]) or 1
            section.tables.append(
                Table(
                    headers=[_("그룹"), _("인원"), _("비율")],
                    rows=[
                        [prefix + group_label(g["id"]), str(g["size"]), _pct(g["size"] / total)]
                        for g in part["groups"]
                    ],
                )
            )
        for row in part["consensus"]:
            section.lines.append(
                Line(
                    text=prefix
                    + _("공통 %(d)s: %(text)s (%(shares)s)")
                    % {
                        "d": direction[row["direction"]],
                        "text": row["text"],
                        "shares": _shares(row.get("groups", {}), row["direction"]),
                    },
                    sources=[row["statement_id"]],
                )
            )
        for g in part["groups"]:
            for row in g["representative"]:
                section.lines.append(
                    Line(
                        text=prefix
                        + _(
                            "%(group)s의 특징 (%(d)s): %(text)s "
                            "(그룹 안 %(share)s, 나머지 %(rest)s)"
                        )
                        % {
                            "group": group_label(g["id"]),
                            "d": direction[row["direction"]],
                            "text": row["text"],
                            "share": _pct(row["share"]),
                            "rest": _pct(row["rest"]),
                        },
                        sources=[row["statement_id"]],
                    )
                )
        for row in part["divisive"]:
            section.lines.append(
                Line(
                    text=prefix
                    + _("의견이 갈림: %(text)s (%(shares)s)")
                    % {"text": row["text"], "shares": _shares(row.get("groups", {}))},
                    sources=[row["statement_id"]],
                )
            )
    return [section]
