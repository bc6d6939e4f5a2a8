"""Stored analysis of every statement and proposal, and the corpus's term counts.

A ``TextAnalysis`` row is created (pending) when a statement or proposal is written and
filled in once by the analysis worker. Digests and live panels only ever read these
rows; nothing re-tags the corpus. ``CorpusTerm`` keeps, for every noun, how many
analysed texts contain it: the document frequencies TF-IDF needs, maintained as each
analysis is stored.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from deliberation.agendas.models import Session


class TextKind(models.TextChoices):
    STATEMENT = "statement", _("발언")
    PROPOSAL = "proposal", _("제안")
    REPORT = "report", _("신고 사유")


class TextAnalysis(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("분석 대기")
        DONE = "done", _("분석 완료")
        FAILED = "failed", _("분석 실패")
        GONE = "gone", _("원문 없음")

    kind = models.CharField(max_length=10, choices=TextKind.choices)
    object_id = models.BigIntegerField()
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    normalised_text = models.TextField(blank=True)
    nouns = models.JSONField(default=list, blank=True)
    phrases = models.JSONField(default=list, blank=True)
    analyser = models.CharField(max_length=40, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    requested_at = models.DateTimeField()
    # A worker claims a batch by writing its token here; a claim older than a few
    # minutes (a worker that died) may be taken over.
    claimed_by = models.CharField(max_length=40, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    analysed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("텍스트 분석")
        verbose_name_plural = _("텍스트 분석")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="analysis_once_per_text")
        ]
        indexes = [
            models.Index(fields=["state", "id"], name="analysis_state_idx"),
            models.Index(fields=["session", "kind", "state"], name="analysis_session_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.state}"


class CorpusTerm(models.Model):
    """How many analysed texts (statements and proposals) contain a noun."""

    term = models.CharField(max_length=100, unique=True)
    document_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("말뭉치 용어")
        verbose_name_plural = _("말뭉치 용어")

    def __str__(self) -> str:
        return f"{self.term} ({self.document_count})"


class TaggedWord(models.Model):
    """One word's tags as a version of the analyser gave them (``wordtags``).

    Okt tags a space-separated word on its own, so its tags are kept here and a word is
    tagged once across processes (the server, demo seeding, ``programme_overlap``). Rows
    of another analyser version are never read and are deleted on the next save; beyond
    ``MADANG_TAGGED_WORDS_MAX`` rows the least recently used go first.
    """

    analyser = models.CharField(max_length=40)
    word = models.CharField(max_length=100)
    tags = models.JSONField()
    used_on = models.DateField()

    class Meta:
        verbose_name = _("품사 태깅 캐시")
        verbose_name_plural = _("품사 태깅 캐시")
        constraints = [
            models.UniqueConstraint(fields=["analyser", "word"], name="tagged_word_once")
        ]
        indexes = [models.Index(fields=["used_on", "id"], name="tagged_word_lru_idx")]

    def __str__(self) -> str:
        return f"{self.word} ({self.analyser})"
