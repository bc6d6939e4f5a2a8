"""Votes on statements (agree / disagree / pass), the room's voting settings, the map.

A resident votes once on each statement of others (changeable); the opinion map groups
the voters (see ``math``) and is stored per session, refreshed while the session runs
and once more at its close.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from deliberation.agendas.models import Session
from deliberation.live.models import Statement


class VoteValue(models.IntegerChoices):
    AGREE = 1, pgettext_lazy("vote", "동의")
    DISAGREE = -1, pgettext_lazy("vote", "비동의")
    PASS = 0, pgettext_lazy("vote", "패스")


class StatementVote(models.Model):
    """One person's vote on one statement; changing it overwrites it."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="opinion_votes")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    value = models.SmallIntegerField(_("투표"), choices=VoteValue.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("발언 투표")
        verbose_name_plural = _("발언 투표")
        constraints = [
            models.UniqueConstraint(fields=["statement", "person"], name="statement_vote_once"),
            models.CheckConstraint(
                condition=models.Q(value__in=[-1, 0, 1]), name="statement_vote_value"
            ),
        ]
        indexes = [
            models.Index(fields=["session", "statement"], name="statement_vote_by_room"),
            models.Index(fields=["session", "person"], name="statement_vote_by_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.value:+d} on {self.statement_id}"


class OpinionRoom(models.Model):
    """A session's voting switch, the statement put up for a vote, and the latest map."""

    session = models.OneToOneField(
        Session, on_delete=models.CASCADE, primary_key=True, related_name="opinion_room"
    )
    voting = models.BooleanField(_("발언 투표"), default=False)
    featured = models.ForeignKey(
        Statement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    result = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    votes_seen = models.DateTimeField(null=True, blank=True)  # newest vote the map includes
    final = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("의견 지도")
        verbose_name_plural = _("의견 지도")

    def __str__(self) -> str:
        return f"opinions of {self.session_id}"
