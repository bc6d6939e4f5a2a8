"""Access tokens for other systems (ministry and municipal), and the log of their use."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from deliberation.people.models import Organisation


class ApiToken(models.Model):
    """A secret a system sends as ``Authorization: Bearer <token>``.

    Issued per organisation by administrators; it acts as the account it names (so it
    sees exactly what that account sees on the pages), limited to its scope. Only a hash
    is stored: the token itself is shown once, when it is issued.
    """

    class Scope(models.TextChoices):
        READ = "read", _("읽기")
        WRITE = "write", _("읽기와 쓰기")

    name = models.CharField(_("이름"), max_length=100)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("기관"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("권한 계정"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text=_("토큰은 이 계정이 화면에서 볼 수 있는 것만 봅니다."),
    )
    scope = models.CharField(_("범위"), max_length=5, choices=Scope.choices, default=Scope.READ)
    prefix = models.CharField(_("앞자리"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("발급 시각"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("마지막 사용"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("폐기 시각"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API 토큰")
        verbose_name_plural = _("API 토큰")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ApiTokenUse(models.Model):
    """One request made with a token (or refused because the token was revoked)."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="uses")
    at = models.DateTimeField(auto_now_add=True)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    allowed = models.BooleanField(default=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["token", "at"])]
        verbose_name = _("API 토큰 사용 기록")
        verbose_name_plural = _("API 토큰 사용 기록")

    def __str__(self) -> str:
        return f"{self.token_id} {self.method} {self.path}"
