"""The registry as a spreadsheet: columns, reading CSV/XLSX rows, writing them back.

Staff keep programme lists in spreadsheets, so a file exported here imports unchanged:
headers are the Korean column names (the English keys are accepted too), choices are
written as their Korean labels (codes accepted), lists are separated by ``;``.
Reading never writes anything; ``services.programmes_import`` validates every row and
writes all of them or none.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 5_000
LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class Column:
    key: str
    label: str


# Labels are fixed Korean (not translated): a file must read the same in any UI language.
COLUMNS: list[Column] = [
    Column("id", "번호"),
    Column("organisation", "주관 기관"),
    Column("kind", "사업 유형"),
    Column("title", "사업명"),
    Column("description", "사업 내용"),
    Column("goals", "목표"),
    Column("target_groups", "대상"),
    Column("partners_domestic", "국내 협력 기관"),
    Column("partners_abroad", "해외 협력 기관"),
    Column("starts_on", "시작일"),
    Column("ends_on", "종료일"),
    Column("budget_krw", "예산(원)"),
    Column("funding", "재원"),
    Column("stage", "협력 단계"),
    Column("status", "상태"),
    Column("disclosure", "공개 수준"),
]
REQUIRED = ("organisation", "kind", "title")
_BY_HEADER = {c.label: c.key for c in COLUMNS} | {c.key: c.key for c in COLUMNS}


class SheetError(ValueError):
    """The file as a whole cannot be read (not a row's problem)."""


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet's row number, header = 1
    column: str
    message: str


def read_rows(data: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    """(row number, {column key: text}) for every non-empty row of a CSV or XLSX file."""
    if len(data) > MAX_IMPORT_BYTES:
        raise SheetError(_("파일이 너무 큽니다(최대 5MB)."))
    name = filename.lower()
    if name.endswith(".xlsx"):
        table = _xlsx_rows(data)
    elif name.endswith(".csv"):
        table = _csv_rows(data)
    else:
        raise SheetError(_("CSV 또는 XLSX 파일만 가져올 수 있습니다."))
    if not table:
        raise SheetError(_("파일이 비어 있습니다."))
    header = [(h or "").strip() for h in table[0]]
    unknown = [h for h in header if h and h not in _BY_HEADER]
    if unknown:
        raise SheetError(_("알 수 없는 열: %(cols)s") % {"cols": ", ".join(unknown)})
    keys = [_BY_HEADER.get(h, "") for h in header]
    missing = [c.label for c in COLUMNS if c.key in REQUIRED and c.key not in keys]
    if missing:
        raise SheetError(_("필수 열이 없습니다: %(cols)s") % {"cols": ", ".join(missing)})
    rows: list[tuple[int, dict[str, str]]] = []
    for number, values in enumerate(table[1:], start=2):
        cells = {k: (v or "").strip() for k, v in zip(keys, values, strict=False) if k}
        if any(cells.values()):
            rows.append((number, cells))
    if len(rows) > MAX_IMPORT_ROWS:
        raise SheetError(_("한 번에 %(n)d행까지 가져올 수 있습니다.") % {"n": MAX_IMPORT_ROWS})
    return rows


def _csv_rows(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp949"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetError(_("CSV 파일의 문자 인코딩을 읽을 수 없습니다(UTF-8 또는 CP949)."))
    try:
        return [row for row in csv.reader(io.StringIO(text))]
    except csv.Error as exc:
        raise SheetError(_("CSV 파일을 읽을 수 없습니다: %(e)s") % {"e": exc}) from exc


def _cell_text(value: object) -> str:
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise SheetError(_("XLSX 파일을 열 수 없습니다.")) from exc
    try:
        sheet = book.worksheets[0]
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read the Korean."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode("utf-8-sig")


def write_xlsx(header: Sequence[str], rows: Iterable[Sequence[object]], *, title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(list(header))
    for row in rows:
        sheet.append(["" if v is None else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXPORT_FORMATS = tuple(CONTENT_TYPES)
