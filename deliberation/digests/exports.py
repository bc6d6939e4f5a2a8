"""A digest as XLSX, CSV, JSON, Markdown and HWPX (the print view is a template).

Every format renders the same ``DigestDocument`` and escapes for itself: CSV cells that
a spreadsheet would read as a formula are neutralised, XLSX cells are typed as text,
Markdown escapes only what Markdown would otherwise read as markup, HWPX text goes
through the XML writer.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import orjson
from django.utils.translation import gettext as _

from .document import DigestDocument, digest_document, official_date
from .models import Digest

# A cell starting with one of these is a formula to Excel or LibreOffice. Full-width
# forms count: some spreadsheet setups (and IMEs) turn them into their ASCII twins.
_FORMULA_START = ("=", "+", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff20")
_MINUS = ("-", "\uff0d", "\u2212")
# After a minus, these make it a formula ("-2+3", "-A1", "-=1", "-(1)", "-@x") rather
# than a dash opening prose ("- 찬성 의견", "-청년 일자리").
_FORMULA_AFTER_MINUS = re.compile(
    r"[0-9A-Za-z=+\-@(.$'\"\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff1d\uff0b\uff0d\uff20\uff08]"
)


def csv_cell(value: Any) -> str:
    """A cell Excel and LibreOffice show as text: a formula's first character gets a quote."""
    text = "" if value is None else str(value)
    head = text.lstrip(" ")
    if head.startswith(_FORMULA_START):
        return "'" + text
    if head.startswith(_MINUS) and (len(head) == 1 or _FORMULA_AFTER_MINUS.match(head[1])):
        return "'" + text
    return text


def csv_cell_value(cell: str) -> str:
    """The text a neutralised cell stands for (what ``csv_cell`` was given)."""
    return cell[1:] if cell.startswith("'") and csv_cell(cell[1:]) == cell else cell


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


# Characters Markdown reads as markup wherever they stand (emphasis, code, links,
# table cells, escapes); "&" only where it would start an entity ("&amp;", "&#60;").
_MD_INLINE = re.compile(r"([\\`*_\[\]|])")
_MD_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# At the start of a line: headings, quotes, list items, thematic breaks, setext rules.
_MD_LINE_START = re.compile(r"^(#|>|[-+](?=\s|$)|-+\s*$|=+\s*$)")
_MD_ORDERED = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
_MD_HEADING_END = re.compile(r"(\s)(#+)\s*$")


def md_escape(text: str, *, inline: bool = False) -> str:
    """Markdown source that renders as exactly this text, escaping only what needs it.

    "2026-12-06" and "합니다." stay as they are; "<" becomes "&lt;" (raw HTML passes
    through Markdown), "[", "*", "`", "|" and friends get a backslash; a line that would
    start a heading, quote or list gets one before its first character. A lone "~" is
    left alone, a pair (GFM strikethrough) is escaped. ``inline`` text goes where no
    block can start (a table cell, after "**label**:"), so line starts need nothing.
    """
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for line in text.split("\n"):
        # Leading blanks would make an indented code block; a reader cannot see them.
        line = line.strip(" \t")
        line = _MD_INLINE.sub(r"\\\1", line)
        line = _MD_ENTITY.sub("&amp;", line)
        line = line.replace("<", "&lt;")
        if line.count("~") >= 2:
            line = line.replace("~", "\\~")
        if not inline:
            line = _MD_LINE_START.sub(r"\\\1", line, count=1)
            line = _MD_ORDERED.sub(r"\1\\\2", line, count=1)
            line = _MD_HEADING_END.sub(r"\1\\\2", line)
        out.append(line)
    return "\n".join(out)


def _md_cell(text: str) -> str:
    """Text inside a table cell or after a label: one line, inline escapes only."""
    return md_escape(" ".join((text or "").split()), inline=True)


def _md_block(text: str) -> str:
    """One line of text that starts a block (a list item's text, a paragraph)."""
    return md_escape(" ".join((text or "").split()))


def to_markdown(digest: Digest, answers: list[Any] | None = None) -> bytes:
    doc = digest_document(digest)
    out = [f"# {md_escape(doc.title)}", ""]
    out += [f"- **{_md_cell(k)}**: {_md_cell(v)}" for k, v in doc.meta]
    if doc.summary:
        out += ["", f"## {md_escape(_('요약'))}", ""]
        out += [md_escape(line) + "  " for line in doc.summary.splitlines()]
    for section in doc.sections:
        out += ["", f"## {md_escape(section.title)}", ""]
        out += [md_escape(p) + "\n" for p in section.paragraphs]
        for line in section.lines:
            cite = " ".join(f"#{s}" for s in line.sources)
            out.append(f"- {_md_block(line.text)} ({md_escape(_('근거'), inline=True)}: {cite})")
        for table in section.tables:
            out.append("")
            width = max([len(table.headers)] + [len(r) for r in table.rows] or [1])
            headers = table.headers or [""] * width
            out.append("| " + " | ".join(_md_cell(h) for h in headers) + " |")
            out.append("|" + "---|" * len(headers))
            for row in table.rows:
                out.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
        if section.note:
            out += ["", f"> {md_escape(_('진행자 메모'))}: {_md_cell(section.note)}"]
    if answers:
        out += ["", f"## {md_escape(_('외교부 답변'))}", ""]
        for thread in answers:
            for response in [thread.current, *thread.history]:
                status = _md_cell(str(response.get_status_display()))
                about = _md_block(thread.about)
                out.append(f"- {about} — **{status}**: {_md_cell(response.text)}")
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


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(title: str, taken: set[str]) -> str:
    """A worksheet name Excel accepts (31 characters, none of []:*?/\\), unique."""
    base = _SHEET_FORBIDDEN.sub(" ", title).strip().strip("'")[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def to_xlsx(digest: Digest, answers: list[Any] | None = None) -> bytes:
    """An Excel workbook: an overview sheet, then one sheet per section (and answers).

    Every cell is typed as text, so nothing a resident wrote can run as a formula.
    """
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font

    doc = digest_document(digest)
    book = Workbook()
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    taken: set[str] = set()

    def put(sheet: Any, row: list[Any], *, header: bool = False) -> None:
        sheet.append([None] * len(row))
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=sheet.max_row, column=column)
            if isinstance(value, int) and not isinstance(value, bool):
                cell.value = value
            else:
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
                cell.data_type = "s"
            cell.alignment = wrap
            if header:
                cell.font = bold

    overview = book.active
    overview.title = _sheet_title(_("개요"), taken)
    put(overview, [_("제목"), doc.title], header=False)
    for key, value in doc.meta:
        put(overview, [key, value])
    if doc.summary:
        put(overview, [_("요약"), doc.summary])
    overview.column_dimensions["A"].width = 16
    overview.column_dimensions["B"].width = 90

    for section in doc.sections:
        sheet = book.create_sheet(_sheet_title(section.title, taken))
        put(sheet, [section.title], header=True)
        for paragraph in section.paragraphs:
            put(sheet, [paragraph])
        if section.lines:
            put(sheet, [_("내용"), _("근거 발언")], header=True)
            for line in section.lines:
                put(sheet, [line.text, " ".join(f"#{s}" for s in line.sources)])
        for table in section.tables:
            put(sheet, [])
            if table.headers:
                put(sheet, table.headers, header=True)
            for row in table.rows:
                put(sheet, row)
        if section.note:
            put(sheet, [])
            put(sheet, [_("진행자 메모"), section.note])
        sheet.column_dimensions["A"].width = 60
        for column in "BCDEF":
            sheet.column_dimensions[column].width = 18

    if answers:
        sheet = book.create_sheet(_sheet_title(_("외교부 답변"), taken))
        put(sheet, [_("답변 대상"), _("처리 상태"), _("답변"), _("일시")], header=True)
        for thread in answers:
            for response in [thread.current, *thread.history]:
                put(
                    sheet,
                    [
                        thread.about,
                        str(response.get_status_display()),
                        response.text,
                        official_date(response.created_at),
                    ],
                )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


FORMATS: dict[str, tuple[str, str, Any]] = {
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
        to_xlsx,
    ),
    "csv": ("text/csv; charset=utf-8", "csv", to_csv),
    "json": ("application/json", "json", to_json),
    "md": ("text/markdown; charset=utf-8", "md", to_markdown),
    "hwpx": ("application/hwp+zip", "hwpx", to_hwpx),
}
