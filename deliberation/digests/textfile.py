"""A digest of statements received as a text file, one per line (``digest_text``).

The lines become the statements of one closed session on an otherwise empty
installation, and go through exactly what a live session's statements go through:
queued for analysis, analysed by the configured analyser, built into a digest by the
build job. The result is read back with each statement id replaced by the line it came
from. Run it on a scratch database (the command does): it writes a whole installation.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.utils import timezone

from deliberation.agendas.models import Agenda, Disclosure, Session, SessionTransition, Topic
from deliberation.analysis.api import enqueue_analysis_in_transaction
from deliberation.analysis.worker import process_pending
from deliberation.live.models import Stance, Statement
from deliberation.people.models import Organisation, User

from . import services
from .models import Digest

MAX_LINE_CHARS = 2_000

# A line may start with its stance: "[찬성] ...", "찬성: ...", "for<TAB>...".
_STANCE_NAMES = {
    "찬성": Stance.FOR,
    "반대": Stance.AGAINST,
    "중립": Stance.NEUTRAL,
    "질문": Stance.QUESTION,
    **{s.value: s for s in Stance},
}
_STANCE_PREFIX = re.compile(
    r"^\s*(?:\[(?P<bracketed>[^\]]{1,10})\]|(?P<plain>[^\s:\t]{1,10})\s*(?::|\t))\s*"
)


@dataclasses.dataclass(frozen=True)
class TextLine:
    number: int  # 1-based line number in the file
    text: str
    stance: str | None


def parse_lines(raw: str) -> list[TextLine]:
    """Non-empty lines with their file line numbers and any stance prefix taken off."""
    lines = []
    for number, line in enumerate(raw.splitlines(), start=1):
        text = line.strip().lstrip("\ufeff")
        if not text:
            continue
        stance = None
        match = _STANCE_PREFIX.match(text)
        if match:
            name = (match.group("bracketed") or match.group("plain") or "").strip()
            if name in _STANCE_NAMES:
                stance = str(_STANCE_NAMES[name].value)
                text = text[match.end() :].strip()
        if text:
            lines.append(TextLine(number=number, text=text[:MAX_LINE_CHARS], stance=stance))
    return lines


def _installation(count: int) -> tuple[Session, User, list[User]]:
    """One municipality, its facilitator, an agenda and a closed session, as on day one."""
    organisation = Organisation.objects.create(
        name="접수 의견", slug="digest-text", kind=Organisation.Kind.METROPOLITAN
    )
    facilitator = User.objects.create(
        username="digest-text-facilitator",
        role=User.Role.FACILITATOR,
        organisation=organisation,
    )
    agenda = Agenda.objects.create(
        title="접수 의견",
        organisation=organisation,
        topic=Topic.OTHER,
        disclosure=Disclosure.PUBLIC,
        created_by=facilitator,
    )
    now = timezone.now()
    session = Session.objects.create(
        agenda=agenda,
        title="접수 의견",
        state=Session.State.CLOSED,
        starts_at=now - dt.timedelta(minutes=count + 1),
        created_by=facilitator,
    )
    SessionTransition.objects.create(
        session=session, from_state=Session.State.SCHEDULED, to_state=Session.State.LIVE
    )
    residents = [
        User.objects.create(username=f"digest-text-{i}", nickname=f"의견 {i}", region=organisation)
        for i in range(1, count + 1)
    ]
    return session, facilitator, residents


def digest_of_lines(lines: list[TextLine]) -> dict[str, Any]:
    """Run the lines through the analysis and digest pipeline; the digest by line numbers."""
    if not lines:
        raise ValueError("no statements: every line is empty")
    with transaction.atomic():
        session, facilitator, residents = _installation(len(lines))
        line_of: dict[int, int] = {}
        for i, line in enumerate(lines):
            statement = Statement.objects.create(
                session=session,
                author=residents[i],
                client_msg_id=f"line-{line.number}",
                text=line.text,
                stance=line.stance,
                seq=i + 1,
            )
            line_of[statement.pk] = line.number
            enqueue_analysis_in_transaction("statement", statement.pk)
        Session.objects.filter(pk=session.pk).update(last_seq=len(lines))
    process_pending()
    digest = Digest.objects.create(
        scope=Digest.Scope.SESSION,
        agenda=session.agenda,
        session=session,
        organisation=session.agenda.organisation,
        topic=session.agenda.topic,
        disclosure=session.agenda.disclosure,
        title=session.title,
        held_at=session.starts_at,
        generation=Digest.Generation.RUNNING,
        generated_by=facilitator,
    )
    built = services.digest_build(digest_id=digest.pk)
    if built is None or built.generation != Digest.Generation.DONE:
        raise RuntimeError(f"the digest could not be built: {digest.generation_error}")
    return by_line(built.content, line_of, stances_given=any(line.stance for line in lines))


def by_line(
    content: dict[str, Any], line_of: dict[int, int], *, stances_given: bool
) -> dict[str, Any]:
    """The digest content with statement ids replaced by line numbers."""

    def lines(ids: Any) -> list[int]:
        return sorted({line_of[i] for i in ids or [] if i in line_of})

    groups = []
    key_statements = []
    for group in content.get("key_statements") or []:
        chosen = []
        for line in group.get("lines") or []:
            cited = [line.get("statement_id"), *(c.get("statement_id") for c in line["citations"])]
            item = {
                "line": line_of.get(line.get("statement_id"), 0),
                "text": line.get("text", ""),
                "stance": line.get("stance") or None,
                "cites": lines(cited),
            }
            chosen.append(item)
            key_statements.append(item)
        groups.append(
            {
                "stance": group.get("stance") or None,
                "statements": group.get("count", 0),
                "key_statements": chosen,
            }
        )
    out: dict[str, Any] = {
        "statements": len(line_of),
        "analysed": content.get("analysed_statements", 0),
        "keywords": [
            {
                "word": k.get("term", ""),
                "count": k.get("count", 0),
                "lines": lines(k.get("statement_ids")),
            }
            for k in content.get("keywords") or []
        ],
        "key_statements": key_statements,
    }
    if stances_given:
        out["stance_groups"] = groups
    return out
