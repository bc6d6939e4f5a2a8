"""Issuing, revoking and checking API tokens; every use is logged."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.people.models import Organisation, User

from .models import ApiToken, ApiTokenUse

TOKEN_PREFIX = "mdg_"  # noqa: S105 - a public marker, not a secret


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _require_admin(actor: Any) -> None:
    if not (getattr(actor, "is_active", False) and getattr(actor, "is_superuser", False)):
        raise PermissionDenied(_("API 토큰은 관리자만 발급하고 폐기합니다."))


@transaction.atomic
def token_issue(
    *, actor: Any, organisation: Organisation, account: User, name: str, scope: str
) -> tuple[ApiToken, str]:
    """A new token for ``account`` of ``organisation``; returns it and its secret (once)."""
    _require_admin(actor)
    if account.organisation_id != organisation.pk:
        raise ValidationError(_("권한 계정은 그 기관의 계정이어야 합니다."))
    if scope not in ApiToken.Scope.values:
        raise ValidationError(_("범위가 올바르지 않습니다."))
    if not account.is_active:
        raise ValidationError(_("사용하지 않는 계정에는 토큰을 발급할 수 없습니다."))
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        name=name.strip()[:100] or organisation.name,
        organisation=organisation,
        account=account,
        scope=scope,
        prefix=raw[:12],
        key_hash=_hash(raw),
        created_by=actor,
    )
    return token, raw


@transaction.atomic
def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke at once: later requests with it are refused (and logged as refused)."""
    _require_admin(actor)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = actor
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


def token_authenticate(*, raw: str, method: str, path: str, ip: str | None) -> ApiToken | None:
    """The live token behind ``raw``, or None. Each use (and a revoked token's try) is logged."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("account", "organisation")
        .filter(key_hash=_hash(raw))
        .first()
    )
    if token is None:
        return None
    usable = token.revoked_at is None and token.account.is_active
    ApiTokenUse.objects.create(
        token=token, method=method[:8], path=path[:300], allowed=usable, ip=ip or None
    )
    if not usable:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token
