"""Fixtures for digests: jobs run inline, a digest at any stage of its life."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from deliberation.agendas.models import Disclosure
from deliberation.digests import jobs, services, tasks, webhooks
from deliberation.digests.models import Digest

# A builder result of the same shape as deliberation.analysis.content.DigestContent.
SAMPLE_CONTENT: dict[str, Any] = {
    "scope": "session",
    "agenda_id": 0,
    "session_ids": [],
    "title": "자유발언대 1회차",
    "agenda_title": "지역 청년 해외 일자리",
    "municipality": "전라북도",
    "topic": "youth_jobs",
    "disclosure": "public",
    "period_start": "2026-11-20T14:00:00+09:00",
    "period_end": "2026-11-20T15:00:00+09:00",
    "generated_at": "2026-11-20T15:05:00+09:00",
    "participation": {
        "people": 12,
        "statements": 40,
        "proposals": 2,
        "reactions": 55,
        "by_municipality": [{"key": "전주시", "label": "전주시", "count": 9}],
        "by_age_band": [{"key": "20s", "label": "20대", "count": 7}],
        "activity": [
            {
                "start": "2026-11-20T14:00:00+09:00",
                "label": "14:00",
                "statements": 10,
                "reactions": 4,
            },
            {
                "start": "2026-11-20T14:05:00+09:00",
                "label": "14:05",
                "statements": 30,
                "reactions": 51,
            },
        ],
        "activity_svg": "<svg></svg>",
    },
    "keywords": [
        {"term": "청년", "score": 2.5, "count": 12, "statement_ids": [1, 2]},
        {"term": "일자리", "score": 2.1, "count": 9, "statement_ids": [2, 3]},
        {"term": "해외취업", "score": 1.2, "count": 4, "statement_ids": [3]},
    ],
    "key_statements": [
        {
            "stance": "for",
            "label": "찬성",
            "count": 20,
            "lines": [
                {
                    "text": "청년 해외 일자리 박람회를 도에서 열어 주세요.",
                    "stance": "for",
                    "statement_id": 1,
                    "seq": 3,
                    "score": 0.4,
                    "citations": [{"statement_id": 1, "seq": 3}, {"statement_id": 2, "seq": 5}],
                }
            ],
        }
    ],
    "proposals": [
        {
            "id": 501,
            "title": "해외 인턴십 지원금",
            "summary": "도 예산으로 지원",
            "status": "open",
            "supporters": 8,
            "merged_from": [],
            "votes": 6,
            "points": None,
            "rank": 1,
        },
    ],
    "vote": None,
    "polls": [],
    "floor": {"speakers": 3, "turns": 4, "total_seconds": 420, "by_speaker": []},
    "moderation": {"total": 1, "by_kind": [{"key": "hide", "label": "숨김", "count": 1}]},
    "conclusion": {"text": "도와 협의해 박람회를 검토한다.", "updated_at": None},
    "analysed_statements": 40,
    "pending_analysis": 0,
    "schema": 1,
}


class FakeContent:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(self.data)


@pytest.fixture(autouse=True)
def inline_jobs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, dict[str, Any]]]:
    """Queued tasks run at once, on the test's thread and transaction.

    A task deferred to a later time runs at once too, as if that time had come; the
    delays asked for are recorded in ``delays``.
    """
    ran: list[tuple[Any, dict[str, Any]]] = []
    clock: dict[str, Any] = {"now": None}

    def enqueue(task: Any, *, run_after: Any = None, **kwargs: Any) -> None:
        ran.append((task, kwargs))
        if task is tasks.deliver_webhook:
            if run_after is not None:
                then = clock["now"] or timezone.now()
                DELAYS.append(round((run_after - then).total_seconds(), 1))
                clock["now"] = run_after
            webhooks.deliver(now=clock["now"], **kwargs)
        else:
            task.call(**kwargs)

    DELAYS.clear()
    monkeypatch.setattr(jobs, "enqueue", enqueue)
    return ran


DELAYS: list[float] = []


@pytest.fixture
def content_builder(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Replace the analysis builder by one returning ``state["content"]`` (with progress)."""
    state: dict[str, Any] = {"content": copy.deepcopy(SAMPLE_CONTENT), "fail": False}

    def build(digest: Digest, progress: Callable[..., None]) -> dict[str, Any]:
        if state["fail"]:
            raise RuntimeError("builder broke")
        for fraction, label in ((0.1, "발언을 불러오는 중"), (0.5, "요약하는 중"), (1.0, "완료")):
            progress(fraction, label)
        data = copy.deepcopy(state["content"])
        data["session_ids"] = [digest.session_id] if digest.session_id else []
        return services.scrub_content(data)

    monkeypatch.setattr(services, "_build_content", build)
    monkeypatch.setattr(
        services,
        "_cited_sources",
        lambda digest, content: {
            "1": {"seq": 3, "text": "청년 해외 일자리 박람회를 도에서 열어 주세요."},
            "2": {"seq": 5, "text": "박람회에 지방대학도 함께하면 좋겠습니다."},
        },
    )
    return state


@pytest.fixture
def make_digest(
    content_builder: dict[str, Any],
    session_factory: Any,
    facilitator_factory: Any,
    django_capture_on_commit_callbacks: Any,
) -> Callable[..., Digest]:
    """A digest of a new session, taken to ``status`` (draft, approved or published)."""

    def make(
        status: str = Digest.Status.PUBLISHED,
        *,
        disclosure: str = Disclosure.PUBLIC,
        session: Any = None,
        content: dict[str, Any] | None = None,
        **agenda_fields: Any,
    ) -> Digest:
        if content is not None:
            content_builder["content"] = content
        if session is None:
            session = session_factory(
                agenda__disclosure=disclosure,
                **{f"agenda__{k}": v for k, v in agenda_fields.items()},
            )
        actor = facilitator_factory(organisation=session.agenda.organisation)
        with django_capture_on_commit_callbacks(execute=True):
            digest = services.digest_generate(actor=actor, session=session)
        digest.refresh_from_db()
        if status in (Digest.Status.APPROVED, Digest.Status.PUBLISHED):
            digest = services.digest_approve(actor=actor, digest=digest)
        if status == Digest.Status.PUBLISHED:
            with django_capture_on_commit_callbacks(execute=True):
                digest = services.digest_publish(actor=actor, digest=digest)
        digest.refresh_from_db()
        digest.test_facilitator = actor  # type: ignore[attr-defined]
        return digest

    return make
