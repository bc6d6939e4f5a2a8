"""Briefing materials: facilitators attach safe notes, links and files; residents read them."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from deliberation.agendas import briefing
from deliberation.agendas.models import BriefingMaterial, Session
from deliberation.people.identity import resident_token
from deliberation.people.models import User
from tests.factories import ResidentFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def session() -> Session:
    return SessionFactory(state=Session.State.LIVE, kind=Session.Kind.DELIBERATION)


@pytest.fixture
def host(session: Session) -> User:
    return UserFactory(role=User.Role.FACILITATOR, organisation=session.agenda.organisation)


def test_a_note_a_link_and_a_file_are_attached(session: Session, host: User) -> None:
    note = briefing.briefing_add(
        actor=host, session=session, title="토론 안내", body="새만금 국제교류 현황입니다."
    )
    link = briefing.briefing_add(
        actor=host, session=session, title="외교부 자료", url="https://www.mofa.go.kr/"
    )
    doc = briefing.briefing_add(
        actor=host,
        session=session,
        title="통계",
        upload=briefing.Upload(name="../../통계.pdf", data=PDF),
    )
    assert [m.kind for m in briefing.briefing_list(session)] == ["text", "link", "file"]
    assert (note.body, link.url) == ("새만금 국제교류 현황입니다.", "https://www.mofa.go.kr/")
    assert (doc.filename, doc.content_type, doc.size) == ("통계.pdf", "application/pdf", len(PDF))


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (briefing.Upload(name="run.exe", data=b"MZ\x90\x00"), "file_type"),
        (briefing.Upload(name="page.html", data=b"<script>alert(1)</script>"), "file_type"),
        (briefing.Upload(name="fake.pdf", data=b"<html><script>x</script>"), "file_content"),
        (briefing.Upload(name="fake.png", data=PDF), "file_content"),
        (briefing.Upload(name="empty.txt", data=b""), "empty"),
        (briefing.Upload(name="big.pdf", data=b"%PDF-" + b"0" * briefing.MAX_BYTES), "file_size"),
    ],
)
def test_unsafe_or_oversized_files_are_refused(
    session: Session, host: User, upload: briefing.Upload, code: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        briefing.briefing_add(actor=host, session=session, title="자료", upload=upload)
    assert refused.value.error_dict["upload"][0].code == code
    assert not BriefingMaterial.objects.exists()


def test_other_refusals_say_why_and_store_nothing(session: Session, host: User) -> None:
    for fields in (
        {"title": "링크", "url": "javascript:alert(1)"},
        {"title": "", "body": "제목 없음"},
        {"title": "둘 다", "body": "글", "url": "https://example.org/"},
        {"title": "아무것도"},
    ):
        with pytest.raises(ValidationError):
            briefing.briefing_add(actor=host, session=session, **fields)  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        briefing.briefing_add(actor=ResidentFactory(), session=session, title="x", body="y")
    assert not BriefingMaterial.objects.exists()


def _resident_client(resident: User) -> Client:
    client = Client()
    client.cookies[settings.RESIDENT_COOKIE_NAME] = resident_token(resident)
    return client


def test_facilitator_uploads_and_residents_read_and_download(session: Session, host: User) -> None:
    facilitator = Client()
    facilitator.force_login(host)
    response = facilitator.post(
        f"/sessions/{session.pk}/briefing/",
        {"title": "현황 통계", "upload": SimpleUploadedFile("stats.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 302
    refused = facilitator.post(
        f"/sessions/{session.pk}/briefing/",
        {
            "title": "위험",
            "upload": SimpleUploadedFile("x.svg", b"<svg onload=1>", "image/svg+xml"),
        },
        follow=True,
    )
    assert "올릴 수 있는 파일은" in refused.content.decode()
    material = BriefingMaterial.objects.get()
    resident = ResidentFactory()
    client = _resident_client(resident)
    room = client.get(f"/sessions/{session.pk}/room/").content.decode()
    assert "안내 자료" in room and "현황 통계" in room and "stats.pdf" in room
    download = client.get(f"/sessions/{session.pk}/briefing/{material.pk}/file/")
    assert download.status_code == 200 and download.content == PDF
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    # A resident cannot add or remove materials.
    assert (
        client.post(f"/sessions/{session.pk}/briefing/", {"title": "x", "body": "y"}).status_code
        == 404
    )
    assert client.post(f"/sessions/{session.pk}/briefing/{material.pk}/remove/").status_code == 404
    facilitator.post(f"/sessions/{session.pk}/briefing/{material.pk}/remove/")
    assert not BriefingMaterial.objects.exists()
