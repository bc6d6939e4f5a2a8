"""People's diplomacy programmes (국민외교 사업), annual plans and friendly-city records."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from deliberation.agendas.models import Agenda, Disclosure, Session
from deliberation.common.names import BilingualName
from deliberation.people.models import MunicipalityProfile, Organisation


class ProgrammeKind(BilingualName, models.Model):
    """A kind of programme (공모전, 국민참여사업 ...); staff may add more in the back office."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(_("이름"), max_length=60, unique=True)
    name_en = models.CharField(_("영문 이름"), max_length=80, blank=True)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("사업 유형")
        verbose_name_plural = _("사업 유형")

    def __str__(self) -> str:
        return self.name


class TargetGroup(models.TextChoices):
    YOUTH = "youth", _("청년")
    STUDENTS = "students", _("학생")
    UNIVERSITY = "university", _("대학생")
    MULTICULTURAL = "multicultural", _("다문화 가족")
    FOREIGN_RESIDENTS = "foreign_residents", _("외국인 주민")
    RESIDENTS = "residents", _("일반 주민")
    SENIORS = "seniors", _("어르신")
    BUSINESSES = "businesses", _("지역 기업")
    OFFICIALS = "officials", _("공무원")


class Funding(models.TextChoices):
    GENERAL = "general", _("일반회계")
    FUND = "fund", _("기금")
    PRIVATE = "private", _("민간협력")


class Programme(models.Model):
    """One programme an organisation runs, as staff keep it in their lists."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("계획")
        RUNNING = "running", _("진행 중")
        FINISHED = "finished", _("완료")
        SUSPENDED = "suspended", _("중단")

    Stage = MunicipalityProfile.Stage

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("주관 기관"),
        on_delete=models.PROTECT,
        related_name="programmes",
    )
    kind = models.ForeignKey(
        ProgrammeKind, verbose_name=_("사업 유형"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("사업명"), max_length=200)
    description = models.TextField(_("사업 내용"), blank=True)
    goals = models.TextField(_("목표"), blank=True)
    target_groups = models.JSONField(_("대상"), default=list, blank=True)
    partners_domestic = models.JSONField(_("국내 협력 기관"), default=list, blank=True)
    partners_abroad = models.JSONField(_("해외 협력 기관"), default=list, blank=True)
    starts_on = models.DateField(_("시작일"), null=True, blank=True)
    ends_on = models.DateField(_("종료일"), null=True, blank=True)
    budget_krw = models.PositiveBigIntegerField(_("예산(원)"), null=True, blank=True)
    funding = models.CharField(
        _("재원"), max_length=10, choices=Funding.choices, default=Funding.GENERAL
    )
    stage = models.CharField(
        _("협력 단계"), max_length=20, choices=Stage.choices, default=Stage.PREPARING
    )
    status = models.CharField(
        _("상태"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    disclosure = models.CharField(
        _("공개 수준"), max_length=12, choices=Disclosure.choices, default=Disclosure.INTERNAL
    )
    agendas = models.ManyToManyField(
        Agenda, verbose_name=_("관련 의제"), blank=True, related_name="programmes"
    )
    sessions = models.ManyToManyField(
        Session, verbose_name=_("관련 회의"), blank=True, related_name="programmes"
    )
    # The analyser's terms of the title and of the rest, stored when the text changes so
    # pages compare programmes without tagging them again.
    title_terms = models.JSONField(default=list, blank=True, editable=False)
    body_terms = models.JSONField(default=list, blank=True, editable=False)
    analyser = models.CharField(max_length=40, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation__name", "title", "pk"]
        verbose_name = _("국민외교 사업")
        verbose_name_plural = _("국민외교 사업")
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def target_group_labels(self) -> list[str]:
        labels = dict(TargetGroup.choices)
        return [str(labels.get(g, g)) for g in self.target_groups]

    def overlap_body(self) -> str:
        """What the overlap engine reads besides the title."""
        return "\n".join(
            [
                self.description,
                self.goals,
                " ".join(self.target_group_labels),
                " ".join([*self.partners_domestic, *self.partners_abroad]),
            ]
        )


class OverlapMark(models.Model):
    """Staff's verdict on a pair of programmes the engine found alike."""

    class Verdict(models.TextChoices):
        DUPLICATE = "duplicate", _("중복")
        RELATED = "related", _("연계 가능")
        DISTINCT = "distinct", _("별개")

    first = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    verdict = models.CharField(_("판정"), max_length=10, choices=Verdict.choices)
    note = models.CharField(_("메모"), max_length=300, blank=True)
    score = models.FloatField(_("유사도"), default=0.0)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-marked_at", "pk"]
        verbose_name = _("유사·중복 판정")
        verbose_name_plural = _("유사·중복 판정")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="overlap_mark_once"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="overlap_mark_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_id}-{self.second_id}: {self.verdict}"


class AnnualPlan(models.Model):
    """The ministry's comprehensive plan or a metropolitan government's implementation plan."""

    class Kind(models.TextChoices):
        COMPREHENSIVE = "comprehensive", _("국민외교 종합계획")
        IMPLEMENTATION = "implementation", _("시·도 국민외교 시행계획")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("수립 기관"), on_delete=models.PROTECT, related_name="plans"
    )
    year = models.PositiveSmallIntegerField(_("연도"))
    kind = models.CharField(_("계획 종류"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("계획명"), max_length=200)
    summary = models.TextField(_("요약"), blank=True)
    programmes = models.ManyToManyField(
        Programme, verbose_name=_("포함 사업"), blank=True, related_name="plans"
    )
    disclosure = models.CharField(
        _("공개 수준"), max_length=12, choices=Disclosure.choices, default=Disclosure.INTERNAL
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "kind", "organisation__name"]
        verbose_name = _("연간 계획")
        verbose_name_plural = _("연간 계획")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "kind"], name="plan_once_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class FriendlyCityDesignation(models.Model):
    """A designation as people's-diplomacy-friendly city (국민외교 친화도시)."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("지자체"),
        on_delete=models.PROTECT,
        related_name="friendly_designations",
    )
    designated_on = models.DateField(_("지정일"))
    valid_until = models.DateField(_("유효 기간"), null=True, blank=True)
    criteria = models.JSONField(_("지정 기준"), default=list, blank=True)
    consulting = models.TextField(_("제공된 컨설팅"), blank=True)
    note = models.CharField(_("비고"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-designated_on", "pk"]
        verbose_name = _("국민외교 친화도시 지정")
        verbose_name_plural = _("국민외교 친화도시 지정")

    def __str__(self) -> str:
        return f"{self.organisation} {self.designated_on}"
