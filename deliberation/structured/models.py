"""Structured deliberation: phases, proposals, votes, live polls and the wrap-up."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from deliberation.agendas.models import Session


class PhaseKind(models.TextChoices):
    BRIEFING = "briefing", _("안내·학습")
    DISCUSSION = "discussion", _("의견 나누기")
    PROPOSALS = "proposals", _("제안")
    VOTE = "vote", _("투표")
    WRAP_UP = "wrap_up", _("정리")


# The template a deliberation session starts from: (kind, planned minutes).
DEFAULT_PHASES: tuple[tuple[str, int], ...] = (
    (PhaseKind.BRIEFING, 15),
    (PhaseKind.DISCUSSION, 30),
    (PhaseKind.PROPOSALS, 20),
    (PhaseKind.VOTE, 10),
    (PhaseKind.WRAP_UP, 10),
)


class Phase(models.Model):
    """One step of a deliberation session; at most one runs at a time."""

    class Status(models.TextChoices):
        PENDING = "pending", _("대기")
        RUNNING = "running", _("진행 중")
        DONE = "done", _("끝남")
        SKIPPED = "skipped", _("건너뜀")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("단계"), max_length=12, choices=PhaseKind.choices)
    order = models.PositiveSmallIntegerField(_("순서"))
    planned_seconds = models.PositiveIntegerField(_("계획 시간(초)"))
    status = models.CharField(
        _("상태"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    started_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "order", "pk"]
        verbose_name = _("단계")
        verbose_name_plural = _("단계")
        constraints = [
            models.UniqueConstraint(
                fields=["session"],
                condition=models.Q(status="running"),
                name="structured_one_running_phase",
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.order} {self.kind}"


class Proposal(models.Model):
    """A resident's proposal: a title and a short body of limited rich text."""

    class Status(models.TextChoices):
        OPEN = "open", _("제안됨")
        MERGED = "merged", _("병합됨")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="proposals")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="proposals"
    )
    title = models.CharField(_("제목"), max_length=120)
    body_html = models.TextField(_("내용"), blank=True)
    status = models.CharField(_("상태"), max_length=8, choices=Status.choices, default=Status.OPEN)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session", "created_at", "pk"]
        verbose_name = _("제안")
        verbose_name_plural = _("제안")

    def __str__(self) -> str:
        return self.title


class ProposalRevision(models.Model):
    """The text a proposal had before a facilitator edited it for clarity."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(max_length=120)
    body_html = models.TextField(blank=True)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("수정 사유"), max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.title}"


class Support(models.Model):
    """One person's support for one proposal."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Who counts once (people.voters.voter_key): an account, or a quick-join device.
    voter_key = models.CharField(max_length=80, blank=True, default="")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "person"], name="structured_support_once"),
            models.UniqueConstraint(
                fields=["proposal", "voter_key"],
                condition=~models.Q(voter_key=""),
                name="structured_support_once_per_voter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} -> {self.proposal_id}"


class VoteConfig(models.Model):
    """How a session votes on its proposals, and whether the vote is closed."""

    class Method(models.TextChoices):
        APPROVAL = "approval", _("찬성 투표(여러 개 선택)")
        RANKING = "ranking", _("순위 투표")

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="vote_config")
    method = models.CharField(
        _("방식"), max_length=10, choices=Method.choices, default=Method.APPROVAL
    )
    top_k = models.PositiveSmallIntegerField(_("순위 수"), default=3)
    hide_results = models.BooleanField(_("마감 전 결과 숨김"), default=False)
    closed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.session_id}: {self.method}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class Ballot(models.Model):
    """One person's ballot in one session; a changed ballot replaces its choices."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="ballots")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    voter_key = models.CharField(max_length=80, blank=True, default="")
    cast_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "voter"], name="structured_one_ballot"),
            models.UniqueConstraint(
                fields=["session", "voter_key"],
                condition=~models.Q(voter_key=""),
                name="structured_one_ballot_per_voter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.voter_id}"


class BallotChoice(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="+")
    # 1 = first choice in a ranking vote; null in an approval vote.
    rank = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["ballot", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "proposal"], name="structured_choice_once"),
            models.UniqueConstraint(
                fields=["ballot", "rank"],
                condition=models.Q(rank__isnull=False),
                name="structured_rank_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ballot_id}: {self.proposal_id} ({self.rank})"


class Poll(models.Model):
    """A quick live poll the facilitator launches in any session."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("하나 선택")
        MULTIPLE = "multiple", _("여러 개 선택")

    class Status(models.TextChoices):
        OPEN = "open", _("진행 중")
        CLOSED = "closed", _("마감")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="polls")
    question = models.CharField(_("질문"), max_length=200)
    kind = models.CharField(_("방식"), max_length=8, choices=Kind.choices, default=Kind.SINGLE)
    status = models.CharField(_("상태"), max_length=8, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "created_at", "pk"]

    def __str__(self) -> str:
        return self.question


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(max_length=100)
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["poll", "order", "pk"]

    def __str__(self) -> str:
        return self.label


class PollVote(models.Model):
    """One person's answer to one poll (one or several options)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    voter_key = models.CharField(max_length=80, blank=True, default="")
    options = models.ManyToManyField(PollOption, related_name="votes")
    at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "person"], name="structured_poll_vote_once"),
            models.UniqueConstraint(
                fields=["poll", "voter_key"],
                condition=~models.Q(voter_key=""),
                name="structured_poll_vote_once_per_voter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.poll_id}/{self.person_id}"


class WrapUp(models.Model):
    """The facilitator's conclusion of a session."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="wrap_up")
    conclusion_html = models.TextField(_("결론"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.session_id}"


class FrozenResults(models.Model):
    """The results as they stood when the session closed; never recomputed."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="frozen_results")
    data = models.JSONField()
    frozen_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.session_id}"
