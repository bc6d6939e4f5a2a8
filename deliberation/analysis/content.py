"""The digest's content: typed, JSON-serialisable, built by ``digest.py``.

Every text field here has passed ``digest.clean_for_digest`` (markup stripped, angle
brackets neutralised, personal data masked) before it was put in. Every summary line
and keyword cites the statements it comes from.
"""

from __future__ import annotations

import types
import typing
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from typing import Any, TypeVar

import orjson

SCHEMA_VERSION = 1

T = TypeVar("T")


@dataclass
class Citation:
    statement_id: int
    seq: int | None = None


@dataclass
class CountRow:
    key: str
    label: str
    count: int


@dataclass
class ActivityBin:
    start: str  # ISO 8601, Asia/Seoul
    label: str  # "14:05"
    statements: int
    reactions: int = 0


@dataclass
class Participation:
    people: int = 0
    statements: int = 0
    proposals: int = 0
    reactions: int = 0
    by_municipality: list[CountRow] = field(default_factory=list)
    by_age_band: list[CountRow] = field(default_factory=list)
    activity: list[ActivityBin] = field(default_factory=list)
    activity_svg: str = ""


@dataclass
class Keyword:
    term: str
    score: float
    count: int
    statement_ids: list[int] = field(default_factory=list)


@dataclass
class SummaryLine:
    """One key statement, quoted, with the statements that say the same."""

    text: str
    stance: str
    statement_id: int
    seq: int | None
    score: float
    citations: list[Citation] = field(default_factory=list)


@dataclass
class StanceGroup:
    stance: str
    label: str
    count: int
    lines: list[SummaryLine] = field(default_factory=list)


@dataclass
class ProposalResult:
    id: int
    title: str
    summary: str
    status: str
    supporters: int
    merged_from: list[int] = field(default_factory=list)
    votes: int = 0
    points: int | None = None
    rank: int | None = None


@dataclass
class VoteSummary:
    method: str
    closed: bool
    ballots: int
    results_hidden: bool = False


@dataclass
class PollResult:
    id: int
    question: str
    kind: str
    status: str
    voters: int
    options: list[CountRow] = field(default_factory=list)


@dataclass
class FloorSpeaker:
    label: str
    turns: int
    seconds: int


@dataclass
class FloorSummary:
    speakers: int = 0
    turns: int = 0
    total_seconds: int = 0
    by_speaker: list[FloorSpeaker] = field(default_factory=list)


@dataclass
class ModerationSummary:
    total: int = 0
    by_kind: list[CountRow] = field(default_factory=list)
    # The offensive-language assistant: texts it flagged, flagged texts a facilitator hid
    # (and that stay hidden), and flagged texts hidden then shown again. Never a text.
    flagged: int = 0
    flagged_hidden: int = 0
    flagged_restored: int = 0


@dataclass
class Conclusion:
    text: str
    updated_at: str | None = None


@dataclass
class DigestContent:
    """Everything a digest says about a session (or an agenda across its sessions)."""

    scope: str  # "session" or "agenda"
    agenda_id: int
    session_ids: list[int]
    title: str
    agenda_title: str
    municipality: str
    topic: str
    disclosure: str
    period_start: str | None
    period_end: str | None
    generated_at: str
    # Kinds of the sessions covered ("open_mic", "deliberation"): which sections apply.
    session_kinds: list[str] = field(default_factory=list)
    participation: Participation = field(default_factory=Participation)
    keywords: list[Keyword] = field(default_factory=list)
    key_statements: list[StanceGroup] = field(default_factory=list)
    proposals: list[ProposalResult] = field(default_factory=list)
    vote: VoteSummary | None = None
    polls: list[PollResult] = field(default_factory=list)
    floor: FloorSummary = field(default_factory=FloorSummary)
    moderation: ModerationSummary = field(default_factory=ModerationSummary)
    conclusion: Conclusion | None = None
    analysed_statements: int = 0
    pending_analysis: int = 0
    schema: int = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> bytes:
        return orjson.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DigestContent:
        return _from_dict(cls, data)

    def cited_statement_ids(self) -> set[int]:
        """Every statement id a keyword or summary line points to."""
        ids = {i for k in self.keywords for i in k.statement_ids}
        for group in self.key_statements:
            for line in group.lines:
                ids.add(line.statement_id)
                ids.update(c.statement_id for c in line.citations)
        return ids


def _from_dict(cls: type[T], data: dict[str, Any]) -> T:
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name in data:
            kwargs[f.name] = _convert(hints[f.name], data[f.name])
    return cls(**kwargs)


def _convert(tp: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return _convert(inner[0], value)
    if origin is list:
        (item,) = typing.get_args(tp)
        return [_convert(item, v) for v in value]
    if is_dataclass(tp) and isinstance(tp, type):
        return _from_dict(tp, value)
    return value
