"""The privacy notice, the consents residents gave to it, withdrawals and their audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from deliberation.people.models import User


class PrivacyNotice(models.Model):
    """One version of the privacy notice (개인정보 처리방침); a version in effect never changes.

    Administrators add a new version in the back office; the highest version whose
    effective date has come is the one shown and consented to.
    """

    version = models.PositiveIntegerField(_("판"), unique=True, editable=False)
    effective_date = models.DateField(_("시행일"))
    body_ko = models.TextField(
        _("본문(한국어)"),
        help_text=_(
            "허용된 서식: 문단, 목록, 굵게, 소제목(h3, h4), 링크. "
            "{{ controller }}, {{ officer }}, {{ contact }}, {{ retention_table }} 자리에는 "
            "배포 설정의 값이 들어갑니다."
        ),
    )
    body_en = models.TextField(_("본문(영어)"))
    asks_consent_again = models.BooleanField(
        _("다시 동의 받기"),
        default=True,
        help_text=_(
            "수집 항목이나 목적이 바뀌면 켜 두세요. 주민은 다음 참여 때 이 판에 다시 동의합니다."
        ),
    )
    change_note = models.CharField(_("바뀐 점"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("개인정보 처리방침")
        verbose_name_plural = _("개인정보 처리방침")

    def __str__(self) -> str:
        return f"v{self.version} ({self.effective_date:%Y-%m-%d})"


class ConsentRecord(models.Model):
    """One answer of one person to one notice version: the required items or the optional."""

    class Scope(models.TextChoices):
        REQUIRED = "required", _("필수 항목")
        OPTIONAL = "optional", _("선택 항목(연령대)")

    class Channel(models.TextChoices):
        JOIN = "join", _("간편 참여")
        RENEWAL = "renewal", _("방침 변경 후 다시 동의")
        DATA_PAGE = "data_page", _("내 정보 화면")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents")
    notice = models.ForeignKey(PrivacyNotice, on_delete=models.PROTECT, related_name="consents")
    scope = models.CharField(_("범위"), max_length=10, choices=Scope.choices)
    granted = models.BooleanField(_("동의"))
    channel = models.CharField(_("경로"), max_length=10, choices=Channel.choices)
    at = models.DateTimeField(_("시각"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("동의 기록")
        verbose_name_plural = _("동의 기록")
        indexes = [models.Index(fields=["user", "scope", "-at"], name="consent_latest")]

    def __str__(self) -> str:
        return f"{self.user_id} v{self.notice_id} {self.scope}={self.granted}"


class Withdrawal(models.Model):
    """A person whose identity was anonymised: on their request or when retention ended."""

    class Cause(models.TextChoices):
        SELF = "self", _("본인 요청(마당에서)")
        ADMIN = "admin", _("본인 요청(관리자가 대신 처리)")
        RETENTION = "retention", _("보유 기간 만료")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="withdrawal")
    cause = models.CharField(_("사유"), max_length=10, choices=Cause.choices)
    at = models.DateTimeField(_("시각"), auto_now_add=True)

    class Meta:
        verbose_name = _("탈퇴·익명 처리")
        verbose_name_plural = _("탈퇴·익명 처리")

    def __str__(self) -> str:
        return f"{self.user_id} {self.cause}"


class PersonalDataAction(models.Model):
    """The audit log of personal data: who looked at, exported, withdrew or purged what."""

    class Kind(models.TextChoices):
        VIEW = "view", _("열람")
        EXPORT = "export", _("내려받기")
        WITHDRAW = "withdraw", _("탈퇴(익명 처리)")
        OPTIONAL_WITHDRAWN = "optional", _("선택 동의 철회")
        PURGE = "purge", _("보유 기간 만료 파기")
        NOTICE = "notice", _("처리방침 새 판")

    class Channel(models.TextChoices):
        SELF = "self", _("본인")
        ADMIN = "admin", _("관리자 대리 처리")
        SCHEDULE = "schedule", _("예약 작업")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="personal_data_actions",
    )
    kind = models.CharField(_("조치"), max_length=10, choices=Kind.choices)
    channel = models.CharField(_("경로"), max_length=10, choices=Channel.choices)
    reference = models.CharField(
        _("요청 경위"),
        max_length=300,
        blank=True,
        help_text=_("마당 밖에서 받은 요청: 접수 방법, 날짜, 접수 번호"),
    )
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(_("시각"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("개인정보 처리 기록")
        verbose_name_plural = _("개인정보 처리 기록")

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_id} by {self.actor_id}"


class DataSubject(User):
    """A resident seen by administrators answering a request made outside Madang."""

    class Meta:
        proxy = True
        verbose_name = _("주민 개인정보 요청")
        verbose_name_plural = _("주민 개인정보 요청")
