"""Writes about people: quick-join, attaching an account, signing out."""

from __future__ import annotations

import secrets

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from deliberation.common.privacy import mask_personal_data
from deliberation.common.text import clean_text

from .models import Organisation, User
from .names import check_resident_nickname, nickname_key

NICKNAME_MAX = 20


def clean_nickname(raw: str) -> str:
    """A nickname with invisible and control characters stripped, or a clear error.

    A nickname that is or holds personal data (a phone number, an e-mail address) or
    that could pass for staff, an organisation or the platform is refused.
    """
    nickname = clean_text(raw or "", multiline=False)
    if not nickname or not nickname_key(nickname):
        raise ValidationError(_("닉네임을 입력해 주세요."), code="required")
    if len(nickname) > NICKNAME_MAX:
        raise ValidationError(
            _("닉네임은 %(max)d자 이내로 입력해 주세요.") % {"max": NICKNAME_MAX}, code="max_length"
        )
    if mask_personal_data(nickname) != nickname:
        raise ValidationError(
            _("닉네임에 전화번호·이메일 같은 개인정보를 넣을 수 없습니다."), code="personal_data"
        )
    check_resident_nickname(nickname)
    return nickname


@transaction.atomic
def resident_join(
    *, nickname: str, region: Organisation, age_band: str = "", device_id: str = ""
) -> User:
    """Create a password-less resident from a nickname and a region, on this browser."""
    if not region.is_municipality:
        raise ValidationError(_("지역은 지자체 중에서 골라 주세요."), code="region")
    if age_band and age_band not in User.AgeBand.values:
        raise ValidationError(_("연령대 값이 올바르지 않습니다."), code="age_band")
    user = User(
        username=f"r-{secrets.token_hex(8)}",
        nickname=clean_nickname(nickname),
        region=region,
        age_band=age_band,
        role=User.Role.RESIDENT,
        device_id=device_id,
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def resident_attach_account(*, user: User, username: str, password: str) -> User:
    """Give a quick-join resident a username and password so they can sign in anywhere."""
    if not user.is_resident:
        raise ValidationError(_("주민 참여자만 계정을 연결할 수 있습니다."), code="role")
    if user.has_usable_password():
        raise ValidationError(_("이미 계정이 연결되어 있습니다."), code="attached")
    username = clean_text(username, multiline=False)
    if User.objects.filter(username__iexact=username).exclude(pk=user.pk).exists():
        raise ValidationError(_("이미 사용 중인 아이디입니다."), code="taken")
    user.username = username
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def user_revoke_tokens(*, user: User) -> None:
    """End every resident cookie and live socket of this person (sign-out, ban).

    Saved through the model (not a bare UPDATE) so the save signal tells every room the
    person is in to re-check access at once.
    """
    user.token_version = F("token_version") + 1  # type: ignore[assignment]
    user.save(update_fields=["token_version"])
    user.refresh_from_db(fields=["token_version"])


def device_resident(device_id: str) -> User | None:
    """The quick-join identity last made on this browser that may still be used."""
    if not device_id:
        return None
    return (
        User.objects.filter(
            device_id=device_id,
            role=User.Role.RESIDENT,
            is_active=True,
            password__startswith=UNUSABLE_PASSWORD_PREFIX,
        )
        .order_by("-date_joined", "-pk")
        .first()
    )


def device_unlink(*, user: User) -> int:
    """Forget which browser this person used: their device link and the rooms' copies.

    The browser keeps its device cookie and any ban on that device stays in force (bans are
    kept per device, not per person); the cookie simply names no one any more, so the next
    quick-join from it is a new person. Returns how many links were removed.
    """
    from deliberation.live.models import Participant

    with transaction.atomic():
        links = User.objects.filter(pk=user.pk).exclude(device_id="").update(device_id="")
        links += Participant.objects.filter(person=user).exclude(device_id="").update(device_id="")
    user.device_id = ""
    return links
