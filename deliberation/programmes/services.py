"""Writes: programmes (one at a time or a whole spreadsheet), overlap marks, plans and
friendly-city designations. Each checks its permission and runs in ``transaction.atomic``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from deliberation.agendas.models import Disclosure
from deliberation.analysis.analyzer import get_analyzer
from deliberation.analysis.wordtags import word_tag_store
from deliberation.people.models import Organisation, User

from . import permissions
from .models import (
    AnnualPlan,
    FriendlyCityDesignation,
    Funding,
    OverlapMark,
    Programme,
    ProgrammeKind,
    TargetGroup,
)
from .overlap import Document, analyse_documents
from .tabular import LIST_SEPARATOR, RowError

TEXT_FIELDS = ("title", "description", "goals", "target_groups", "partners_domestic")
MAX_TITLE = 200
MAX_TEXT = 5_000


def programme_analyse(programmes: Sequence[Programme]) -> None:
    """Store the analyser's terms of each programme (not saved; the caller saves); the
    words' tags go to the word-tag cache too, for the next analysis or command run."""
    if not programmes:
        return
    docs = [Document(key=p.pk, title=p.title, body=p.overlap_body()) for p in programmes]
    analysed = analyse_documents(docs, store=word_tag_store())
    name = get_analyzer().name
    for programme, (title_terms, body_terms) in zip(programmes, analysed, strict=True):
        programme.title_terms = title_terms
        programme.body_terms = body_terms
        programme.analyser = name


def _text_changed(programme: Programme, before: tuple[Any, ...] | None) -> bool:
    return before is None or before != _text_state(programme)


def _text_state(programme: Programme) -> tuple[Any, ...]:
    return (programme.title, programme.overlap_body())


@transaction.atomic
def programme_save(
    *,
    actor: User,
    programme: Programme,
    agendas: Sequence[Any] | None = None,
    sessions: Sequence[Any] | None = None,
) -> Programme:
    """Create or update a programme the actor maintains; re-analyse it if its text changed."""
    if not permissions.can_edit_programme(actor, programme):
        raise PermissionDenied(_("이 기관의 사업을 관리할 권한이 없습니다."))
    before = None
    if programme.pk:
        stored = Programme.objects.select_for_update().get(pk=programme.pk)
        if not permissions.can_edit_programme(actor, stored):
            raise PermissionDenied(_("이 기관의 사업을 관리할 권한이 없습니다."))
        before = _text_state(stored)
    else:
        programme.created_by = actor
    programme.full_clean(exclude=["agendas", "sessions"])
    if _text_changed(programme, before) or not programme.analyser:
        programme_analyse([programme])
    programme.save()
    if agendas is not None:
        programme.agendas.set(agendas)
    if sessions is not None:
        programme.sessions.set(sessions)
    return programme


# --- Spreadsheet import ---------------------------------------------------------------


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _choice(value: str, choices: Sequence[tuple[str, Any]]) -> str | None:
    for code, label in choices:
        if value in (code, str(label)):
            return code
    return None


def _split(value: str) -> list[str]:
    return [v.strip() for v in re.split(r"[;\n]", value) if v.strip()]


def _date(value: str) -> dt.date | None:
    if not value:
        return None
    return dt.date.fromisoformat(value.replace(".", "-").replace("/", "-")[:10])


class _Rows:
    """Validation of spreadsheet rows into unsaved programmes, collecting every error."""

    def __init__(self, actor: User) -> None:
        self.actor = actor
        self.errors: list[RowError] = []
        self.organisations = {}
        for org in Organisation.objects.all():
            self.organisations[org.name] = org
            self.organisations[org.slug] = org
        self.kinds = {}
        for kind in ProgrammeKind.objects.all():
            self.kinds[kind.name] = kind
            self.kinds[kind.slug] = kind
        self.target_labels = {str(label): code for code, label in TargetGroup.choices}

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row=row, column=column, message=message))

    def programme(self, number: int, cells: dict[str, str]) -> Programme | None:
        start = len(self.errors)
        programme = self._existing(number, cells.get("id", ""))
        if programme is None and cells.get("id"):
            return None
        programme = programme or Programme()
        org = self.organisations.get(cells.get("organisation", ""))
        if org is None:
            self.error(number, "organisation", _("알 수 없는 기관입니다."))
        elif not permissions.can_create_programme(self.actor, org):
            self.error(number, "organisation", _("이 기관의 사업을 관리할 권한이 없습니다."))
        else:
            programme.organisation = org
        kind = self.kinds.get(cells.get("kind", ""))
        if kind is None:
            self.error(number, "kind", _("알 수 없는 사업 유형입니다."))
        else:
            programme.kind = kind
        title = cells.get("title", "")
        if not title:
            self.error(number, "title", _("사업명을 입력해 주세요."))
        elif len(title) > MAX_TITLE:
            self.error(number, "title", _("사업명이 너무 깁니다(최대 200자)."))
        programme.title = title
        for name in ("description", "goals"):
            if len(cells.get(name, "")) > MAX_TEXT:
                self.error(number, name, _("내용이 너무 깁니다(최대 5,000자)."))
            setattr(programme, name, cells.get(name, ""))
        groups = []
        for label in _split(cells.get("target_groups", "")):
            code = label if label in TargetGroup.values else self.target_labels.get(label)
            if code is None:
                self.error(number, "target_groups", _("알 수 없는 대상: %(v)s") % {"v": label})
            else:
                groups.append(code)
        programme.target_groups = groups
        programme.partners_domestic = _split(cells.get("partners_domestic", ""))
        programme.partners_abroad = _split(cells.get("partners_abroad", ""))
        for name in ("starts_on", "ends_on"):
            try:
                setattr(programme, name, _date(cells.get(name, "")))
            except ValueError:
                self.error(number, name, _("날짜는 2026-03-01 형식으로 써 주세요."))
        if programme.starts_on and programme.ends_on and programme.ends_on < programme.starts_on:
            self.error(number, "ends_on", _("종료일이 시작일보다 빠릅니다."))
        budget = cells.get("budget_krw", "").replace(",", "").replace("원", "").strip()
        if budget and not budget.isdigit():
            self.error(number, "budget_krw", _("예산은 0 이상의 정수(원)로 써 주세요."))
        programme.budget_krw = int(budget) if budget.isdigit() else None
        for name, choices, default in (
            ("funding", Funding.choices, Funding.GENERAL),
            ("stage", Programme.Stage.choices, Programme.Stage.PREPARING),
            ("status", Programme.Status.choices, Programme.Status.PLANNED),
            ("disclosure", Disclosure.choices, Disclosure.INTERNAL),
        ):
            value = cells.get(name, "")
            code = _choice(value, choices) if value else default
            if code is None:
                allowed = ", ".join(str(label) for _c, label in choices)
                self.error(
                    number,
                    name,
                    _("'%(v)s'은(는) 쓸 수 없는 값입니다(%(allowed)s).")
                    % {"v": value, "allowed": allowed},
                )
            else:
                setattr(programme, name, code)
        if len(self.errors) == start and not permissions.can_edit_programme(self.actor, programme):
            self.error(number, "disclosure", _("열람 등급보다 높은 공개 수준입니다."))
        return programme if len(self.errors) == start else None

    def _existing(self, number: int, raw_id: str) -> Programme | None:
        if not raw_id:
            return None
        if not raw_id.isdigit():
            self.error(number, "id", _("번호는 숫자여야 합니다(새 사업은 비워 두세요)."))
            return None
        programme = Programme.objects.select_related("organisation").filter(pk=int(raw_id)).first()
        if programme is None or not permissions.can_edit_programme(self.actor, programme):
            self.error(number, "id", _("이 번호의 사업을 찾을 수 없거나 수정할 권한이 없습니다."))
            return None
        return programme


def programmes_import(*, actor: User, rows: Sequence[tuple[int, dict[str, str]]]) -> ImportResult:
    """Validate every row; write all of them in one transaction, or none when any is bad."""
    if not permissions.manageable_organisations(actor):
        raise PermissionDenied(_("사업을 등록할 수 있는 기관이 없습니다."))
    checker = _Rows(actor)
    programmes: list[Programme] = []
    seen_ids: dict[int, int] = {}
    for number, cells in rows:
        programme = checker.programme(number, cells)
        if programme is None:
            continue
        if programme.pk:
            if programme.pk in seen_ids:
                checker.error(
                    number,
                    "id",
                    _("같은 번호가 %(row)d행에도 있습니다.") % {"row": seen_ids[programme.pk]},
                )
                continue
            seen_ids[programme.pk] = number
        programmes.append(programme)
    result = ImportResult(errors=checker.errors)
    if result.errors:
        return result
    programme_analyse(programmes)
    with transaction.atomic():
        for programme in programmes:
            if programme.pk:
                result.updated += 1
            else:
                programme.created_by = actor
                result.created += 1
            programme.save()
    return result


# --- Overlap marks --------------------------------------------------------------------


@transaction.atomic
def overlap_mark(
    *,
    actor: User,
    first: Programme,
    second: Programme,
    verdict: str,
    note: str = "",
    score: float = 0.0,
) -> OverlapMark:
    """Record staff's verdict on a pair (duplicate / related / distinct); the last one holds."""
    if not permissions.can_review_overlaps(actor):
        raise PermissionDenied(_("유사·중복 판정은 외교부 담당자만 할 수 있습니다."))
    if not (
        permissions.can_view_programme(actor, first)
        and permissions.can_view_programme(actor, second)
    ):
        raise PermissionDenied(_("이 사업을 볼 수 있는 권한이 없습니다."))
    if first.pk == second.pk:
        raise ValidationError(_("같은 사업끼리는 판정할 수 없습니다."))
    if verdict not in OverlapMark.Verdict.values:
        raise ValidationError(_("판정 값이 올바르지 않습니다."))
    a, b = sorted([first, second], key=lambda p: p.pk)
    mark, _created = OverlapMark.objects.update_or_create(
        first=a,
        second=b,
        defaults={
            "verdict": verdict,
            "note": note.strip()[:300],
            "score": score,
            "marked_by": actor,
        },
    )
    return mark


# --- Plans and designations -----------------------------------------------------------


@transaction.atomic
def plan_save(*, actor: User, plan: AnnualPlan, programmes: Sequence[Programme]) -> AnnualPlan:
    """Create or update an annual plan and the programmes it lists."""
    if not permissions.can_edit_plan(actor, plan):
        raise PermissionDenied(_("이 기관의 계획을 관리할 권한이 없습니다."))
    expected = (
        AnnualPlan.Kind.COMPREHENSIVE
        if plan.organisation.kind == Organisation.Kind.MINISTRY
        else AnnualPlan.Kind.IMPLEMENTATION
    )
    if plan.kind != expected:
        raise ValidationError(
            _("종합계획은 외교부가, 시행계획은 광역자치단체가 수립합니다."), code="plan_kind"
        )
    plan.full_clean(exclude=["programmes"])
    plan.save()
    plan.programmes.set(programmes)
    return plan


@transaction.atomic
def designation_record(
    *,
    actor: User,
    organisation: Organisation,
    designated_on: dt.date,
    criteria: Sequence[str],
    consulting: str = "",
    valid_until: dt.date | None = None,
    note: str = "",
) -> FriendlyCityDesignation:
    """Record a friendly-city designation and mark the municipality's profile designated."""
    from deliberation.people.models import MunicipalityProfile

    if not permissions.can_record_designation(actor):
        raise PermissionDenied(_("친화도시 지정은 외교부 담당자만 기록할 수 있습니다."))
    if not organisation.is_municipality:
        raise ValidationError(_("지자체만 친화도시로 지정할 수 있습니다."))
    if valid_until is not None and valid_until < designated_on:
        raise ValidationError(_("유효 기간이 지정일보다 빠릅니다."))
    designation = FriendlyCityDesignation.objects.create(
        organisation=organisation,
        designated_on=designated_on,
        valid_until=valid_until,
        criteria=[c.strip() for c in criteria if c.strip()],
        consulting=consulting.strip(),
        note=note.strip()[:300],
        recorded_by=actor,
    )
    profile, _created = MunicipalityProfile.objects.get_or_create(organisation=organisation)
    if not profile.friendly_city_designated:
        profile.friendly_city_designated = True
        profile.save(update_fields=["friendly_city_designated"])
    return designation


LIST_JOIN = f"{LIST_SEPARATOR} "
