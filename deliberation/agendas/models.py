"""Agendas (의제) and the sessions (회의) held on them."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from deliberation.people.models import Organisation


class Disclosure(models.TextChoices):
    PUBLIC = "public", _("공개")
    INTERNAL = "internal", _("내부")
    RESTRICTED = "restricted", _("비공개")


DISCLOSURE_RANK = {Disclosure.PUBLIC: 0, Disclosure.INTERNAL: 1, Disclosure.RESTRICTED: 2}


class Topic(models.TextChoices):
    YOUTH_JOBS = "youth_jobs", _("지역 청년 해외 일자리")
    UNIVERSITY_EXCHANGE = "university_exchange", _("지방대학 국제교류")
    DIPLOMACY_CENTRE = "diplomacy_centre", _("국민외교센터")
    SISTER_CITIES = "sister_cities", _("자매·우호도시 교류")
    MIGRANTS = "migrants", _("외국인 주민과 다문화")
    TRADE = "trade", _("지역 수출과 통상")
    OTHER = "other", _("기타")


class Agenda(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("준비 중")
        OPEN = "open", _("진행 중")
        CLOSED = "closed", _("종료")

    title = models.CharField(_("제목"), max_length=200)
    description_html = models.TextField(_("설명"), blank=True)
    topic = models.CharField(_("주제"), max_length=30, choices=Topic.choices, default=Topic.OTHER)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("주관 기관"), on_delete=models.PROTECT, related_name="agendas"
    )
    disclosure = models.CharField(
        _("공개 수준"), max_length=12, choices=Disclosure.choices, default=Disclosure.PUBLIC
    )
    status = models.CharField(_("상태"), max_length=10, choices=Status.choices, default=Status.OPEN)
    invitees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("초대된 참여자"),
        blank=True,
        related_name="invited_agendas",
        help_text=_("비공개 의제에 참여할 수 있는 주민"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("의제")
        verbose_name_plural = _("의제")

    def __str__(self) -> str:
        return self.title


def _join_code() -> str:
    return secrets.token_urlsafe(6)


def _venue_secret() -> str:
    return secrets.token_hex(16)


class JoinMode(models.TextChoices):
    """Who may do something in a session, from the most open to the strictest."""

    OPEN = "open", _("누구나(바로 참여)")
    VENUE_CODE = "venue_code", _("회의장 코드를 입력한 사람")
    ACCOUNTS = "accounts", _("계정으로 로그인한 사람만")


JOIN_MODE_RANK = {JoinMode.OPEN: 0, JoinMode.VENUE_CODE: 1, JoinMode.ACCOUNTS: 2}


class Session(models.Model):
    """A meeting on an agenda; its live room is keyed by this row."""

    class Kind(models.TextChoices):
        OPEN_MIC = "open_mic", _("자유발언대")
        DELIBERATION = "deliberation", _("숙의")

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("예정")
        LIVE = "live", _("진행 중")
        PAUSED = "paused", _("일시 정지")
        CLOSED = "closed", _("종료")
        ARCHIVED = "archived", _("보관")

    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("회의 제목"), max_length=200)
    kind = models.CharField(_("형식"), max_length=20, choices=Kind.choices, default=Kind.OPEN_MIC)
    state = models.CharField(
        _("상태"), max_length=12, choices=State.choices, default=State.SCHEDULED
    )
    starts_at = models.DateTimeField(_("시작 시각"))
    ends_at = models.DateTimeField(_("종료 예정 시각"), null=True, blank=True)
    venue = models.CharField(_("오프라인 장소"), max_length=200, blank=True)
    join_code = models.CharField(max_length=16, unique=True, default=_join_code, editable=False)
    turn_seconds = models.PositiveIntegerField(_("발언 시간(초)"), default=120)
    # Room settings the facilitator changes live.
    locked = models.BooleanField(_("읽기 전용"), default=False)
    slow_mode_seconds = models.PositiveIntegerField(_("슬로 모드(초)"), default=0)
    premoderation = models.BooleanField(_("사전 승인"), default=False)
    # Who may take part (post, react, raise a hand) and who may vote (ballots, polls,
    # proposal support); anyone who may see the session may always watch the room.
    join_mode = models.CharField(
        _("발언·반응 참여 방식"), max_length=12, choices=JoinMode.choices, default=JoinMode.OPEN
    )
    vote_mode = models.CharField(
        _("투표 참여 방식"), max_length=12, choices=JoinMode.choices, default=JoinMode.OPEN
    )
    venue_secret = models.CharField(max_length=32, default=_venue_secret, editable=False)
    venue_code_minutes = models.PositiveSmallIntegerField(
        _("회의장 코드 교체 주기(분)"), default=10
    )
    # The room's sequence: the number of the last event stored for it.
    last_seq = models.BigIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("회의")
        verbose_name_plural = _("회의")
        indexes = [models.Index(fields=["state", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open_for_posts(self) -> bool:
        return self.state == self.State.LIVE and not self.locked


class SessionTransition(models.Model):
    """Every change of a session's state, for the record."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=12)
    to_state = models.CharField(max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.from_state} -> {self.to_state}"


class BriefingMaterial(models.Model):
    """What residents read before and during a session: a note, a link or a small file.

    Files are kept in the database (at most ``briefing.MAX_BYTES``), so every server of a
    deployment serves them without a shared disk.
    """

    class Kind(models.TextChoices):
        TEXT = "text", _("글")
        LINK = "link", _("링크")
        FILE = "file", _("파일")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="briefing")
    kind = models.CharField(_("종류"), max_length=8, choices=Kind.choices)
    title = models.CharField(_("제목"), max_length=200)
    body = models.TextField(_("내용"), blank=True)
    url = models.URLField(_("링크 주소"), max_length=500, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    data = models.BinaryField(editable=False, default=b"")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "created_at", "pk"]
        verbose_name = _("안내 자료")
        verbose_name_plural = _("안내 자료")

    def __str__(self) -> str:
        return f"{self.session_id}: {self.title}"
