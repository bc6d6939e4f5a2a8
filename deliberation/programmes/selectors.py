"""Reads: the registry and its filters, similar programmes, duplicate pairs, plans with
their progress, a municipality's profile, exports; and the engine's suggestions for
proposals in a deliberation and for past agendas.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from deliberation.agendas.models import Agenda, Disclosure
from deliberation.agendas.permissions import visible_agendas_q
from deliberation.analysis.wordtags import word_tag_store
from deliberation.common.sanitize import strip_all_markup
from deliberation.people.models import MunicipalityProfile, Organisation

from . import permissions
from .models import (
    AnnualPlan,
    FriendlyCityDesignation,
    OverlapMark,
    Programme,
    ProgrammeKind,
    TargetGroup,
)
from .overlap import Document, Match, OverlapIndex, Pair
from .tabular import COLUMNS, LIST_SEPARATOR

# A pair scoring at least this is listed as a likely duplicate (see docs/programmes.md).
DUPLICATE_THRESHOLD = 0.25
SIMILAR_MIN_SCORE = 0.08
PAGE_SIZE = 50


def visible_programmes(user: Any) -> QuerySet[Programme]:
    return (
        Programme.objects.filter(permissions.visible_programmes_q(user))
        .select_related("organisation", "organisation__parent", "kind")
        .distinct()
    )


@dataclass(frozen=True)
class RegistryFilters:
    q: str = ""
    kind: str = ""
    organisation: int | None = None
    stage: str = ""
    status: str = ""

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> RegistryFilters:
        org = str(params.get("organisation", "") or "")
        return cls(
            q=str(params.get("q", "") or "").strip()[:100],
            kind=str(params.get("kind", "") or "")[:40],
            organisation=int(org) if org.isdigit() else None,
            stage=str(params.get("stage", "") or "")[:20],
            status=str(params.get("status", "") or "")[:10],
        )


def _region_ids(organisation_id: int) -> list[int]:
    """A region and what lies below it (광역 and its 시·군·구)."""
    ids = [organisation_id]
    frontier = [organisation_id]
    while frontier:
        frontier = list(
            Organisation.objects.filter(parent_id__in=frontier)
            .exclude(pk__in=ids)
            .values_list("pk", flat=True)
        )
        ids.extend(frontier)
    return ids


def registry(user: Any, filters: RegistryFilters) -> QuerySet[Programme]:
    qs = visible_programmes(user)
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(description__icontains=filters.q))
    if filters.kind:
        qs = qs.filter(kind__slug=filters.kind)
    if filters.organisation:
        qs = qs.filter(organisation_id__in=_region_ids(filters.organisation))
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs.order_by("organisation__kind", "organisation__name", "title", "pk")


def filter_choices() -> dict[str, Any]:
    return {
        "kinds": list(ProgrammeKind.objects.all()),
        "organisations": list(
            Organisation.objects.filter(programmes__isnull=False)
            .distinct()
            .order_by("kind", "name")
        ),
        "stages": Programme.Stage.choices,
        "statuses": Programme.Status.choices,
    }


# --- The overlap index over programmes --------------------------------------------------

_INDEX_CACHE: OrderedDict[tuple[Any, ...], OverlapIndex] = OrderedDict()
_INDEX_LOCK = threading.Lock()


def _programme_document(p: Programme) -> Document:
    return Document(key=p.pk, title=p.title, body=p.overlap_body(), group=p.organisation_id)


def programme_index(programmes: Sequence[Programme]) -> OverlapIndex:
    """The engine over these programmes, from their stored terms; kept while none changes."""
    fingerprint = tuple((p.pk, p.updated_at) for p in programmes)
    with _INDEX_LOCK:
        index = _INDEX_CACHE.get(fingerprint)
        if index is not None:
            _INDEX_CACHE.move_to_end(fingerprint)
            return index
    index = OverlapIndex.build(
        [_programme_document(p) for p in programmes],
        analysed=[(p.title_terms, p.body_terms) if p.analyser else None for p in programmes],
        store=word_tag_store(),
    )
    with _INDEX_LOCK:
        _INDEX_CACHE[fingerprint] = index
        while len(_INDEX_CACHE) > 8:
            _INDEX_CACHE.popitem(last=False)
    return index


@dataclass(frozen=True)
class SimilarProgramme:
    programme: Programme
    match: Match
    mark: OverlapMark | None = None


def similar_programmes(
    user: Any, programme: Programme, *, limit: int = 5
) -> list[SimilarProgramme]:
    """The programmes elsewhere (other organisations) most like this one, explained."""
    pool = list(visible_programmes(user).order_by("pk"))
    if programme.pk not in {p.pk for p in pool}:
        pool.append(programme)
    index = programme_index(pool)
    by_pk = {p.pk: p for p in pool}
    docs = index.documents

    def elsewhere(i: int, j: int) -> bool:
        return docs[i].group == docs[j].group

    matches = index.similar_to(
        programme.pk, limit=limit, min_score=SIMILAR_MIN_SCORE, skip=elsewhere
    )
    marks = _marks_for([(programme.pk, int(str(m.key))) for m in matches])
    return [
        SimilarProgramme(
            programme=by_pk[int(str(m.key))],
            match=m,
            mark=marks.get(_pair_key(programme.pk, int(str(m.key)))),
        )
        for m in matches
    ]


def _pair_key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _marks_for(pairs: Sequence[tuple[int, int]]) -> dict[tuple[int, int], OverlapMark]:
    if not pairs:
        return {}
    keys = {_pair_key(a, b) for a, b in pairs}
    firsts = {a for a, _b in keys}
    marks = OverlapMark.objects.filter(first_id__in=firsts).select_related("marked_by")
    return {(m.first_id, m.second_id): m for m in marks if (m.first_id, m.second_id) in keys}


@dataclass(frozen=True)
class PairFilters:
    kind: str = ""
    region: int | None = None
    stage: str = ""
    verdict: str = ""  # "", "unmarked" or a verdict

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> PairFilters:
        region = str(params.get("region", "") or "")
        verdict = str(params.get("verdict", "") or "")
        allowed = {"", "unmarked", *OverlapMark.Verdict.values}
        return cls(
            kind=str(params.get("kind", "") or "")[:40],
            region=int(region) if region.isdigit() else None,
            stage=str(params.get("stage", "") or "")[:20],
            verdict=verdict if verdict in allowed else "",
        )


@dataclass(frozen=True)
class PairRow:
    first: Programme
    second: Programme
    pair: Pair
    mark: OverlapMark | None = None


def duplicate_pairs(user: Any, filters: PairFilters) -> list[PairRow]:
    """Likely duplicates across organisations, best first, with staff's marks.

    A pair is listed when either programme passes the filters (type, region, stage).
    """
    pool = list(visible_programmes(user).order_by("pk"))
    if not pool:
        return []
    index = programme_index(pool)
    region = set(_region_ids(filters.region)) if filters.region else None

    def passes(i: int) -> bool:
        p = pool[i]
        if filters.kind and p.kind.slug != filters.kind:
            return False
        if region is not None and p.organisation_id not in region:
            return False
        return not (filters.stage and p.stage != filters.stage)

    wanted = [i for i in range(len(pool)) if passes(i)]
    if not wanted:
        return []
    pairs = index.pairs(min_score=DUPLICATE_THRESHOLD, per_document=5)
    wanted_keys = {pool[i].pk for i in wanted}
    by_pk = {p.pk: p for p in pool}
    pairs = [p for p in pairs if p.a in wanted_keys or p.b in wanted_keys]
    marks = _marks_for([(int(str(p.a)), int(str(p.b))) for p in pairs])
    rows = []
    for pair in pairs:
        a, b = sorted([int(str(pair.a)), int(str(pair.b))])
        mark = marks.get((a, b))
        if filters.verdict == "unmarked" and mark is not None:
            continue
        if filters.verdict not in ("", "unmarked") and (
            mark is None or mark.verdict != filters.verdict
        ):
            continue
        rows.append(PairRow(first=by_pk[a], second=by_pk[b], pair=pair, mark=mark))
    return rows


def marks_export_rows(user: Any) -> tuple[list[str], list[list[object]]]:
    """Every mark on programmes this person may see, for CSV/XLSX."""
    visible = set(visible_programmes(user).values_list("pk", flat=True))
    header = [
        "사업 1 번호",
        "사업 1",
        "기관 1",
        "사업 2 번호",
        "사업 2",
        "기관 2",
        "유사도",
        "판정",
        "메모",
        "판정자",
        "판정 시각",
    ]
    rows: list[list[object]] = []
    marks = OverlapMark.objects.select_related(
        "first__organisation", "second__organisation", "marked_by"
    ).order_by("first_id", "second_id")
    for m in marks:
        if m.first_id not in visible or m.second_id not in visible:
            continue
        rows.append(
            [
                m.first_id,
                m.first.title,
                m.first.organisation.name,
                m.second_id,
                m.second.title,
                m.second.organisation.name,
                round(m.score, 4),
                str(m.get_verdict_display()),
                m.note,
                m.marked_by.display_name if m.marked_by else "",
                m.marked_at.isoformat(timespec="minutes"),
            ]
        )
    return header, rows


def registry_export_rows(programmes: Sequence[Programme]) -> tuple[list[str], list[list[object]]]:
    """The registry as spreadsheet rows, in the columns ``tabular.read_rows`` reads back."""
    join = f"{LIST_SEPARATOR} "
    header = [c.label for c in COLUMNS]
    labels = dict(TargetGroup.choices)
    rows: list[list[object]] = []
    for p in programmes:
        rows.append(
            [
                p.pk,
                p.organisation.name,
                p.kind.name,
                p.title,
                p.description,
                p.goals,
                join.join(str(labels.get(g, g)) for g in p.target_groups),
                join.join(p.partners_domestic),
                join.join(p.partners_abroad),
                p.starts_on.isoformat() if p.starts_on else "",
                p.ends_on.isoformat() if p.ends_on else "",
                p.budget_krw if p.budget_krw is not None else "",
                str(p.get_funding_display()),
                str(p.get_stage_display()),
                str(p.get_status_display()),
                str(p.get_disclosure_display()),
            ]
        )
    return header, rows


# --- Plans and municipalities -----------------------------------------------------------


@dataclass(frozen=True)
class StageProgress:
    stage: str
    label: str
    total: int
    by_status: list[tuple[str, int]]
    finished_share: int  # percent of this stage's programmes finished


@dataclass(frozen=True)
class PlanView:
    plan: AnnualPlan
    programmes: list[Programme]
    progress: list[StageProgress]
    hidden: int = 0  # listed programmes this reader may not see


def plan_progress(programmes: Sequence[Programme]) -> list[StageProgress]:
    result = []
    for stage, label in Programme.Stage.choices:
        in_stage = [p for p in programmes if p.stage == stage]
        counts = Counter(p.status for p in in_stage)
        finished = counts.get(Programme.Status.FINISHED, 0)
        result.append(
            StageProgress(
                stage=stage,
                label=str(label),
                total=len(in_stage),
                by_status=[
                    (str(lbl), counts.get(code, 0)) for code, lbl in Programme.Status.choices
                ],
                finished_share=round(100 * finished / len(in_stage)) if in_stage else 0,
            )
        )
    return result


def visible_plans(user: Any) -> list[AnnualPlan]:
    return list(
        AnnualPlan.objects.filter(permissions.visible_plans_q(user))
        .select_related("organisation")
        .distinct()
    )


def plan_view(user: Any, plan: AnnualPlan) -> PlanView:
    listed = list(plan.programmes.select_related("organisation", "kind").order_by("title"))
    shown = [p for p in listed if permissions.can_view_programme(user, p)]
    return PlanView(
        plan=plan,
        programmes=shown,
        progress=plan_progress(shown),
        hidden=len(listed) - len(shown),
    )


@dataclass(frozen=True)
class MunicipalityView:
    organisation: Organisation
    profile: MunicipalityProfile | None
    designations: list[FriendlyCityDesignation]
    programmes: list[Programme]
    plans: list[AnnualPlan] = field(default_factory=list)


def municipality_view(user: Any, organisation: Organisation) -> MunicipalityView:
    profile = MunicipalityProfile.objects.filter(organisation=organisation).first()
    region = _region_ids(organisation.pk)
    return MunicipalityView(
        organisation=organisation,
        profile=profile,
        designations=list(
            FriendlyCityDesignation.objects.filter(organisation=organisation).select_related(
                "recorded_by"
            )
        ),
        programmes=list(visible_programmes(user).filter(organisation_id__in=region)),
        plans=[p for p in visible_plans(user) if p.organisation_id == organisation.pk],
    )


def municipalities() -> list[Organisation]:
    return list(
        Organisation.objects.filter(
            kind__in=[Organisation.Kind.METROPOLITAN, Organisation.Kind.LOCAL]
        ).order_by("kind", "name")
    )


# --- The same engine for proposals and agendas -------------------------------------------


def proposal_duplicates(session_id: int, *, limit: int = 20) -> list[dict[str, Any]]:
    """Pairs of open proposals in a session that likely say the same thing, best first.

    Uses the analyses the worker stored for proposals; one not analysed yet is compared
    by its character n-grams alone.
    """
    from deliberation.analysis.models import TextAnalysis, TextKind
    from deliberation.structured.models import Proposal

    proposals = list(
        Proposal.objects.filter(session_id=session_id, status=Proposal.Status.OPEN)
        .order_by("pk")
        .values_list("pk", "title", "body_html")
    )
    if len(proposals) < 2:
        return []
    stored = {
        oid: [*nouns, *phrases]
        for oid, nouns, phrases in TextAnalysis.objects.filter(
            kind=TextKind.PROPOSAL,
            object_id__in=[p[0] for p in proposals],
            state=TextAnalysis.State.DONE,
        ).values_list("object_id", "nouns", "phrases")
    }
    docs = [
        Document(key=pk, title=title, body=strip_all_markup(body or ""), group=pk)
        for pk, title, body in proposals
    ]
    index = OverlapIndex.build(
        docs, analysed=[([], stored.get(pk, [])) for pk, _t, _b in proposals]
    )
    pairs = index.pairs(min_score=DUPLICATE_THRESHOLD, per_document=3, across_groups=False)
    return [
        {
            "proposal_ids": sorted([int(str(p.a)), int(str(p.b))]),
            "score": p.score,
            "shared_terms": p.shared_terms,
            "variants": [list(v) for v in p.variants],
        }
        for p in pairs[:limit]
    ]


@dataclass(frozen=True)
class SimilarAgenda:
    agenda: Agenda
    match: Match


def similar_agendas(
    user: Any, *, title: str, description: str = "", exclude_id: int | None = None, limit: int = 5
) -> list[SimilarAgenda]:
    """Past agendas this person may see that are most like a draft title and description."""
    title = title.strip()[:200]
    if len(title) + len(description.strip()) < 4:
        return []
    agendas = list(
        Agenda.objects.filter(visible_agendas_q(user))
        .exclude(status=Agenda.Status.DRAFT)
        .exclude(pk=exclude_id or 0)
        .select_related("organisation")
        .distinct()
        .order_by("-created_at")[:500]
    )
    if not agendas:
        return []
    draft_key = "draft"
    docs = [Document(key=draft_key, title=title, body=strip_all_markup(description)[:2000])]
    docs += [
        Document(key=a.pk, title=a.title, body=strip_all_markup(a.description_html)[:2000])
        for a in agendas
    ]
    index = OverlapIndex.build(docs, store=word_tag_store())
    by_pk = {a.pk: a for a in agendas}
    return [
        SimilarAgenda(agenda=by_pk[int(str(m.key))], match=m)
        for m in index.similar_to(draft_key, limit=limit, min_score=SIMILAR_MIN_SCORE)
    ]


DISCLOSURE_LABELS = dict(Disclosure.choices)
