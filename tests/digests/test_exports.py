"""Exports: CSV, JSON, Markdown, printable HTML and HWPX, with hostile content inert."""

from __future__ import annotations

import copy
import csv
import io
import json
import zipfile
from typing import Any
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from deliberation.digests import exports, selectors, services
from deliberation.digests.models import Digest

from .conftest import SAMPLE_CONTENT

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'
IMG = '<img src=x onerror="alert(1)">'
FORMULAS = ['=HYPERLINK("http://evil","클릭")', "+1+2", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]
RRN = "900101-1234568"  # a registration number with a valid check digit
PHONE = "010-9876-5432"
EMAIL = "someone@example.com"


def hostile_content() -> dict[str, Any]:
    """What a builder that let hostile text through would hand over."""
    content = copy.deepcopy(SAMPLE_CONTENT)
    content["keywords"].append(
        {"term": FORMULAS[0], "score": 1.0, "count": 1, "statement_ids": [9]}
    )
    content["key_statements"][0]["lines"].append(
        {
            "text": (
                f"{SCRIPT} 제 번호는 {RRN}, 전화 {PHONE}, 메일 {EMAIL} {IMG} "
                "[링크](javascript:alert(1))"
            ),
            "stance": "for",
            "statement_id": 9,
            "seq": 9,
            "score": 0.1,
            "citations": [{"statement_id": 9, "seq": 9}],
        }
    )
    content["proposals"].append(
        {
            "id": 502,
            "title": FORMULAS[1],
            "summary": FORMULAS[3],
            "status": "open",
            "supporters": 1,
            "merged_from": [],
            "votes": 0,
            "points": None,
            "rank": 2,
        }
    )
    content["conclusion"] = {"text": f"{FORMULAS[2]} {IMG}", "updated_at": None}
    return content


@pytest.fixture
def hostile(make_digest: Any, ministry_staff_factory: Any) -> Digest:
    digest = make_digest(Digest.Status.DRAFT, content=hostile_content())
    actor = digest.test_facilitator
    services.digest_edit(
        actor=actor,
        digest=digest,
        summary_text=f"{FORMULAS[0]}\n{SCRIPT} 연락 {PHONE}",
        section_notes={"keywords": f"{FORMULAS[4]} {IMG} {RRN}"},
    )
    services.digest_approve(actor=actor, digest=digest)
    services.digest_publish(actor=actor, digest=digest)
    services.response_post(
        actor=ministry_staff_factory(),
        digest=digest,
        status="partly",
        text=f"{FORMULAS[5]} {SCRIPT} 담당 {EMAIL}",
        proposal_id=502,
    )
    digest.refresh_from_db()
    return digest


def all_exports(digest: Digest) -> dict[str, bytes]:
    answers = selectors.answer_threads(digest)
    return {fmt: fn(digest, answers) for fmt, (_, _, fn) in exports.FORMATS.items()}


def test_no_personal_data_survives_anywhere(hostile: Digest, client: Any) -> None:
    client.force_login(hostile.test_facilitator)
    page = client.get(reverse("digests:digest_detail", args=[hostile.pk])).content
    printable = client.get(reverse("digests:digest_print", args=[hostile.pk])).content
    api = client.get(reverse("api:digest_detail", args=[hostile.pk])).content
    hwpx_text = b"".join(
        zipfile.ZipFile(io.BytesIO(all_exports(hostile)["hwpx"])).read(name)
        for name in ("Contents/section0.xml", "Preview/PrvText.txt")
    )
    stored = json.dumps(
        [hostile.content, hostile.summary_text, hostile.section_notes, hostile.search_text],
        ensure_ascii=False,
    ).encode()
    for blob in [page, printable, api, hwpx_text, stored, *all_exports(hostile).values()]:
        text = blob.decode("utf-8", "replace")
        for secret in (RRN, PHONE, EMAIL, "1234568"):
            assert secret not in text


def test_markup_is_never_active_in_pages(hostile: Digest, client: Any) -> None:
    client.force_login(hostile.test_facilitator)
    for name in ("digests:digest_detail", "digests:digest_print"):
        html = client.get(reverse(name, args=[hostile.pk])).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;" in html  # shown as text, not dropped silently


# What a spreadsheet runs as a formula, written out independently of the exporter.
FULL_WIDTH = {"\uff1d": "=", "\uff0b": "+", "\uff0d": "-", "\uff20": "@", "\u2212": "-"}


def formula_like(cell: str) -> bool:
    head = "".join(FULL_WIDTH.get(c, c) for c in cell.lstrip(" ")[:2])
    if head[:1] in ("=", "+", "@", "\t", "\r"):
        return True
    return head[:1] == "-" and (len(head) == 1 or (head[1].isascii() and not head[1].isspace()))


def test_csv_has_bom_and_every_formula_cell_is_neutralised(hostile: Digest) -> None:
    data = all_exports(hostile)["csv"]
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))
    cells = [cell for row in rows for cell in row]
    assert any("HYPERLINK" in c for c in cells)
    for cell in cells:
        assert not formula_like(cell), cell
    assert any(c.startswith("'=HYPERLINK") for c in cells)
    assert "청년" in data.decode("utf-8")


@pytest.mark.parametrize(
    "value",
    ["=1+1", "+cmd", "-1", "-2+3", "-A1", "-=1", "-(1)", "@x", "\tx", "\rx", " =1",
     "\uff1d1+1", "\uff0bcmd", "\uff0d1", "\uff20SUM(A1)", "-"],
)  # fmt: skip
def test_csv_cell_neutralises_formulas_and_their_full_width_forms(value: str) -> None:
    out = exports.csv_cell(value)
    assert out == "'" + value
    assert not formula_like(out)
    assert exports.csv_cell_value(out) == value


@pytest.mark.parametrize(
    "value", ["- 찬성 의견이 많았습니다", "-청년 일자리", "— 대시", "안전", "2026-12-03", "", None]
)
def test_csv_cell_leaves_prose_alone(value: Any) -> None:
    assert exports.csv_cell(value) == ("" if value is None else value)


def test_csv_summary_keeps_its_leading_dash(make_digest: Any) -> None:
    digest = make_digest(Digest.Status.DRAFT)
    assert digest.summary_text.startswith("- [")
    data = exports.to_csv(digest)
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))
    summary = next(row[2] for row in rows if row[0] == "요약")
    assert summary == digest.summary_text


def render_markdown(source: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(source)


def rendered_text(source: str) -> str:
    """What a reader sees of Markdown: the rendered HTML's text, whitespace folded."""
    import html
    import re

    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", render_markdown(source))).split())


def test_markdown_renders_literally(hostile: Digest) -> None:
    md = all_exports(hostile)["md"].decode()
    assert "<script" not in md and "<img" not in md
    page = render_markdown(md)
    assert "<a " not in page and "<script" not in page and "<img" not in page
    assert "[링크](javascript:alert(1))" in rendered_text(md)  # shown, not linked
    assert md.startswith("# ")
    assert "<table>" in page and "<th>키워드</th>" in page  # tables survive as tables


def test_markdown_escapes_only_what_markdown_needs(make_digest: Any) -> None:
    digest = make_digest(Digest.Status.PUBLISHED)
    md = exports.to_markdown(digest).decode()
    assert "\\-" not in md.replace("\\- \\[", "") and "\\." not in md
    assert "검토한다." in md and "2026. 11. 20." in md
    assert "\\<" not in md and "&amp;lt;" not in md
    for text in ("2026-12-06에 열린 회의", "합니다.", "a < b", "3시~5시"):
        assert exports.md_escape(text).replace("&lt;", "<") == text


def test_json_export_round_trips_with_korean(hostile: Digest) -> None:
    data = json.loads(all_exports(hostile)["json"])
    assert data["id"] == hostile.pk and data["title"] == hostile.title
    assert data["responses"][0]["status"] == "partly"
    assert "청년" in json.dumps(data, ensure_ascii=False)
    assert all("sources" in line for s in data["sections"] for line in s["lines"])


def test_hwpx_is_a_valid_package_with_text_and_tables(hostile: Digest) -> None:
    data = all_exports(hostile)["hwpx"]
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    assert names[0] == "mimetype"
    assert archive.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
    assert archive.read("mimetype") == b"application/hwp+zip"
    for name in ("META-INF/container.xml", "Contents/content.hpf", "Contents/header.xml"):
        assert name in names
    section = ElementTree.fromstring(archive.read("Contents/section0.xml"))
    text = "".join(section.itertext())
    assert hostile.title in text
    assert "청년 해외 일자리 박람회" in text
    assert "해외 인턴십 지원금" in text
    tables = [el for el in section.iter() if el.tag.endswith("}tbl")]
    assert len(tables) >= 3
    cells = ["".join(tc.itertext()) for tc in section.iter() if tc.tag.endswith("}tc")]
    assert "청년" in cells and "일자리" in cells
    from hwpx import HwpxDocument

    reopened = HwpxDocument.open(io.BytesIO(data))
    assert "청년 해외 일자리 박람회" in reopened.text.plain()


def test_download_headers(hostile: Digest, client: Any) -> None:
    client.force_login(hostile.test_facilitator)
    for fmt, mime in (
        ("csv", "text/csv"),
        ("json", "application/json"),
        ("md", "text/markdown"),
        ("hwpx", "application/hwp+zip"),
    ):
        answer = client.get(reverse("digests:digest_export", args=[hostile.pk, fmt]))
        assert answer.status_code == 200
        assert answer["Content-Type"].startswith(mime)
        assert f".{fmt}" in answer["Content-Disposition"]
    assert client.get(reverse("digests:digest_export", args=[hostile.pk, "exe"])).status_code == 404


@given(st.lists(st.lists(st.text(max_size=40), min_size=1, max_size=4), min_size=1, max_size=5))
def test_any_text_round_trips_through_csv_without_a_live_formula(rows: list[list[str]]) -> None:
    """Whatever residents typed, Excel sees text: no cell starts a formula, nothing is lost."""
    import csv as csv_module

    buffer = io.StringIO()
    writer = csv_module.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([exports.csv_cell(c) for c in row])
    read = list(csv_module.reader(io.StringIO(buffer.getvalue(), newline="")))
    assert len(read) == len(rows)
    for original, back in zip(rows, read, strict=True):
        for cell, got in zip(original, back, strict=True):
            assert not formula_like(got)
            assert got in (cell, "'" + cell)
            assert exports.csv_cell_value(got) == cell


MARKDOWN_TEXT = st.lists(
    st.sampled_from(
        [
            *list("가나다청년일자리 -.,:;!?#*_`[]()<>&|~\\=+'\"0123456789abcXYZ@/\n\t"),
            "&amp;",
            "&#60;",
            "http://x.kr",
            "1. ",
            "- ",
            "# ",
            "```",
            "---",
            "===",
            "> ",
        ]
    ),
    max_size=40,
).map("".join)


@given(MARKDOWN_TEXT)
def test_markdown_round_trip_shows_exactly_the_text(text: str) -> None:
    """Whatever the text, a Markdown renderer shows it literally: no markup, no link."""
    escaped = exports.md_escape(text)
    html_out = render_markdown(escaped)
    assert "<a " not in html_out and "<em>" not in html_out and "<code>" not in html_out
    assert "<h1>" not in html_out and "<li>" not in html_out and "<blockquote>" not in html_out
    assert rendered_text(escaped) == " ".join(text.split())
