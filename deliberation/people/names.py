"""Nicknames that cannot pass for someone else.

Nicknames are compared by a key: NFKC (full-width and compatibility forms folded),
invisible and format characters dropped, case folded, spaces and punctuation removed.
Residents may not use reserved words (진행자, 관리자, 외교부, admin ...) anywhere in their
nickname, nor exactly the name of an organisation or of a staff member.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from .models import Organisation, User

# Words that only staff may appear as: refused anywhere inside a resident's nickname.
RESERVED_WORDS = (
    "진행자",
    "사회자",
    "관리자",
    "운영자",
    "운영진",
    "외교부",
    "외교관",
    "담당자",
    "공무원",
    "시청",
    "도청",
    "구청",
    "군청",
    "admin",
    "administrator",
    "moderator",
    "mod",
    "staff",
    "official",
    "mofa",
    "madang",
    "마당",
    "system",
    "시스템",
    # What a withdrawn or expired identity is called in the public record.
    "탈퇴한 참여자",
    "withdrawn participant",
)


def nickname_key(nickname: str) -> str:
    """The form nicknames are compared in (see the module's docstring)."""
    text = unicodedata.normalize("NFKC", nickname or "")
    kept = []
    for ch in text.casefold():
        category = unicodedata.category(ch)
        if category[0] in ("L", "N"):  # letters and digits only
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept))[:60]


def _reserved_key_words() -> list[str]:
    return [nickname_key(w) for w in RESERVED_WORDS]


def is_reserved(nickname: str) -> bool:
    """A reserved word inside it, or exactly an organisation's or a staff member's name."""
    key = nickname_key(nickname)
    if not key:
        return False
    # Short Latin words ("mod") only when they are the whole name, not inside "modern".
    for word in _reserved_key_words():
        if word == key or (len(word) >= 3 and not word.isascii() and word in key):
            return True
        if word.isascii() and len(word) >= 5 and word in key:
            return True
    org_names = Organisation.objects.values_list("name", "name_en", "slug")
    for org in org_names:
        if any(n and nickname_key(n) == key for n in org):
            return True
    staff = User.objects.filter(
        ~Q(role=User.Role.RESIDENT) | Q(is_staff=True) | Q(is_superuser=True)
    )
    for first, last, nick, username in staff.values_list(
        "first_name", "last_name", "nickname", "username"
    ):
        staff_names = (nick, username, f"{last}{first}", f"{first}{last}")
        if any(n and nickname_key(n) == key for n in staff_names):
            return True
    return False


def check_resident_nickname(nickname: str) -> None:
    """Refuse a nickname that could pass for staff, an organisation or the platform."""
    if is_reserved(nickname):
        raise ValidationError(
            _(
                "진행자·관리자·외교부·기관 이름처럼 보이는 닉네임은 쓸 수 없습니다. "
                "다른 닉네임을 골라 주세요."
            ),
            code="reserved",
        )


# --- how a person is shown: nickname, staff badge, region ------------------------------------

_REGION_NAMES: dict[int, str] = {}


def region_name(region_id: int | None) -> str:
    """A region's name, kept per process (regions are organisations and rarely change)."""
    if region_id is None:
        return ""
    name = _REGION_NAMES.get(region_id)
    if name is None:
        org = Organisation.objects.filter(pk=region_id).first()
        name = org.name if org is not None else ""
        _REGION_NAMES[region_id] = name
    return name


def staff_badge(user: User) -> str:
    """The badge staff speak with (진행자, 외교부, 관리자); "" for residents.

    It comes from the person's role, never from their nickname, so no resident can make one.
    """
    if user.is_admin_role:
        return str(_("관리자"))
    if user.is_facilitator:
        return str(_("진행자"))
    if user.is_ministry:
        return str(_("외교부"))
    return ""


def person_label(user: User) -> dict[str, str]:
    """Nickname, staff badge and (for residents) region, as rooms and digests show them."""
    return {
        "nickname": user.display_name,
        "badge": staff_badge(user),
        "region": region_name(user.region_id) if user.is_resident else "",
    }
