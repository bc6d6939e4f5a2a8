"""The live room's record: statements, reactions, the open-mic queue and floor, moderation.

Every broadcast event is stored as a RoomEvent numbered by the room's sequence.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from deliberation.agendas.models import Session


class RoomEvent(models.Model):
    """One event the room broadcast, stored before anyone saw it; replayed on resume."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="events")
    seq = models.BigIntegerField()
    type = models.CharField(max_length=40)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["session", "seq"], name="room_event_unique_seq")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}#{self.seq} {self.type}"


class Stance(models.TextChoices):
    FOR = "for", _("찬성")
    AGAINST = "against", _("반대")
    NEUTRAL = "neutral", _("중립")
    QUESTION = "question", _("질문")


class Statement(models.Model):
    """Something a participant said in the room (on the stage or in the side discussion)."""

    class Status(models.TextChoices):
        VISIBLE = "visible", _("공개")
        PENDING = "pending", _("승인 대기")
        HIDDEN = "hidden", _("숨김")
        REJECTED = "rejected", _("거절")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="statements")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="statements"
    )
    client_msg_id = models.CharField(max_length=64)
    text = models.TextField(_("내용"))
    stance = models.CharField(
        _("입장"), max_length=10, choices=Stance.choices, null=True, blank=True
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    on_stage = models.BooleanField(_("발언대"), default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VISIBLE)
    pinned = models.BooleanField(default=False)
    answered = models.BooleanField(default=False)
    answer = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="answers_to"
    )
    # The room sequence number of the event that first showed it (null while pending).
    seq = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "created_at", "pk"]
        verbose_name = _("발언")
        verbose_name_plural = _("발언")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "author", "client_msg_id"], name="statement_idempotent_send"
            )
        ]
        indexes = [models.Index(fields=["session", "status", "-id"], name="statement_recent")]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.pk}: {self.text[:30]}"


class ReactionKind(models.TextChoices):
    EMPATHY = "공감", _("공감")
    CURIOUS = "궁금해요", _("궁금해요")
    REGRET = "아쉬워요", _("아쉬워요")


class Reaction(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="reactions")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ReactionKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "person", "kind"], name="reaction_once_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.statement_id} by {self.person_id}"


class Participant(models.Model):
    """A person's membership of one session's room and the moderation state on it."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations"
    )
    muted = models.BooleanField(default=False)
    removed = models.BooleanField(default=False)
    banned = models.BooleanField(default=False)
    joined_at = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(null=True, blank=True)
    last_statement_at = models.DateTimeField(null=True, blank=True)
    # The browser they entered from (signed device cookie), for bans that hold.
    device_id = models.CharField(max_length=64, blank=True, db_index=True)
    # When they typed this session's venue code (shown on the projector).
    venue_verified_at = models.DateTimeField(null=True, blank=True)
    # The nickname as compared (people.names.nickname_key): one per session.
    nickname_key = models.CharField(max_length=60, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="participant_once"),
            models.UniqueConstraint(
                fields=["session", "nickname_key"], name="participant_nickname_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.session_id}"


class HandRaise(models.Model):
    """A raised hand in the open-mic queue; ``lowered_at`` set when it leaves the queue."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="hands")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    lowered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["raised_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"],
                condition=models.Q(lowered_at__isnull=True),
                name="one_raised_hand",
            )
        ]

    def __str__(self) -> str:
        return f"hand {self.person_id} in {self.session_id}"


class FloorTurn(models.Model):
    """One timed turn on the floor: who spoke, when, how long, and how it ended."""

    class EndReason(models.TextChoices):
        ENDED = "ended", _("종료")
        EXPIRED = "expired", _("시간 종료")
        SKIPPED = "skipped", _("건너뜀")
        REMOVED = "removed", _("퇴장")
        CLOSED = "closed", _("회의 종료")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="turns")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=10, choices=EndReason.choices, blank=True)

    class Meta:
        ordering = ["started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_turn",
            )
        ]

    def __str__(self) -> str:
        return f"turn {self.pk}: {self.person_id} in {self.session_id}"


class Report(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("접수")
        DISMISSED = "dismissed", _("기각")
        ACTIONED = "actioned", _("조치")

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("신고 사유"), max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "reporter"], name="report_once")
        ]

    def __str__(self) -> str:
        return f"report {self.pk} on {self.statement_id}"


class ModerationAction(models.Model):
    """The audit log: every moderation action, who took it, on what, when, why."""

    class Kind(models.TextChoices):
        ROOM_OPEN = "room_open", _("회의실 열기")
        ROOM_PAUSE = "room_pause", _("일시 정지")
        ROOM_CLOSE = "room_close", _("회의실 닫기")
        LOCK = "lock", _("읽기 전용")
        UNLOCK = "unlock", _("읽기 전용 해제")
        SLOW_MODE = "slow_mode", _("슬로 모드")
        PREMODERATION = "premoderation", _("사전 승인")
        APPROVE = "approve", _("발언 승인")
        REJECT = "reject", _("발언 거절")
        PIN = "pin", _("고정")
        UNPIN = "unpin", _("고정 해제")
        HIDE = "hide", _("숨김")
        RESTORE = "restore", _("복원")
        MUTE = "mute", _("발언 제한")
        UNMUTE = "unmute", _("발언 제한 해제")
        REMOVE = "remove", _("내보내기")
        BAN = "ban", _("차단")
        UNBAN = "unban", _("차단 해제")
        FLOOR_GRANT = "floor_grant", _("발언권 부여")
        FLOOR_EXTEND = "floor_extend", _("발언 연장")
        FLOOR_END = "floor_end", _("발언 종료")
        FLOOR_SKIP = "floor_skip", _("발언 건너뛰기")
        REPORT_RESOLVE = "report_resolve", _("신고 처리")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="moderation")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    target_kind = models.CharField(max_length=20, blank=True)
    target_id = models.BigIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("진행 기록")
        verbose_name_plural = _("진행 기록")

    def __str__(self) -> str:
        return f"{self.kind} {self.target_kind}:{self.target_id}"


class DeviceBan(models.Model):
    """A ban on a browser (and its person): for one session, or for an organisation's sessions."""

    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.CASCADE, related_name="device_bans"
    )
    organisation = models.ForeignKey(
        "people.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="device_bans",
    )
    device_id = models.CharField(max_length=64, blank=True, db_index=True)
    # The ban outlives the identity: deleting a quick-join identity keeps the device banned.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(session__isnull=False, organisation__isnull=True)
                | models.Q(session__isnull=True, organisation__isnull=False),
                name="device_ban_one_scope",
            )
        ]

    def __str__(self) -> str:
        return f"ban {self.device_id or self.person_id}"
