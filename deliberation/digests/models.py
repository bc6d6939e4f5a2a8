"""Digests of sessions and agendas, the ministry's answers, notifications and webhooks."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from deliberation.agendas.models import Agenda, Disclosure, Session, Topic
from deliberation.people.models import Organisation


class AnswerStatus(models.TextChoices):
    UNANSWERED = "unanswered", _("미답변")
    IN_PROGRESS = "in_progress", _("처리 중")
    ANSWERED = "answered", _("답변 완료")


class Digest(models.Model):
    """A facilitator-approved account of a session (or of an agenda across its sessions)."""

    class Scope(models.TextChoices):
        SESSION = "session", _("회의")
        AGENDA = "agenda", _("의제 전체")

    class Status(models.TextChoices):
        DRAFT = "draft", _("초안")
        APPROVED = "approved", _("승인됨")
        PUBLISHED = "published", _("외교부 전달됨")

    class Generation(models.TextChoices):
        IDLE = "idle", _("대기")
        RUNNING = "running", _("작성 중")
        DONE = "done", _("완료")
        FAILED = "failed", _("실패")

    scope = models.CharField(_("범위"), max_length=10, choices=Scope.choices)
    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="digests")
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.CASCADE, related_name="digests"
    )
    # Copied from the agenda so the inbox filters without joins and a later agenda
    # change does not silently widen who sees an already published digest.
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("지자체"), on_delete=models.PROTECT, related_name="digests"
    )
    topic = models.CharField(_("주제"), max_length=30, choices=Topic.choices)
    disclosure = models.CharField(_("공개 수준"), max_length=12, choices=Disclosure.choices)
    title = models.CharField(_("제목"), max_length=250)
    held_at = models.DateTimeField(_("회의 일시"))

    content = models.JSONField(_("자동 요약 내용"), default=dict, blank=True)
    summary_text = models.TextField(_("요약문(진행자 편집)"), blank=True)
    section_notes = models.JSONField(_("항목별 메모"), default=dict, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    # The statements the summary lines cite: {"<statement id>": {"seq": n, "text": "..."}}.
    sources = models.JSONField(default=dict, blank=True)
    search_text = models.TextField(blank=True, editable=False)
    participant_count = models.PositiveIntegerField(default=0)
    statement_count = models.PositiveIntegerField(default=0)
    proposal_count = models.PositiveIntegerField(default=0)
    # How the people counted took part: {"account": n, "venue_code": n, "open": n}.
    participation_modes = models.JSONField(default=dict, blank=True)

    status = models.CharField(
        _("상태"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    generation = models.CharField(
        max_length=10, choices=Generation.choices, default=Generation.IDLE
    )
    generation_percent = models.PositiveSmallIntegerField(default=0)
    generation_error = models.CharField(max_length=300, blank=True)
    # Written by a running build every few seconds; a build whose heartbeat stops (its
    # worker was killed) is restarted by the worker's recovery sweep, then failed visibly.
    generation_heartbeat_at = models.DateTimeField(null=True, blank=True)
    generation_attempts = models.PositiveSmallIntegerField(default=0)
    revision = models.PositiveIntegerField(default=0)

    # The ministry's work on it: who answers, by when, and how far they are.
    answer_status = models.CharField(
        _("답변 상태"), max_length=12, choices=AnswerStatus.choices, default=AnswerStatus.UNANSWERED
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("담당자"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_digests",
    )
    due_date = models.DateField(_("답변 기한"), null=True, blank=True)

    generated_at = models.DateTimeField(null=True, blank=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("요약 보고")
        verbose_name_plural = _("요약 보고")
        indexes = [
            models.Index(fields=["status", "disclosure", "published_at"]),
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["status", "answer_status", "due_date"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["session"],
                condition=models.Q(scope="session"),
                name="digest_one_per_session",
            ),
            models.UniqueConstraint(
                fields=["agenda"],
                condition=models.Q(scope="agenda"),
                name="digest_one_per_agenda",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def participation_label(self) -> str:
        """How the people counted took part, said beside every count staff read."""
        modes = self.participation_modes or {}
        if not modes:
            return ""
        return _("계정 %(a)d · 회의장 코드 %(v)d · 자유 참여 %(o)d") % {
            "a": int(modes.get("account", 0)),
            "v": int(modes.get("venue_code", 0)),
            "o": int(modes.get("open", 0)),
        }


class DigestRevision(models.Model):
    """One step in a digest's life: generation, an edit, approval, publication."""

    class Kind(models.TextChoices):
        GENERATE = "generate", _("자동 작성")
        EDIT = "edit", _("편집")
        APPROVE = "approve", _("승인")
        REOPEN = "reopen", _("다시 편집")
        PUBLISH = "publish", _("전달")

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary_text = models.TextField(blank=True)
    section_notes = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["digest", "number"]
        constraints = [
            models.UniqueConstraint(fields=["digest", "number"], name="digest_revision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.digest_id}#{self.number} {self.kind}"


class DigestRead(models.Model):
    """Someone read a restricted digest: who, when, and through what (page, export ...)."""

    class Channel(models.TextChoices):
        PAGE = "page", _("화면")
        PRINT = "print", _("인쇄용 화면")
        EXPORT = "export", _("내려받기")
        API = "api", _("API")
        STATEMENTS = "statements", _("근거 발언")

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="reads")
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("열람자"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField(_("경로"), max_length=12, choices=Channel.choices)
    detail = models.CharField(_("세부"), max_length=40, blank=True)
    at = models.DateTimeField(_("열람 일시"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("비공개 요약 보고 열람 기록")
        verbose_name_plural = _("비공개 요약 보고 열람 기록")
        indexes = [models.Index(fields=["digest", "at"])]

    def __str__(self) -> str:
        return f"{self.digest_id} {self.reader_id} {self.channel} {self.at:%Y-%m-%d %H:%M}"


class MinistryResponse(models.Model):
    """One answer of ministry staff to a digest or one of its proposals; answers accumulate."""

    class Status(models.TextChoices):
        REVIEWING = "reviewing", _("검토 중")
        ADOPTED = "adopted", _("반영")
        PARTLY = "partly", _("일부 반영")
        NOT_ADOPTED = "not_adopted", _("미반영")

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="responses")
    # A proposal of the structured sub-app, by id; its title is kept as it was answered.
    proposal_id = models.PositiveBigIntegerField(null=True, blank=True)
    proposal_title = models.CharField(max_length=300, blank=True)
    status = models.CharField(_("처리 상태"), max_length=12, choices=Status.choices)
    text = models.TextField(_("답변"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("외교부 답변")
        verbose_name_plural = _("외교부 답변")
        indexes = [models.Index(fields=["digest", "proposal_id", "created_at"])]

    def __str__(self) -> str:
        return f"{self.digest_id}: {self.get_status_display()}"


class Notification(models.Model):
    """Something a person should see when they next visit (an answer to their session)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(max_length=250)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    response = models.ForeignKey(
        MinistryResponse, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]
        verbose_name = _("알림")
        verbose_name_plural = _("알림")

    def __str__(self) -> str:
        return self.title


def _webhook_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """An address that receives published digests, configured by administrators."""

    name = models.CharField(_("이름"), max_length=100)
    url = models.URLField(_("주소"), max_length=500)
    secret = models.CharField(
        _("서명 비밀값"),
        max_length=200,
        default=_webhook_secret,
        help_text=_("수신 측은 이 값으로 HMAC-SHA256 서명을 확인합니다."),
    )
    max_disclosure = models.CharField(
        _("전달할 최고 공개 수준"),
        max_length=12,
        choices=Disclosure.choices,
        default=Disclosure.PUBLIC,
    )
    active = models.BooleanField(_("사용"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("웹훅 수신처")
        verbose_name_plural = _("웹훅 수신처")

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    """One payload for one endpoint, with every attempt logged."""

    class State(models.TextChoices):
        PENDING = "pending", _("대기")
        DELIVERED = "delivered", _("전달됨")
        FAILED = "failed", _("실패")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    digest = models.ForeignKey(
        Digest, null=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    log = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # The persisted retry schedule: when the next attempt is due (or, while an attempt
    # is under way, until when it holds the delivery). Null once delivered or failed.
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    resent_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("웹훅 전달 기록")
        verbose_name_plural = _("웹훅 전달 기록")

    def __str__(self) -> str:
        return f"{self.endpoint} {self.event} {self.state}"
