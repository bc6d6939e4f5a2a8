"""Briefing materials: facilitators attach notes, links and small files to a session;
residents read them in the briefing phase and any time after.

Only safe file types are taken, recognised by their first bytes as well as their name,
and never more than ``MAX_BYTES``; files are always downloaded, never shown inline.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any
from urllib.parse import urlparse

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from deliberation.common.text import clean_text
from deliberation.people.models import User

from . import permissions
from .models import BriefingMaterial, Session

MAX_BYTES = 10 * 1024 * 1024
MAX_PER_SESSION = 30
MAX_BODY = 20_000


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > len(head) - 4  # a character cut by the sample's end
    return True


# extension -> (content type, does the file start the way this type does?)
SAFE_TYPES: dict[str, tuple[str, Any]] = {
    "pdf": ("application/pdf", lambda h: h.startswith(b"%PDF-")),
    "png": ("image/png", lambda h: h.startswith(b"\x89PNG\r\n\x1a\n")),
    "jpg": ("image/jpeg", lambda h: h.startswith(b"\xff\xd8\xff")),
    "jpeg": ("image/jpeg", lambda h: h.startswith(b"\xff\xd8\xff")),
    "txt": ("text/plain; charset=utf-8", _is_text),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        lambda h: h.startswith(b"PK\x03\x04"),
    ),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        lambda h: h.startswith(b"PK\x03\x04"),
    ),
    "hwpx": ("application/hwp+zip", lambda h: h.startswith(b"PK\x03\x04")),
    "hwp": ("application/x-hwp", lambda h: h.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")),
}


@dataclass(frozen=True)
class Upload:
    """A file as the view received it."""

    name: str
    data: bytes


def _field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _require_manager(actor: User, session: Session) -> None:
    if not permissions.can_manage_session(actor, session):
        raise PermissionDenied(_("이 회의의 안내 자료를 바꿀 권한이 없습니다."))


def _checked_file(upload: Upload) -> tuple[str, str]:
    """(safe file name, content type) of an acceptable file, or a clear error."""
    name = PurePath(upload.name.replace("\\", "/")).name.strip()[:200]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in SAFE_TYPES:
        raise _field_error(
            "upload",
            _("올릴 수 있는 파일은 %(types)s입니다.")
            % {"types": ", ".join(sorted({e.upper() for e in SAFE_TYPES}))},
            "file_type",
        )
    if not upload.data:
        raise _field_error("upload", _("빈 파일입니다."), "empty")
    if len(upload.data) > MAX_BYTES:
        raise _field_error(
            "upload",
            _("파일은 %(mb)dMB까지 올릴 수 있습니다.") % {"mb": MAX_BYTES // 2**20},
            "file_size",
        )
    content_type, looks_right = SAFE_TYPES[extension]
    if not looks_right(upload.data[:2048]):
        raise _field_error(
            "upload",
            _("파일 내용이 '.%(ext)s' 형식이 아닙니다.") % {"ext": extension},
            "file_content",
        )
    return name, content_type


@transaction.atomic
def briefing_add(
    *,
    actor: User,
    session: Session,
    title: str,
    body: str = "",
    url: str = "",
    upload: Upload | None = None,
) -> BriefingMaterial:
    """Attach one material: a note (body), a link (url) or a file (upload)."""
    session = Session.objects.select_for_update().select_related("agenda").get(pk=session.pk)
    _require_manager(actor, session)
    title = clean_text(title or "", multiline=False)[:200]
    body = clean_text(body or "")
    url = (url or "").strip()
    if not title:
        raise _field_error("title", _("제목을 입력해 주세요."), "empty")
    if len(body) > MAX_BODY:
        raise _field_error(
            "body", _("내용은 %(n)d자까지 쓸 수 있습니다.") % {"n": MAX_BODY}, "too_long"
        )
    if BriefingMaterial.objects.filter(session=session).count() >= MAX_PER_SESSION:
        raise ValidationError(
            _("한 회의에 안내 자료는 %(n)d개까지 붙일 수 있습니다.") % {"n": MAX_PER_SESSION},
            code="too_many",
        )
    given = [bool(body), bool(url), upload is not None]
    if sum(given) != 1:
        raise ValidationError(_("글, 링크, 파일 가운데 하나만 넣어 주세요."), code="one_kind")
    material = BriefingMaterial(session=session, title=title, added_by=actor)
    if upload is not None:
        material.kind = BriefingMaterial.Kind.FILE
        material.filename, material.content_type = _checked_file(upload)
        material.data = upload.data
        material.size = len(upload.data)
    elif url:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc or len(url) > 500:
            raise _field_error(
                "url", _("http:// 또는 https://로 시작하는 주소를 넣어 주세요."), "url"
            )
        material.kind = BriefingMaterial.Kind.LINK
        material.url = url
    else:
        material.kind = BriefingMaterial.Kind.TEXT
        material.body = body
    material.save()
    return material


@transaction.atomic
def briefing_remove(*, actor: User, material: BriefingMaterial) -> None:
    """Take one material off its session."""
    _require_manager(actor, material.session)
    material.delete()


def briefing_list(session: Session) -> list[BriefingMaterial]:
    """A session's materials in the order they were added, without file contents."""
    return list(BriefingMaterial.objects.filter(session=session).defer("data"))
