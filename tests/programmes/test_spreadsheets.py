"""CSV and XLSX: an exported registry imports back unchanged; bad rows are all reported
and nothing is half-imported."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from deliberation.agendas.models import Disclosure
from deliberation.programmes import selectors, services, tabular
from deliberation.programmes.models import Programme, ProgrammeKind
from tests.programmes.conftest import ProgrammeFactory


@pytest.fixture
def registry(world: dict[str, Any]) -> list[Programme]:
    jobs = ProgrammeKind.objects.get(slug="youth-jobs")
    return [
        ProgrammeFactory(
            organisation=world["busan"],
            kind=jobs,
            title="부산 청년 해외 일자리 연계 사업",
            description="해외 인턴십, 어학 연수, 취업 연계",
            goals="청년 100명 해외 취업",
            target_groups=["youth", "university"],
            partners_domestic=["부산경제진흥원"],
            partners_abroad=["호치민 한인상공회의소", "후쿠오카시"],
            starts_on=dt.date(2026, 3, 1),
            ends_on=dt.date(2026, 12, 31),
            budget_krw=180_000_000,
            funding="fund",
            stage="advanced",
            status="running",
            disclosure=Disclosure.INTERNAL,
        ),
        ProgrammeFactory(organisation=world["haeundae"], title="해운대 외국인 주민 축제"),
    ]


def _fields(p: Programme) -> tuple[Any, ...]:
    return (
        p.organisation_id, p.kind_id, p.title, p.description, p.goals, p.target_groups,
        p.partners_domestic, p.partners_abroad, p.starts_on, p.ends_on, p.budget_krw,
        p.funding, p.stage, p.status, p.disclosure,
    )  # fmt: skip


def _export(programmes: list[Programme], fmt: str) -> bytes:
    header, rows = selectors.registry_export_rows(programmes)
    if fmt == "xlsx":
        return tabular.write_xlsx(header, rows, title="t")
    return tabular.write_csv(header, rows)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_imports_back_unchanged(
    world: dict[str, Any], registry: list[Programme], fmt: str
) -> None:
    before = [_fields(p) for p in registry]
    rows = tabular.read_rows(_export(registry, fmt), f"programmes.{fmt}")
    result = services.programmes_import(actor=world["busan_host"], rows=rows)
    assert result.ok and (result.created, result.updated) == (0, 2)
    assert [_fields(Programme.objects.get(pk=p.pk)) for p in registry] == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_rows_without_a_number_are_created_and_edits_are_applied(
    world: dict[str, Any], registry: list[Programme], fmt: str
) -> None:
    header, rows = selectors.registry_export_rows(registry)
    rows[0][header.index("사업명")] = "부산 청년 해외 일자리 연계 사업(2차)"
    new = list(rows[1])
    new[0] = ""
    new[header.index("사업명")] = "해운대 K-컬처 페스티발"
    new[header.index("대상")] = "외국인 주민; 일반 주민"
    rows.append(new)
    data = (
        tabular.write_xlsx(header, rows, title="t")
        if fmt == "xlsx"
        else tabular.write_csv(header, rows)
    )
    result = services.programmes_import(
        actor=world["busan_host"], rows=tabular.read_rows(data, f"x.{fmt}")
    )
    assert result.ok and (result.created, result.updated) == (1, 2)
    assert Programme.objects.get(pk=registry[0].pk).title.endswith("(2차)")
    created = Programme.objects.get(title="해운대 K-컬처 페스티발")
    assert created.target_groups == ["foreign_residents", "residents"]
    assert created.created_by == world["busan_host"]
    assert "페스티발" in created.title_terms  # analysed on import, ready for overlap


def test_bad_rows_are_all_reported_and_nothing_is_written(
    world: dict[str, Any], registry: list[Programme]
) -> None:
    header = [c.label for c in tabular.COLUMNS]

    def row(**cells: str) -> list[str]:
        base = {"주관 기관": "부산광역시", "사업 유형": "국민참여사업", "사업명": "새 사업"}
        base.update(cells)
        return [base.get(h, "") for h in header]

    rows = [
        row(사업명="문제없는 새 사업"),
        row(**{"주관 기관": "없는시"}),
        row(**{"주관 기관": "전북특별자치도"}),
        row(**{"시작일": "2026/13/40"}),
        row(**{"예산(원)": "많이"}),
        row(**{"상태": "진행중이었음"}),
        row(**{"사업명": ""}),
        row(**{"번호": str(registry[0].pk), "사업명": "고친 제목"}),
        row(**{"번호": str(registry[0].pk), "사업명": "또 고친 제목"}),
        row(**{"번호": "99999"}),
        row(**{"대상": "청년; 외계인"}),
    ]
    before = {p.pk: _fields(p) for p in Programme.objects.all()}
    result = services.programmes_import(
        actor=world["busan_host"],
        rows=tabular.read_rows(tabular.write_csv(header, rows), "bad.csv"),
    )
    assert not result.ok and (result.created, result.updated) == (0, 0)
    reported = {(e.row, e.column) for e in result.errors}
    assert reported == {
        (3, "organisation"),
        (4, "organisation"),
        (5, "starts_on"),
        (6, "budget_krw"),
        (7, "status"),
        (8, "title"),
        (10, "id"),
        (11, "id"),
        (12, "target_groups"),
    }
    assert {p.pk: _fields(p) for p in Programme.objects.all()} == before
    messages = {(e.row, e.message) for e in result.errors}
    assert (3, "알 수 없는 기관입니다.") in messages
    assert (4, "이 기관의 사업을 관리할 권한이 없습니다.") in messages
    assert any(r == 12 and "외계인" in m for r, m in messages)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"title,organisation\nx,y\n", "a.csv", "필수 열이 없습니다: 사업 유형"),
        ("사업명,주관 기관,사업 유형,예산액\n".encode(), "a.csv", "알 수 없는 열: 예산액"),
        (b"", "a.csv", "파일이 비어 있습니다."),
        (b"%PDF-1.4", "a.pdf", "CSV 또는 XLSX 파일만"),
        (b"not a zip", "a.xlsx", "XLSX 파일을 열 수 없습니다."),
    ],
)
def test_an_unreadable_file_is_refused_as_a_whole(data: bytes, name: str, message: str) -> None:
    with pytest.raises(tabular.SheetError, match=message):
        tabular.read_rows(data, name)


def test_a_cp949_csv_from_an_older_spreadsheet_program_reads(world: dict[str, Any]) -> None:
    data = "사업명,주관 기관,사업 유형\n해운대 다문화 축제,해운대구,국민참여사업\n".encode("cp949")
    result = services.programmes_import(
        actor=world["busan_host"], rows=tabular.read_rows(data, "old.csv")
    )
    assert result.ok and result.created == 1


def test_the_import_page_lists_every_bad_row_and_saves_nothing(
    world: dict[str, Any], registry: list[Programme]
) -> None:
    client = Client()
    client.force_login(world["busan_host"])
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["사업명", "주관 기관", "사업 유형", "종료일", "시작일"])
    sheet.append(["좋은 행", "부산광역시", "국민참여사업", "", ""])
    sheet.append(
        ["거꾸로 된 기간", "부산광역시", "국민참여사업", dt.date(2026, 1, 1), "2026-05-01"]
    )
    out = io.BytesIO()
    book.save(out)
    count = Programme.objects.count()
    page = client.post(
        "/programmes/import/", {"file": SimpleUploadedFile("list.xlsx", out.getvalue())}
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "고칠 곳 1군데: 아무것도 저장하지 않았습니다." in text
    assert "종료일이 시작일보다 빠릅니다." in text and "<td>3</td>" in text
    assert Programme.objects.count() == count

    good = tabular.write_csv(
        ["사업명", "주관 기관", "사업 유형"], [["좋은 행", "해운대구", "공감 팩토리"]]
    )
    done = client.post("/programmes/import/", {"file": SimpleUploadedFile("ok.csv", good)})
    assert done.status_code == 302
    assert Programme.objects.filter(title="좋은 행", organisation=world["haeundae"]).exists()


def test_the_registry_downloads_as_xlsx_with_korean_headers(
    world: dict[str, Any], registry: list[Programme]
) -> None:
    client = Client()
    client.force_login(world["ministry_internal"])
    response = client.get("/programmes/export.xlsx")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("번호", "주관 기관", "사업 유형", "사업명")
    titles = {r[3] for r in rows[1:]}
    assert titles == {"부산 청년 해외 일자리 연계 사업", "해운대 외국인 주민 축제"}
    csv_text = client.get("/programmes/export.csv").content.decode("utf-8-sig")
    assert "부산 청년 해외 일자리 연계 사업" in csv_text and "청년; 대학생" in csv_text
