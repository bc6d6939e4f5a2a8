"""A digest as CSV, JSON, Markdown and HWPX (the printable HTML page is a template).

Every format renders the same ``DigestDocument`` and escapes for itself: CSV cells that
a spreadsheet would read as a formula are neutralised, Markdown and HTML special
characters are escaped, HWPX text goes through the XML writer.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import orjson
from django.utils.translation import gettext as _

from .document import DigestDocument, digest_document
from .models import Digest

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """A cell Excel and LibreOffice show as text: a leading formula character gets a quote."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _rows(doc: DigestDocument, answers: list[Any]) -> list[list[str]]:
    rows: list[list[str]] = [[_("항목"), _("구분"), _("내용"), _("근거 발언")]]
    rows.append([_("제목"), "", doc.title, ""])
    rows.extend([[_("정보"), k, v, ""] for k, v in doc.meta])
    if doc.summary:
        rows.append([_("요약"), "", doc.summary, ""])
    for section in doc.sections:
        for paragraph in section.paragraphs:
            rows.append([section.title, "", paragraph, ""])
        for line in section.lines:
            rows.append([section.title, "", line.text, " ".join(f"#{s}" for s in line.sources)])
        for table in section.tables:
            for row in table.rows:
                if table.headers:
                    label = " / ".join(
                        f"{h}: {c}" for h, c in zip(table.headers, row, strict=False)
                    )
                    rows.append([section.title, row[0] if row else "", label, ""])
                else:
                    rows.append([section.title, row[0] if row else "", " / ".join(row[1:]), ""])
        if section.note:
            rows.append([section.title, _("진행자 메모"), section.note, ""])
    for thread in answers:
        for response in [thread.current, *thread.history]:
            rows.append(
                [_("외교부 답변"), response.get_status_display(), response.text, thread.about]
            )
    return rows


def to_csv(digest: Digest, answers: list[Any] | None = None) -> bytes:
    """UTF-8 with a BOM (Excel reads Korean correctly), every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in _rows(digest_document(digest), answers or []):
        writer.writerow([csv_cell(c) for c in row])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def to_json(digest: Digest, answers: list[Any] | None = None) -> bytes:
    from .api import digest_detail_dict

    return orjson.dumps(digest_detail_dict(digest, answers or []), option=orjson.OPT_INDENT_2)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>&~])")


def md_escape(text: str) -> str:
    """Markdown text that renders literally: no markup, links, HTML or tables."""
    escaped = _MD_SPECIAL.sub(r"\\\1", text or "")
    escaped = escaped.replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("\\&", "&amp;").replace("\r", "")


def to_markdown(digest: Digest, answers: list[Any] | None = None) -> bytes:
    doc = digest_document(digest)
    out = [f"# {md_escape(doc.title)}", ""]
    out += [f"- **{md_escape(k)}**: {md_escape(v)}" for k, v in doc.meta]
    if doc.summary:
        out += ["", f"## {md_escape(_('요약'))}", ""]
        out += [md_escape(line) + "  " for line in doc.summary.splitlines()]
    for section in doc.sections:
        out += ["", f"## {md_escape(section.title)}", ""]
        out += [md_escape(p) for p in section.paragraphs]
        for line in section.lines:
            cite = " ".join(f"#{s}" for s in line.sources)
            out.append(f"- {md_escape(line.text)} ({md_escape(_('근거'))}: {md_escape(cite)})")
        for table in section.tables:
            out.append("")
            width = max([len(table.headers)] + [len(r) for r in table.rows] or [1])
            headers = table.headers or [""] * width
            out.append("| " + " | ".join(md_escape(h) for h in headers) + " |")
            out.append("|" + "---|" * len(headers))
            for row in table.rows:
                out.append("| " + " | ".join(md_escape(c) for c in row) + " |")
        if section.note:
            out += ["", f"> {md_escape(_('진행자 메모'))}: {md_escape(section.note)}"]
    if answers:
        out += ["", f"## {md_escape(_('외교부 답변'))}", ""]
        for thread in answers:
            for response in [thread.current, *thread.history]:
                status = md_escape(str(response.get_status_display()))
                about = md_escape(thread.about)
                out.append(f"- {about} — **{status}**: {md_escape(response.text)}")
    return ("\n".join(out) + "\n").encode("utf-8")


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(text: str) -> str:
    return _XML_INVALID.sub("", text)


def to_hwpx(digest: Digest, answers: list[Any] | None = None) -> bytes:
    """An HWPX package (zip: mimetype, Contents/section0.xml ...) with text and tables."""
    from hwpx import HwpxDocument

    doc = digest_document(digest)
    hwp = HwpxDocument.new()
    hwp.add_heading(_x(doc.title), level=1)
    meta = hwp.add_table(len(doc.meta), 2)
    for i, (key, value) in enumerate(doc.meta):
        meta.set_cell_text(i, 0, _x(key))
        meta.set_cell_text(i, 1, _x(value))
    if doc.summary:
        hwp.add_heading(_x(_("요약")), level=2)
        for summary_line in doc.summary.splitlines():
            hwp.add_paragraph(_x(summary_line))
    for section in doc.sections:
        hwp.add_heading(_x(section.title), level=2)
        for paragraph in section.paragraphs:
            hwp.add_paragraph(_x(paragraph))
        for line in section.lines:
            cite = ", ".join(f"#{s}" for s in line.sources)
            hwp.add_paragraph(_x(f"• {line.text} ({_('근거')}: {cite})"))
        for table in section.tables:
            rows = ([table.headers] if table.headers else []) + table.rows
            if not rows:
                continue
            width = max(len(r) for r in rows) or 1
            grid = hwp.add_table(len(rows), width)
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    grid.set_cell_text(r, c, _x(cell))
        if section.note:
            hwp.add_paragraph(_x(f"{_('진행자 메모')}: {section.note}"))
    if answers:
        hwp.add_heading(_x(_("외교부 답변")), level=2)
        for thread in answers:
            for response in [thread.current, *thread.history]:
                status = response.get_status_display()
                hwp.add_paragraph(_x(f"{thread.about} — {status}: {response.text}"))
    data: bytes = hwp.to_bytes()
    return data


FORMATS: dict[str, tuple[str, str, Any]] = {
    "csv": ("text/csv; charset=utf-8", "csv", to_csv),
    "json": ("application/json", "json", to_json),
    "md": ("text/markdown; charset=utf-8", "md", to_markdown),
    "hwpx": ("application/hwp+zip", "hwpx", to_hwpx),
}
