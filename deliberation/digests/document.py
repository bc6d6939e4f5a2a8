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
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from deliberation.common.privacy import mask_personal_data
from deliberation.opinions.digest import opinion_sections

# Titles of the sections the builder is known to produce, in reading order.
SECTION_TITLES: dict[str, Any] = {
    "participation": _l("참여 현황"),
    "keywords": _l("주요 키워드"),
    "key_statements": _l("입장별 핵심 발언"),
    "proposals": _l("제안과 지지·투표 결과"),
    "vote": _l("투표"),
    "polls": _l("실시간 투표 결과"),
    "floor": _l("자유발언 요약"),
    "moderation": _l("운영(모더레이션) 요약"),
    "conclusion": _l("진행자 결론"),
}

# Keys that carry no reader-facing content (identifiers, versions, raw series).
_NOT_SEARCHED = {"activity_svg", "generated_at", "period_start", "period_end", "start"}
_SKIP_KEYS = {"version", "session_id", "agenda_id", "generated_at", "kind", "scope", "title"}

HEADER_TITLES: dict[str, Any] = {
    "word": _l("키워드"),
    "term": _l("키워드"),
    "score": _l("점수"),
    "count": _l("수"),
    "text": _l("내용"),
    "title": _l("제목"),
    "stance": _l("입장"),
    "support": _l("지지"),
    "supports": _l("지지"),
    "votes": _l("투표"),
    "label": _l("항목"),
    "name": _l("이름"),
    "municipality": _l("지자체"),
    "age_band": _l("연령대"),
    "start": _l("시작"),
    "speakers": _l("발언자 수"),
    "seconds": _l("시간(초)"),
    "sources": _l("근거 발언"),
    "statement_ids": _l("근거 발언"),
}


@dataclasses.dataclass
class Line:
    """A summary line and the statements it comes from."""

    text: str
    sources: list[int] = dataclasses.field(default_factory=list)


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
    note: str = ""


@dataclasses.dataclass
class DigestDocument:
    title: str
    meta: list[tuple[str, str]]
    summary: str
    sections: list[Section]


def scrub_content(value: Any) -> Any:
    """Every string of the builder's output with personal data masked (defence in depth)."""
    if isinstance(value, str):
        return mask_personal_data(value)
    if isinstance(value, dict):
        return {str(k): scrub_content(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_content(v) for v in value]
    return value


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


def _fill(section: Section, value: Any, *, depth: int = 0) -> None:
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
                    prefix = f"[{item['stance']}] " if item.get("stance") else ""
                    section.lines.append(Line(prefix + _text(item["text"]), _sources(item)))
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
            if isinstance(sub, dict | list) and sub and key not in _SKIP_KEYS:
                if depth < 2:
                    inner = Section(key=key, title=_header(key))
                    _fill(inner, sub, depth=depth + 1)
                    # Nested parts become captioned tables and lines of the same section.
                    for table in inner.tables:
                        section.tables.append(
                            Table(headers=table.headers, rows=table.rows)
                            if table.headers
                            else table
                        )
                    section.lines.extend(inner.lines)
                    section.paragraphs.extend(inner.paragraphs)
    elif value is not None:
        section.paragraphs.append(_text(value))


def _rows(items: Any, *keys: str) -> list[list[str]]:
    return [[_text(item.get(k)) for k in keys] for item in items or [] if isinstance(item, dict)]


def _count_table(items: Any, label: str) -> Table:
    return Table(headers=[label, _("수")], rows=_rows(items, "label", "count"))


def _participation(section: Section, part: dict[str, Any]) -> None:
    section.tables.append(
        Table(
            headers=[_("참여자"), _("발언"), _("제안"), _("반응")],
            rows=[
                [_text(part.get(k, 0)) for k in ("people", "statements", "proposals", "reactions")]
            ],
        )
    )
    if part.get("by_municipality"):
        section.tables.append(_count_table(part["by_municipality"], _("지역")))
    if part.get("by_age_band"):
        section.tables.append(_count_table(part["by_age_band"], _("연령대")))
    if part.get("activity"):
        section.tables.append(
            Table(
                headers=[_("시각(5분 단위)"), _("발언"), _("반응")],
                rows=_rows(part["activity"], "label", "statements", "reactions"),
            )
        )


def _citations(line: dict[str, Any]) -> list[int]:
    ids = [c.get("statement_id") for c in line.get("citations") or [] if isinstance(c, dict)]
    if line.get("statement_id") is not None and line["statement_id"] not in ids:
        ids.insert(0, line["statement_id"])
    return [int(i) for i in ids if isinstance(i, int)]


def _known_section(key: str, value: Any, section: Section) -> None:
    if key == "participation" and isinstance(value, dict):
        _participation(section, value)
    elif key == "keywords":
        section.tables.append(
            Table(
                headers=[_("키워드"), _("TF-IDF"), _("언급 발언 수"), _("근거 발언")],
                rows=[
                    [
                        _text(k.get("term") or k.get("word")),
                        f"{float(k.get('score') or 0):.3f}",
                        _text(k.get("count", len(k.get("statement_ids") or []))),
                        " ".join(f"#{i}" for i in (k.get("statement_ids") or [])[:5]),
                    ]
                    for k in value
                    if isinstance(k, dict)
                ],
            )
        )
    elif key == "key_statements":
        for group in value:
            if not isinstance(group, dict):
                continue
            label = _text(group.get("label") or group.get("stance"))
            for line in group.get("lines") or []:
                section.lines.append(
                    Line(text=f"[{label}] {_text(line.get('text'))}", sources=_citations(line))
                )
    elif key == "proposals":
        section.tables.append(
            Table(
                headers=[_("순위"), _("제안"), _("내용"), _("지지"), _("투표"), _("점수")],
                rows=_rows(value, "rank", "title", "summary", "supporters", "votes", "points"),
            )
        )
    elif key == "vote" and isinstance(value, dict):
        section.tables.append(
            Table(
                headers=[_("방식"), _("투표 수"), _("마감")],
                rows=[
                    [
                        _text(value.get("method")),
                        _text(value.get("ballots")),
                        _text(value.get("closed")),
                    ]
                ],
            )
        )
    elif key == "polls":
        for poll in value:
            if isinstance(poll, dict):
                section.paragraphs.append(
                    f"{_text(poll.get('question'))} ({_('참여')} {_text(poll.get('voters'))})"
                )
                section.tables.append(_count_table(poll.get("options"), _("선택지")))
    elif key == "floor" and isinstance(value, dict):
        section.tables.append(
            Table(
                headers=[_("발언자 수"), _("발언 차례"), _("총 발언 시간(초)")],
                rows=[[_text(value.get(k, 0)) for k in ("speakers", "turns", "total_seconds")]],
            )
        )
        if value.get("by_speaker"):
            section.tables.append(
                Table(
                    headers=[_("발언자"), _("차례"), _("시간(초)")],
                    rows=_rows(value["by_speaker"], "label", "turns", "seconds"),
                )
            )
    elif key == "moderation" and isinstance(value, dict):
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
        if value.get("by_kind"):
            section.tables.append(_count_table(value["by_kind"], _("종류")))
    elif key == "conclusion" and isinstance(value, dict):
        if value.get("text"):
            section.paragraphs.extend(p for p in str(value["text"]).split("\n\n") if p.strip())
    else:
        _fill(section, value)


def content_sections(content: dict[str, Any], notes: dict[str, str] | None = None) -> list[Section]:
    """The content's sections in reading order, with the facilitator's notes attached."""
    notes = notes or {}
    sections = []
    for key, title in SECTION_TITLES.items():
        value = content.get(key)
        section = Section(key=key, title=str(title), note=notes.get(key, ""))
        if value:
            _known_section(key, value, section)
        if section.paragraphs or section.lines or section.tables or section.note:
            sections.append(section)
    sections += opinion_sections(content, notes)
    return sections


def _local(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def digest_document(digest: Any) -> DigestDocument:
    """The digest as titled sections of plain strings, for pages and exports."""
    meta = [
        (_("지자체"), str(digest.organisation)),
        (_("주제"), str(digest.get_topic_display())),
        (_("공개 수준"), str(digest.get_disclosure_display())),
        (_("회의 일시"), _local(digest.held_at)),
        (_("상태"), str(digest.get_status_display())),
        (
            _("참여자"),
            _text(digest.participant_count)
            + (f" ({digest.participation_label})" if digest.participation_label else ""),
        ),
        (_("발언"), _text(digest.statement_count)),
        (_("제안"), _text(digest.proposal_count)),
    ]
    if digest.published_at:
        meta.append((_("전달 일시"), _local(digest.published_at)))
    return DigestDocument(
        title=digest.title,
        meta=meta,
        summary=digest.summary_text,
        sections=content_sections(digest.content or {}, digest.section_notes or {}),
    )


def content_keywords(content: dict[str, Any], limit: int = 20) -> list[dict[str, Any]]:
    """The top keywords as ``[{"word", "score"}]`` whatever the builder called them."""
    raw = content.get("keywords") or []
    out: list[dict[str, Any]] = []
    for item in raw:
        if isinstance(item, dict):
            word = item.get("word") or item.get("term") or item.get("keyword") or ""
            score = item.get("score", item.get("weight", item.get("count", 1)))
        elif isinstance(item, list | tuple) and item:
            word, score = item[0], item[1] if len(item) > 1 else 1
        else:
            word, score = item, 1
        word = str(word).strip()
        if word:
            try:
                out.append({"word": word[:50], "score": float(score or 0)})
            except (TypeError, ValueError):
                out.append({"word": word[:50], "score": 1.0})
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
