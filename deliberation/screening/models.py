"""What the offensive-language assistant recorded: flags and each session's hold setting.

A ``Flag`` is written for a text the model flagged (statement, reply, proposal or
report reason), with the class, confidence and triggers shown to the facilitator, and
a copy of the text as scored so a decision can be exported as labelled data even after
the text changes. The facilitator's decision (hidden or dismissed) is recorded on it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from deliberation.agendas.models import Session


class SessionScreening(models.Model):
    """Per session: whether flagged statements wait for a facilitator before appearing."""

    session = models.OneToOneField(
        Session, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    hold_flagged = models.BooleanField(_("감지된 발언은 승인 후 공개"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("회의별 감지 설정")
        verbose_name_plural = _("회의별 감지 설정")

    def __str__(self) -> str:
        return f"{self.session_id}: hold={self.hold_flagged}"


class Flag(models.Model):
    class Kind(models.TextChoices):
        STATEMENT = "statement", _("발언")
        PROPOSAL = "proposal", _("제안")
        REPORT = "report", _("신고 사유")

    class Label(models.TextChoices):
        HATE = "hate", _("혐오")
        OFFENSIVE = "offensive", _("모욕·비하")

    class Status(models.TextChoices):
        OPEN = "open", _("검토 대기")
        HIDDEN = "hidden", _("가림")
        DISMISSED = "dismissed", _("문제 없음")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.BigIntegerField()
    text = models.TextField()
    label = models.CharField(max_length=10, choices=Label.choices)
    confidence = models.FloatField()
    triggers = models.JSONField(default=list, blank=True)
    model_version = models.CharField(max_length=40)
    # The statement was waiting in the pre-moderation queue when it was flagged.
    held = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("감지된 표현")
        verbose_name_plural = _("감지된 표현")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="flag_once_per_text")
        ]
        indexes = [models.Index(fields=["session", "status"], name="flag_session_status")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.label} {self.status}"
