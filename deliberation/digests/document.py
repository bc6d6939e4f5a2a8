"""The one reading of a digest's content that pages and every export share.

The content builder (``deliberation.analysis.digest``) produces a JSON-able dict. This
module turns it, with the facilitator's summary and notes, into a ``DigestDocument``:
titled sections holding paragraphs, source-linked lines and tables of plain strings.
Templates, CSV, Markdown, HWPX and the API all render that one structure, so a value
is escaped by each format exactly once and never reaches a reader unrendered.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from deliberation.common.privacy import mask_personal_data
from deliberation.opinions.digest import opinion_sections

# Keys that carry no reader-facing content (identifiers, versions, raw series).
_NOT_SEARCHED = {"activity_svg", "generated_at", "period_start", "period_end", "start"}
_SKIP_KEYS = {"version", "session_id", "agenda_id", "generated_at", "kind", "scope", "title"}

HEADER_TITLES: dict[str, Any] = {
    "word": gettext_lazy("키워드"),
    "term": gettext_lazy("키워드"),
    "count": gettext_lazy("수"),
    "text": gettext_lazy("내용"),
    "title": gettext_lazy("제목"),
    "stance": gettext_lazy("입장"),
    "support": gettext_lazy("지지"),
    "supports": gettext_lazy("지지"),
    "votes": gettext_lazy("투표"),
    "label": gettext_lazy("항목"),
    "name": gettext_lazy("이름"),
    "municipality": gettext_lazy("지자체"),
    "age_band": gettext_lazy("연령대"),
    "start": gettext_lazy("시작"),
    "speakers": gettext_lazy("발언자 수"),
    "seconds": gettext_lazy("시간(초)"),
    "sources": gettext_lazy("근거 발언"),
    "statement_ids": gettext_lazy("근거 발언"),
}

OPEN_MIC = "open_mic"
DELIBERATION = "deliberation"


@dataclasses.dataclass
class Line:
    """A summary line and the statements it comes from."""

    text: str
    sources: list[int] = dataclasses.field(default_factory=list)
    stance: str | None = None
    stance_label: str = ""


@dataclasses.dataclass
class KeywordRef:
    """A keyword, how many statements use it, and which (as far as the digest kept)."""

    word: str
    count: int
    statement_ids: list[int] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]


@dataclasses.dataclass
class Section:
    key: str
    title: str
    paragraphs: list[str] = dataclasses.field(default_factory=list)
    lines: list[Line] = dataclasses.field(default_factory=list)
    tables: list[Table] = dataclasses.field(default_factory=list)
    keywords: list[KeywordRef] = dataclasses.field(default_factory=list)
    note: str = ""

    @property
    def empty(self) -> bool:
        return not (self.paragraphs or self.lines or self.tables or self.keywords or self.note)


@dataclasses.dataclass
class DigestDocument:
    title: str
    meta: list[tuple[str, str]]
    summary: str
    sections: list[Section]
    disclosure: str = ""
    disclosure_label: str = ""


def scrub_content(value: Any) -> Any:
    """Every string of the builder's output with personal data masked (defence in depth)."""
    if isinstance(value, str):
        return mask_personal_data(value)
    if isinstance(value, dict):
        return {str(k): scrub_content(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_content(v) for v in value]
    return value


# ---------------------------------------------------------------- words and dates

KOREAN_WEEKDAYS = "월화수목금토일"


def _english() -> bool:
    return (get_language() or "ko").startswith("en")


def official_date(value: dt.datetime | None, *, with_time: bool = True) -> str:
    """A date as Korean official documents write it, "2026. 12. 3.(목) 14:05" (Seoul
    time); in English "Thu 3 Dec 2026, 14:05"."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    if _english():
        text = f"{local:%a} {local.day} {local:%b %Y}"
        return f"{text}, {local:%H:%M}" if with_time else text
    text = f"{local.year}. {local.month}. {local.day}.({KOREAN_WEEKDAYS[local.weekday()]})"
    return f"{text} {local:%H:%M}" if with_time else text


def official_period(start: dt.datetime | None, end: dt.datetime | None) -> str:
    """When something ran: one date with its start and end time, or two dates."""
    if start is None:
        return official_date(end)
    if end is None or end <= start:
        return official_date(start)
    local_start, local_end = timezone.localtime(start), timezone.localtime(end)
    if local_start.date() == local_end.date():
        return f"{official_date(start)}–{local_end:%H:%M}"
    return f"{official_date(start)} – {official_date(end)}"


def _parse_time(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


def stance_label(stance: str | None) -> str:
    """A stance in the reader's language ("" or None: an open-mic statement)."""
    from deliberation.live.models import Stance

    if not stance:
        return _("의견")
    return str(dict(Stance.choices).get(stance, stance))


def age_band_label(key: str) -> str:
    from deliberation.people.models import User

    if not key:
        return _("응답 안 함")
    return str(dict(User.AgeBand.choices).get(key, key))


def organisation_labels(names: list[str]) -> dict[str, str]:
    """Organisation names in the reader's language (the English name where one exists)."""
    from deliberation.people.models import Organisation

    found = {o.name: o.display_name for o in Organisation.objects.filter(name__in=names)}
    return {name: found.get(name, name) for name in names}


def moderation_label(kind: str) -> str:
    from deliberation.live.models import ModerationAction

    return str(dict(ModerationAction.Kind.choices).get(kind, kind))


def vote_method_label(method: str) -> str:
    from deliberation.structured.models import VoteConfig

    return str(dict(VoteConfig.Method.choices).get(method, method))


# ---------------------------------------------------------------- rendering helpers


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("예") if value else _("아니오")
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return str(value)


def _header(key: str) -> str:
    return str(HEADER_TITLES[key]) if key in HEADER_TITLES else key


def _sources(item: dict[str, Any]) -> list[int]:
    for key in ("sources", "statement_ids", "source_ids"):
        raw = item.get(key)
        if isinstance(raw, list):
            return [int(v) for v in raw if isinstance(v, int) or str(v).isdigit()]
    return []


def _table_of(items: list[dict[str, Any]]) -> Table:
    keys: list[str] = []
    for item in items:
        for key in item:
            if key not in keys and key not in ("id",):
                keys.append(key)
    return Table(
        headers=[_header(k) for k in keys],
        rows=[[_text(item.get(k)) for k in keys] for item in items],
    )


def fill_generic(section: Section, value: Any, *, depth: int = 0) -> None:
    """Any JSON value as paragraphs, lines and tables (for sections without a renderer)."""
    if isinstance(value, str):
        if value.strip():
            section.paragraphs.append(value)
    elif isinstance(value, list):
        if not value:
            return
        if all(isinstance(v, dict) for v in value):
            with_text = [v for v in value if "text" in v and _sources(v)]
            if with_text and len(with_text) == len(value):
                for item in value:
                    stance = item.get("stance")
                    prefix = f"[{stance_label(stance)}] " if stance else ""
                    section.lines.append(
                        Line(prefix + _text(item["text"]), _sources(item), stance=stance)
                    )
            else:
                section.tables.append(_table_of(value))
        elif all(isinstance(v, list | tuple) for v in value):
            section.tables.append(
                Table(headers=[], rows=[[_text(c) for c in row] for row in value])
            )
        else:
            section.paragraphs.append(_text(value))
    elif isinstance(value, dict):
        scalars = [(k, v) for k, v in value.items() if not isinstance(v, dict | list)]
        if scalars:
            section.tables.append(
                Table(
                    headers=[_("항목"), _("값")],
                    rows=[[_header(k), _text(v)] for k, v in scalars],
                )
            )
        for key, sub in value.items():
            if isinstance(sub, dict | list) and sub and key not in _SKIP_KEYS and depth < 2:
                inner = Section(key=key, title=_header(key))
                fill_generic(inner, sub, depth=depth + 1)
                section.tables.extend(inner.tables)
                section.lines.extend(inner.lines)
                section.paragraphs.extend(inner.paragraphs)
    elif value is not None:
        section.paragraphs.append(_text(value))


def _rows(items: Any, *keys: str) -> list[list[str]]:
    return [[_text(item.get(k)) for k in keys] for item in items or [] if isinstance(item, dict)]


def _count_table(rows: list[tuple[str, Any]], label: str) -> Table:
    return Table(headers=[label, _("수")], rows=[[name, _text(n)] for name, n in rows])


def _citations(line: dict[str, Any]) -> list[int]:
    ids = [c.get("statement_id") for c in line.get("citations") or [] if isinstance(c, dict)]
    if line.get("statement_id") is not None and line["statement_id"] not in ids:
        ids.insert(0, line["statement_id"])
    return [int(i) for i in ids if isinstance(i, int)]


# ---------------------------------------------------------------- sections


def _participation(value: Any, section: Section) -> None:
    if not isinstance(value, dict):
        return
    section.tables.append(
        Table(
            headers=[_("참여자"), _("발언"), _("제안"), _("반응")],
            rows=[
                [_text(value.get(k, 0)) for k in ("people", "statements", "proposals", "reactions")]
            ],
        )
    )
    regions = [r for r in value.get("by_municipality") or [] if isinstance(r, dict)]
    if regions:
        names = organisation_labels([str(r.get("key") or "") for r in regions if r.get("key")])
        section.tables.append(
            _count_table(
                [
                    (names.get(str(r.get("key") or ""), "") or _("지역 미입력"), r.get("count"))
                    for r in regions
                ],
                _("지역"),
            )
        )
    bands = [r for r in value.get("by_age_band") or [] if isinstance(r, dict)]
    if bands:
        section.tables.append(
            _count_table(
                [(age_band_label(str(r.get("key") or "")), r.get("count")) for r in bands],
                _("연령대"),
            )
        )
    if value.get("activity"):
        section.tables.append(
            Table(
                headers=[_("시각(5분 단위)"), _("발언"), _("반응")],
                rows=_rows(value["activity"], "label", "statements", "reactions"),
            )
        )


def _keywords(value: Any, section: Section) -> None:
    for item in value or []:
        if not isinstance(item, dict):
            continue
        word = _text(item.get("term") or item.get("word"))
        ids = [int(i) for i in item.get("statement_ids") or [] if isinstance(i, int)]
        count = item.get("count")
        section.keywords.append(
            KeywordRef(
                word=word,
                count=int(count) if isinstance(count, int) else len(ids),
                statement_ids=ids,
            )
        )
    if section.keywords:
        section.tables.append(
            Table(
                headers=[_("키워드"), _("언급 발언 수"), _("근거 발언")],
                rows=[
                    [k.word, _text(k.count), " ".join(f"#{i}" for i in k.statement_ids)]
                    for k in section.keywords
                ],
            )
        )


def _key_statements(value: Any, section: Section) -> None:
    for group in value or []:
        if not isinstance(group, dict):
            continue
        stance = group.get("stance") or ""
        label = stance_label(stance)
        for line in group.get("lines") or []:
            section.lines.append(
                Line(
                    text=f"[{label}] {_text(line.get('text'))}",
                    sources=_citations(line),
                    stance=stance,
                    stance_label=label,
                )
            )


def _proposals(value: Any, section: Section) -> None:
    rows = _rows(value, "rank", "title", "summary", "supporters", "votes", "points")
    if rows:
        section.tables.append(
            Table(
                headers=[_("순위"), _("제안"), _("내용"), _("지지"), _("투표"), _("점수")],
                rows=rows,
            )
        )


def _vote(value: Any, section: Section) -> None:
    if not isinstance(value, dict):
        return
    section.tables.append(
        Table(
            headers=[_("방식"), _("투표 수"), _("마감")],
            rows=[
                [
                    vote_method_label(str(value.get("method") or "")),
                    _text(value.get("ballots")),
                    _text(bool(value.get("closed"))),
                ]
            ],
        )
    )


def _polls(value: Any, section: Section) -> None:
    for poll in value or []:
        if isinstance(poll, dict):
            section.paragraphs.append(
                f"{_text(poll.get('question'))} ({_('참여')} {_text(poll.get('voters'))})"
            )
            options = [(_text(o.get("label")), o.get("count")) for o in poll.get("options") or []]
            section.tables.append(_count_table(options, _("선택지")))


def _floor(value: Any, section: Section) -> None:
    if not isinstance(value, dict) or not value.get("turns"):
        return
    section.tables.append(
        Table(
            headers=[_("발언자 수"), _("발언 차례"), _("총 발언 시간(초)")],
            rows=[[_text(value.get(k, 0)) for k in ("speakers", "turns", "total_seconds")]],
        )
    )
    speakers = [s for s in value.get("by_speaker") or [] if isinstance(s, dict)]
    if speakers:
        section.tables.append(
            Table(
                headers=[_("발언자"), _("차례"), _("시간(초)")],
                rows=[
                    [_("발언자 %(n)d") % {"n": n}, _text(s.get("turns")), _text(s.get("seconds"))]
                    for n, s in enumerate(speakers, start=1)
                ],
            )
        )


def _moderation(value: Any, section: Section) -> None:
    if not isinstance(value, dict) or not (value.get("total") or value.get("flagged")):
        return
    section.paragraphs.append(_("운영 조치 %(n)s건") % {"n": _text(value.get("total", 0))})
    if value.get("flagged"):
        section.paragraphs.append(
            _("혐오·모욕 표현 자동 감지 %(f)s건, 그중 가림 %(h)s건, 가린 뒤 되돌림 %(r)s건")
            % {
                "f": _text(value.get("flagged", 0)),
                "h": _text(value.get("flagged_hidden", 0)),
                "r": _text(value.get("flagged_restored", 0)),
            }
        )
    kinds = [k for k in value.get("by_kind") or [] if isinstance(k, dict)]
    if kinds:
        section.tables.append(
            _count_table(
                [(moderation_label(str(k.get("key") or "")), k.get("count")) for k in kinds],
                _("종류"),
            )
        )


def _conclusion(value: Any, section: Section) -> None:
    if isinstance(value, dict) and value.get("text"):
        section.paragraphs.extend(p for p in str(value["text"]).split("\n\n") if p.strip())


SectionRender = Callable[[Any, Section], None]


@dataclasses.dataclass(frozen=True)
class SectionSpec:
    """One section of a digest: where its content is, its title, who renders it, and
    the kinds of session it belongs to (None: every kind)."""

    key: str
    title: Any
    render: SectionRender
    kinds: frozenset[str] | None = None


SECTIONS: list[SectionSpec] = [
    SectionSpec("participation", gettext_lazy("참여 현황"), _participation),
    SectionSpec("keywords", gettext_lazy("주요 키워드"), _keywords),
    SectionSpec("key_statements", gettext_lazy("입장별 핵심 발언"), _key_statements),
    SectionSpec(
        "proposals",
        gettext_lazy("제안과 지지·투표 결과"),
        _proposals,
        frozenset({DELIBERATION}),
    ),
    SectionSpec("vote", gettext_lazy("투표"), _vote, frozenset({DELIBERATION})),
    SectionSpec("polls", gettext_lazy("실시간 투표 결과"), _polls),
    SectionSpec("floor", gettext_lazy("자유발언 요약"), _floor, frozenset({OPEN_MIC})),
    SectionSpec("moderation", gettext_lazy("운영(모더레이션) 요약"), _moderation),
    SectionSpec("conclusion", gettext_lazy("진행자 결론"), _conclusion, frozenset({DELIBERATION})),
]


def register_section(spec: SectionSpec, *, before: str | None = None) -> None:
    """Add a section (another app's part of the digest), before ``before`` or last."""
    keys = [s.key for s in SECTIONS]
    if spec.key in keys:
        SECTIONS[keys.index(spec.key)] = spec
        return
    SECTIONS.insert(keys.index(before) if before in keys else len(SECTIONS), spec)


# Kept for readers of the old name: section keys and titles in reading order.
SECTION_TITLES: dict[str, Any] = {s.key: s.title for s in SECTIONS}


def content_sections(content: dict[str, Any], notes: dict[str, str] | None = None) -> list[Section]:
    """The content's sections in reading order, with the facilitator's notes attached.

    Sections with nothing in them are left out, and so are those that do not belong to
    the kinds of session covered (no floor in a deliberation, no vote in an open mic).
    """
    notes = notes or {}
    kinds = set(content.get("session_kinds") or [])
    sections = []
    for spec in SECTIONS:
        if kinds and spec.kinds is not None and not (kinds & spec.kinds):
            continue
        section = Section(key=spec.key, title=str(spec.title), note=notes.get(spec.key, ""))
        value = content.get(spec.key)
        if value:
            spec.render(value, section)
        if not section.empty:
            sections.append(section)
    sections += opinion_sections(content, notes)
    return sections


def digest_document(digest: Any) -> DigestDocument:
    """The digest as titled sections of plain strings, for pages and exports."""
    content = digest.content or {}
    kinds = set(content.get("session_kinds") or [])
    start = _parse_time(content.get("period_start")) or digest.held_at
    end = _parse_time(content.get("period_end"))
    meta = [
        (_("지자체"), str(digest.organisation.display_name)),
        (_("주제"), str(digest.get_topic_display())),
        (_("공개 수준"), str(digest.get_disclosure_display())),
        (_("회의 일시"), official_period(start, end)),
    ]
    if digest.published_at:
        meta.append((_("전달 일시"), official_date(digest.published_at)))
    meta += [
        (_("상태"), str(digest.get_status_display())),
        (
            _("참여자"),
            _text(digest.participant_count)
            + (f" ({digest.participation_label})" if digest.participation_label else ""),
        ),
        (_("발언"), _text(digest.statement_count)),
    ]
    if digest.proposal_count or not kinds or DELIBERATION in kinds:
        meta.append((_("제안"), _text(digest.proposal_count)))
    return DigestDocument(
        title=digest.title,
        meta=meta,
        summary=digest.summary_text,
        sections=content_sections(content, digest.section_notes or {}),
        disclosure=digest.disclosure,
        disclosure_label=str(digest.get_disclosure_display()),
    )


def content_keywords(content: dict[str, Any], limit: int = 20) -> list[dict[str, Any]]:
    """The top keywords as ``[{"word", "count"}]`` (statements using each)."""
    out: list[dict[str, Any]] = []
    for item in content.get("keywords") or []:
        if isinstance(item, dict):
            word = item.get("word") or item.get("term") or item.get("keyword") or ""
            count = item.get("count", len(item.get("statement_ids") or []) or 1)
        elif isinstance(item, list | tuple) and item:
            word, count = item[0], 1
        else:
            word, count = item, 1
        word = str(word).strip()
        if word:
            out.append({"word": word[:50], "count": int(count) if isinstance(count, int) else 1})
    return out[:limit]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() if k not in _NOT_SEARCHED for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


def content_search_text(digest: Any, content: dict[str, Any]) -> str:
    """Everything a ministry search should find: title, summary, notes, keywords, lines."""
    parts = [digest.title, digest.summary_text or ""]
    parts += list((digest.section_notes or {}).values())
    parts += [k["word"] for k in content_keywords(content, limit=100)]
    parts += _strings(content)
    return "\n".join(p for p in parts if p)[:200_000]


def content_summary(content: dict[str, Any]) -> str:
    """The builder's first key statement of each stance, as the facilitator's starting text."""
    lines = []
    for group in content.get("key_statements") or []:
        if not isinstance(group, dict):
            continue
        for line in (group.get("lines") or [])[:2]:
            text = _text(line.get("text")) if isinstance(line, dict) else ""
            if text:
                lines.append(f"- [{_text(group.get('label'))}] {text}")
    conclusion = content.get("conclusion")
    if isinstance(conclusion, dict) and conclusion.get("text"):
        lines.append(_text(conclusion["text"]))
    return "\n".join(lines)
