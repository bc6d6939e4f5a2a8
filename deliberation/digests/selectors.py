"""Reads for digests, the ministry inbox, trends, answers and notifications.

Everything returns materialised data. Lists are filtered by ``visible_digests_q``:
what someone may not read is simply absent.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from collections import defaultdict
from typing import Any

from django.apps import apps
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from deliberation.agendas.models import Disclosure, Session, Topic
from deliberation.people.models import MunicipalityProfile, Organisation

from . import permissions
from .models import AnswerStatus, Digest, DigestRead, MinistryResponse, Notification

log = logging.getLogger(__name__)

PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 100


def url_exists(name: str, *args: Any) -> bool:
    try:
        reverse(name, args=args or [1])
    except NoReverseMatch:
        return False
    return True


# ---------------------------------------------------------------- participants


# Where a person leaves a trace of taking part: (app, model, session path, person field).
_PARTICIPATION_SOURCES: tuple[tuple[str, str, str, str], ...] = (
    ("live", "Statement", "session_id", "author_id"),
    ("live", "Participant", "session_id", "user_id"),
    ("live", "Participant", "session_id", "person_id"),
    ("live", "Reaction", "statement__session_id", "person_id"),
    ("structured", "Proposal", "session_id", "author_id"),
    ("structured", "Support", "proposal__session_id", "person_id"),
    ("structured", "Vote", "session_id", "person_id"),
    ("structured", "PollAnswer", "poll__session_id", "person_id"),
)


def session_participant_ids(session_id: int) -> set[int]:
    """People who wrote, proposed, supported or voted in the session (whatever exists)."""
    ids: set[int] = set()
    for app_label, model_name, session_path, person_field in _PARTICIPATION_SOURCES:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        try:
            rows = model.objects.filter(**{session_path: session_id}).values_list(
                person_field, flat=True
            )
            ids.update(r for r in rows if r is not None)
        except Exception:  # noqa: BLE001 - a source with other field names is skipped
            log.debug("participation source %s.%s skipped", app_label, model_name)
    return ids


def took_part(user: Any, session: Session) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.pk in session_participant_ids(
        session.pk
    )


# ---------------------------------------------------------------- digests


def digest_get_visible(user: Any, digest_id: int) -> Digest:
    """The digest, or 404 when it does not exist or this person may not know of it."""
    digest = (
        Digest.objects.select_related("agenda", "agenda__organisation", "session", "organisation")
        .filter(pk=digest_id)
        .first()
    )
    if digest is None or not permissions.can_view_digest(user, digest):
        raise Http404
    return digest


def digest_for_session(session: Session) -> Digest | None:
    return Digest.objects.filter(scope=Digest.Scope.SESSION, session=session).first()


def content_figures(content: dict[str, Any]) -> dict[str, int]:
    """People, statements and proposals counted by the builder, whatever it named them."""
    part = content.get("participation") if isinstance(content.get("participation"), dict) else {}
    assert isinstance(part, dict)

    def pick(*names: str) -> int:
        for source in (part, content):
            for name in names:
                value = source.get(name)
                if isinstance(value, int | float) and not isinstance(value, bool):
                    return int(value)
                if isinstance(value, list) and name in ("proposals",):
                    return len(value)
        return 0

    return {
        "participants": pick("people", "participants", "participant_count", "people_count"),
        "statements": pick("statements", "statement_count", "statements_count"),
        "proposals": pick("proposals", "proposal_count", "proposals_count"),
    }


def digest_proposals(digest: Digest) -> list[dict[str, Any]]:
    """The proposals a ministry answer may name: from the content, else from the database."""
    found: list[dict[str, Any]] = []
    raw = (digest.content or {}).get("proposals")
    if isinstance(raw, dict):
        raw = raw.get("items") or raw.get("proposals") or []
    if isinstance(raw, list):
        for item in raw:
            if isinstance(item, dict) and isinstance(item.get("id"), int) and item.get("title"):
                found.append({"id": int(item["id"]), "title": str(item["title"])})
    if found:
        return found
    try:
        proposal_model = apps.get_model("structured", "Proposal")
    except LookupError:
        return []
    sessions = (
        [digest.session_id]
        if digest.session_id
        else list(digest.agenda.sessions.values_list("pk", flat=True))
    )
    return [
        {"id": p.pk, "title": p.title}
        for p in proposal_model.objects.filter(session_id__in=sessions).order_by("pk")
    ]


def manageable_digests(user: Any, *, session: Session | None = None) -> list[Digest]:
    qs = Digest.objects.filter(permissions.visible_digests_q(user)).select_related("organisation")
    if session is not None:
        qs = qs.filter(session=session)
    return list(qs.order_by("-updated_at")[:100])


def live_digest(session_id: int) -> dict[str, Any] | None:
    """A small live view of the session for the console panel, from stored analysis only."""
    from deliberation.analysis import digest as builder

    build = getattr(builder, "build_live_digest", None) or builder.build_session_digest
    content = build(session_id).to_dict()
    part = content.get("participation") or {}
    return {
        "people": part.get("people", 0),
        "statements": part.get("statements", 0),
        "reactions": part.get("reactions", 0),
        "proposals": part.get("proposals", 0),
        "pending": content.get("pending_analysis", 0),
        "keywords": [k.get("term", "") for k in (content.get("keywords") or [])[:10]],
        "sections": [
            {
                "label": group.get("label", ""),
                "count": group.get("count", 0),
                "lines": [line.get("text", "") for line in (group.get("lines") or [])[:2]],
            }
            for group in content.get("key_statements") or []
        ],
    }


# ---------------------------------------------------------------- inbox


@dataclasses.dataclass
class InboxFilter:
    municipality: int | None = None
    topic: str = ""
    disclosure: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    q: str = ""
    answer_status: str = ""
    # "me", "none" (unassigned) or a user id as text; "" for everyone.
    owner: str = ""
    overdue: bool = False

    @classmethod
    def from_params(cls, params: Any) -> InboxFilter:
        """Read filters from query parameters; anything unreadable is ignored."""

        def date(name: str) -> dt.date | None:
            try:
                return dt.date.fromisoformat(str(params.get(name, ""))[:10])
            except ValueError:
                return None

        municipality = str(params.get("municipality", "") or "")
        topic = str(params.get("topic", "") or "")
        disclosure = str(params.get("disclosure", "") or "")
        answer_status = str(params.get("answer_status", "") or "")
        owner = str(params.get("owner", "") or "")
        return cls(
            municipality=int(municipality) if municipality.isdigit() else None,
            topic=topic if topic in Topic.values else "",
            disclosure=disclosure if disclosure in Disclosure.values else "",
            since=date("since"),
            until=date("until"),
            q=str(params.get("q", "") or "").strip()[:100],
            answer_status=answer_status if answer_status in AnswerStatus.values else "",
            owner=owner if owner in ("me", "none") or owner.isdigit() else "",
            overdue=str(params.get("overdue", "")) in ("1", "true", "on"),
        )

    def without_work(self) -> InboxFilter:
        """The same filter without the work-queue parts (for the counts beside them)."""
        return dataclasses.replace(self, answer_status="", owner="", overdue=False)


# Particles (조사) a search word may carry that the stored text may not.
_JOSA = (
    "으로부터", "에서부터", "이라고", "라고", "에게서", "으로서", "으로써", "에서는", "에게는",
    "에서", "에게", "께서", "으로", "로서", "로써", "부터", "까지", "처럼", "보다", "이나",
    "하고", "이며", "과의", "와의", "들의", "들은", "들이", "들을", "의", "은", "는", "이",
    "가", "을", "를", "에", "로", "와", "과", "도", "만", "들",
)  # fmt: skip
_WORD = re.compile(r"[^\s]+")


def search_terms(q: str) -> list[str]:
    """Search words with a trailing particle dropped (일자리를 -> 일자리), at most eight."""
    terms = []
    for word in _WORD.findall(q)[:8]:
        stem = word
        for josa in _JOSA:
            if word.endswith(josa) and len(word) - len(josa) >= 2:
                stem = word[: -len(josa)]
                break
        terms.append(stem)
    return terms


def _municipality_ids(organisation_id: int) -> list[int]:
    ids = [organisation_id]
    ids += list(Organisation.objects.filter(parent_id=organisation_id).values_list("pk", flat=True))
    return ids


def today() -> dt.date:
    return timezone.localdate()


def overdue_q() -> Q:
    """Digests past their due date and not answered yet."""
    return Q(due_date__lt=today()) & ~Q(answer_status=AnswerStatus.ANSWERED)


def published_digests_qs(user: Any, f: InboxFilter) -> Any:
    """Published digests this person may read, filtered; newest first."""
    levels = permissions.readable_levels(user)
    qs = Digest.objects.filter(status=Digest.Status.PUBLISHED, disclosure__in=levels)
    if f.answer_status:
        qs = qs.filter(answer_status=f.answer_status)
    if f.owner == "me":
        qs = qs.filter(assignee_id=getattr(user, "pk", None))
    elif f.owner == "none":
        qs = qs.filter(assignee__isnull=True)
    elif f.owner:
        qs = qs.filter(assignee_id=int(f.owner))
    if f.overdue:
        qs = qs.filter(overdue_q())
    if f.municipality:
        qs = qs.filter(organisation_id__in=_municipality_ids(f.municipality))
    if f.topic:
        qs = qs.filter(topic=f.topic)
    if f.disclosure:
        qs = qs.filter(disclosure=f.disclosure)
    if f.since:
        qs = qs.filter(held_at__date__gte=f.since)
    if f.until:
        qs = qs.filter(held_at__date__lte=f.until)
    # icontains over the stored text and analysed nouns works for Korean on both
    # SQLite and PostgreSQL (no word-splitting dictionary needed).
    for term in search_terms(f.q):
        qs = qs.filter(Q(search_text__icontains=term) | Q(title__icontains=term))
    return qs.select_related("organisation", "assignee").order_by("-held_at", "-pk")


@dataclasses.dataclass
class InboxCounts:
    total: int
    by_status: list[tuple[str, str, int]]  # (value, label, count)
    overdue: int
    mine: int
    unassigned: int


def inbox_counts(user: Any, f: InboxFilter) -> InboxCounts:
    """How many digests each work-queue filter would show, within the other filters."""
    qs = published_digests_qs(user, f.without_work()).order_by()
    by_status = dict(qs.values_list("answer_status").annotate(n=Count("pk")))
    figures = qs.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=overdue_q()),
        mine=Count("pk", filter=Q(assignee_id=getattr(user, "pk", None))),
        unassigned=Count("pk", filter=Q(assignee__isnull=True)),
    )
    return InboxCounts(
        total=figures["total"],
        by_status=[(v, str(label), by_status.get(v, 0)) for v, label in AnswerStatus.choices],
        overdue=figures["overdue"],
        mine=figures["mine"],
        unassigned=figures["unassigned"],
    )


def assignable_officers(digest: Digest) -> list[Any]:
    """Ministry staff (and administrators) who could answer this digest."""
    from deliberation.people.models import User

    candidates = User.objects.filter(
        is_active=True, role__in=[User.Role.MINISTRY, User.Role.ADMIN]
    ).order_by("nickname", "username")
    return [u for u in candidates if permissions.can_be_assigned(u, digest)]


def inbox_owners(user: Any) -> list[Any]:
    """The officers the inbox's owner filter offers: everyone with an assigned digest."""
    from deliberation.people.models import User

    levels = permissions.readable_levels(user)
    ids = Digest.objects.filter(
        status=Digest.Status.PUBLISHED, disclosure__in=levels, assignee__isnull=False
    ).values("assignee_id")
    return list(User.objects.filter(pk__in=ids).order_by("nickname", "username"))


def read_log(digest: Digest, limit: int = 200) -> list[DigestRead]:
    return list(digest.reads.select_related("reader")[:limit])


def clamp(value: Any, *, default: int, low: int, high: int) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return default
    return max(low, min(high, number))


@dataclasses.dataclass
class Page:
    items: list[Any]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def paginate(qs: Any, *, page: Any, size: Any) -> Page:
    size_n = clamp(size, default=PAGE_SIZE_DEFAULT, low=1, high=PAGE_SIZE_MAX)
    total = qs.count()
    pages = max(1, -(-total // size_n))
    number = clamp(page, default=1, low=1, high=pages)
    start = (number - 1) * size_n
    return Page(items=list(qs[start : start + size_n]), number=number, size=size_n, total=total)


def inbox_municipalities() -> list[Organisation]:
    return list(
        Organisation.objects.filter(
            kind__in=[Organisation.Kind.METROPOLITAN, Organisation.Kind.LOCAL]
        ).order_by("name")
    )


# ---------------------------------------------------------------- trends


@dataclasses.dataclass
class Trends:
    periods: list[str]
    keywords: list[str]
    # rows[keyword] = statements using it per period (summed over that period's digests)
    rows: dict[str, list[float]]
    municipalities: dict[str, list[str]]


def keyword_trends(user: Any, f: InboxFilter, *, top: int = 8) -> Trends:
    """Top keywords of the visible published digests, per month, across municipalities."""
    digests = list(
        published_digests_qs(user, f)
        .order_by("held_at")
        .values("keywords", "held_at", "organisation__name")[:2000]
    )
    totals: dict[str, float] = defaultdict(float)
    per: dict[tuple[str, str], float] = defaultdict(float)
    where: dict[str, set[str]] = defaultdict(set)
    periods: list[str] = []
    for row in digests:
        period = timezone.localtime(row["held_at"]).strftime("%Y-%m")
        if period not in periods:
            periods.append(period)
        for kw in row["keywords"] or []:
            word = str(kw.get("word", ""))
            if not word:
                continue
            # Older digests stored a weight instead of a count: count those once.
            count = kw.get("count", 1)
            used = float(count) if isinstance(count, int) else 1.0
            totals[word] += used
            per[(word, period)] += used
            where[word].add(row["organisation__name"])
    keywords = [w for w, _ in sorted(totals.items(), key=lambda x: (-x[1], x[0]))[:top]]
    return Trends(
        periods=periods,
        keywords=keywords,
        rows={w: [round(per[(w, p)], 3) for p in periods] for w in keywords},
        municipalities={w: sorted(where[w]) for w in keywords},
    )


def trends_svg_points(
    trends: Trends, *, width: int = 640, height: int = 220
) -> list[dict[str, Any]]:
    """Polyline points for each keyword's series, scaled to the chart box."""
    peak = max((v for row in trends.rows.values() for v in row), default=0) or 1
    n = len(trends.periods)
    step = (width - 60) / max(1, n - 1)
    series = []
    for index, word in enumerate(trends.keywords):
        points = []
        for i, value in enumerate(trends.rows[word]):
            x = 40 + (i * step if n > 1 else (width - 60) / 2)
            y = height - 30 - (value / peak) * (height - 50)
            points.append((round(x, 1), round(y, 1)))
        series.append(
            {
                "word": word,
                "index": index,
                "points": " ".join(f"{x},{y}" for x, y in points),
                "dots": points,
            }
        )
    return series


def trends_axis(trends: Trends, *, width: int = 640) -> list[tuple[float, str]]:
    """Where each period's label sits under the chart (same scale as the points)."""
    n = len(trends.periods)
    step = (width - 60) / max(1, n - 1)
    return [
        (round(40 + (i * step if n > 1 else (width - 60) / 2), 1), period)
        for i, period in enumerate(trends.periods)
    ]


# ---------------------------------------------------------------- municipalities overview


@dataclasses.dataclass
class MunicipalityRow:
    organisation: Organisation
    profile: MunicipalityProfile | None
    partners: list[dict[str, str]]
    sessions: int
    digests: int
    participants: int
    statements: int
    proposals: int
    answered: int = 0
    overdue: int = 0

    @property
    def response_rate(self) -> int | None:
        """Share of published digests answered, in per cent (None with no digest)."""
        return round(100 * self.answered / self.digests) if self.digests else None


def municipality_overview(user: Any) -> list[MunicipalityRow]:
    """Each municipality's readiness profile beside its participation figures (as visible)."""
    levels = permissions.readable_levels(user)
    figures = {
        row["organisation_id"]: row
        for row in Digest.objects.filter(
            status=Digest.Status.PUBLISHED, disclosure__in=levels, scope=Digest.Scope.SESSION
        )
        .values("organisation_id")
        .annotate(
            n=Count("pk"),
            answered=Count("pk", filter=Q(answer_status=AnswerStatus.ANSWERED)),
            overdue=Count("pk", filter=overdue_q()),
            people=Sum("participant_count"),
            statements=Sum("statement_count"),
            proposals=Sum("proposal_count"),
        )
    }
    sessions = {
        row["agenda__organisation_id"]: row["n"]
        for row in Session.objects.filter(agenda__disclosure__in=levels)
        .exclude(agenda__status="draft")
        .values("agenda__organisation_id")
        .annotate(n=Count("pk"))
    }
    rows = []
    for org in (
        Organisation.objects.filter(
            kind__in=[Organisation.Kind.METROPOLITAN, Organisation.Kind.LOCAL]
        )
        .select_related("profile", "parent")
        .order_by("name")
    ):
        profile = getattr(org, "profile", None)
        fig: Any = figures.get(org.pk, {})
        rows.append(
            MunicipalityRow(
                organisation=org,
                profile=profile,
                partners=list(profile.exchange_partners) if profile else [],
                sessions=sessions.get(org.pk, 0),
                digests=fig.get("n", 0) or 0,
                participants=fig.get("people", 0) or 0,
                statements=fig.get("statements", 0) or 0,
                proposals=fig.get("proposals", 0) or 0,
                answered=fig.get("answered", 0) or 0,
                overdue=fig.get("overdue", 0) or 0,
            )
        )
    return rows


# ---------------------------------------------------------------- answers


@dataclasses.dataclass
class AnswerThread:
    """The answers to one target (the digest, or one proposal), newest first."""

    proposal_id: int | None
    about: str
    current: MinistryResponse
    history: list[MinistryResponse]


def answer_threads(digest: Digest) -> list[AnswerThread]:
    responses = list(
        MinistryResponse.objects.filter(digest=digest)
        .select_related("author")
        .order_by("-created_at", "-pk")
    )
    grouped: dict[int | None, list[MinistryResponse]] = {}
    for response in responses:
        grouped.setdefault(response.proposal_id, []).append(response)
    threads = []
    for proposal_id, items in grouped.items():
        threads.append(
            AnswerThread(
                proposal_id=proposal_id,
                about=items[0].proposal_title or digest.title,
                current=items[0],
                history=items[1:],
            )
        )
    threads.sort(key=lambda t: (t.proposal_id is not None, t.proposal_id or 0))
    return threads


def session_answers(user: Any, session: Session) -> list[tuple[Digest, list[AnswerThread]]]:
    """Answers to this session's (and its agenda's) digests that this person may see."""
    digests = list(
        Digest.objects.filter(status=Digest.Status.PUBLISHED)
        .filter(Q(session=session) | Q(scope=Digest.Scope.AGENDA, agenda_id=session.agenda_id))
        .select_related("agenda", "agenda__organisation", "session")
    )
    if not digests:
        return []
    participant = took_part(user, session)
    out = []
    for digest in digests:
        if not permissions.can_see_answers(user, digest, participant=participant):
            continue
        threads = answer_threads(digest)
        if threads:
            out.append((digest, threads))
    return out


# ---------------------------------------------------------------- notifications


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_for(user: Any, limit: int = 50) -> list[Notification]:
    return list(Notification.objects.filter(user=user)[:limit])


# ---------------------------------------------------------------- the record behind a digest


@dataclasses.dataclass(frozen=True)
class RecordStatement:
    """A statement as the session record shows it (and a citation points to it)."""

    id: int
    session_id: int
    seq: int | None
    text: str
    nickname: str
    at: dt.datetime | None
    stance: str


def record_statements(records_: list[Any]) -> list[RecordStatement]:
    from deliberation.analysis.cleaning import clean_for_digest
    from deliberation.people.models import User

    names = dict(
        User.objects.filter(pk__in={r.author_id for r in records_ if r.author_id}).values_list(
            "pk", "nickname"
        )
    )
    return [
        RecordStatement(
            id=r.id,
            session_id=r.session_id,
            seq=r.seq,
            text=clean_for_digest(r.text),
            nickname=clean_for_digest(names.get(r.author_id) or ""),
            at=r.created_at,
            stance=r.stance or "",
        )
        for r in records_
    ]


def session_record(session: Session) -> list[RecordStatement]:
    """The session's statements as residents saw them (hidden and pending ones left out)."""
    from deliberation.analysis import records

    return record_statements(records.load_statements([session.pk]))


def digest_session_ids(digest: Digest) -> list[int]:
    ids = (digest.content or {}).get("session_ids") or []
    if not ids and digest.session_id:
        ids = [digest.session_id]
    return [int(i) for i in ids]


def digest_keyword_statements(digest: Digest, word: str) -> list[RecordStatement]:
    """The statements of the digest that use one of its keywords (visible ones only)."""
    from deliberation.analysis import records

    wanted: set[int] = set()
    for item in (digest.content or {}).get("keywords") or []:
        if isinstance(item, dict) and (item.get("term") or item.get("word")) == word:
            wanted.update(i for i in item.get("statement_ids") or [] if isinstance(i, int))
    if not wanted:
        return []
    found = [s for s in records.load_statements(digest_session_ids(digest)) if s.id in wanted]
    return record_statements(found)
