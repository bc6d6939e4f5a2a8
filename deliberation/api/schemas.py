"""The shapes the API answers with; the OpenAPI document is generated from them."""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from ninja import Schema
from pydantic import Field

T = TypeVar("T")


class ErrorBody(Schema):
    code: str = Field(description="unauthenticated, forbidden, not_found, invalid")
    message: str = Field(description="한국어 설명")


class Error(Schema):
    error: ErrorBody


class Page(Schema, Generic[T]):
    count: int = Field(description="거른 결과 전체 수")
    page: int
    page_size: int
    pages: int
    results: list[T]


class OrganisationRef(Schema):
    id: int
    name: str


class SessionRef(Schema):
    id: int
    title: str
    kind: str
    state: str
    starts_at: str


class Agenda(Schema):
    id: int
    title: str
    description_html: str = Field(description="정제된 HTML(화면과 같음)")
    municipality: OrganisationRef
    topic: str
    topic_label: str
    disclosure: Literal["public", "internal", "restricted"]
    status: str
    created_at: str
    sessions: list[SessionRef]


class Statement(Schema):
    id: int
    seq: int | None = Field(description="회의실의 순번(안정적인 순서)")
    nickname: str
    text: str
    stance: str | None
    on_stage: bool
    parent_id: int | None
    created_at: str | None


class Proposal(Schema):
    id: int
    title: str
    body_html: str
    author: str = Field(description="제안자의 닉네임")
    status: str
    merged_into: int | None
    supporters: int
    edited: bool


class SessionSummary(Schema):
    id: int
    agenda_id: int
    title: str
    kind: str
    state: str
    municipality: OrganisationRef
    disclosure: Literal["public", "internal", "restricted"]
    starts_at: str
    ends_at: str | None
    venue: str


class SessionRecord(SessionSummary):
    statements: list[Statement] = Field(description="주민에게 보이는 그대로의 공개 발언")
    proposals: list[Proposal]
    results: dict[str, Any] | None = Field(
        description="회의가 끝난 뒤 확정된 투표·설문 결과(끝나기 전에는 null)"
    )


class Response(Schema):
    id: int
    digest_id: int
    proposal_id: int | None
    proposal_title: str | None
    status: Literal["reviewing", "adopted", "partly", "not_adopted"]
    status_label: str
    text: str
    created_at: str | None


class ResponseIn(Schema):
    status: Literal["reviewing", "adopted", "partly", "not_adopted"]
    text: str = Field(min_length=1, max_length=10000)
    proposal_id: int | None = Field(default=None, ge=1, le=2**53)


class DigestSummary(Schema):
    id: int
    scope: Literal["session", "agenda"]
    title: str
    municipality: OrganisationRef
    topic: str
    topic_label: str
    disclosure: Literal["public", "internal", "restricted"]
    held_at: str | None
    published_at: str | None
    participants: int
    statements: int
    proposals: int
    keywords: list[str]


class Digest(DigestSummary):
    status: str
    summary: str
    sections: list[dict[str, Any]]
    content: dict[str, Any]
    responses: list[Response]


class Responses(Schema):
    results: list[Response]


class ProgrammeKind(Schema):
    slug: str
    name: str = Field(description="유형 이름(한국어)")
    name_en: str


class ProgrammeSummary(Schema):
    id: int
    title: str
    organisation: OrganisationRef = Field(description="주관 기관")
    kind: ProgrammeKind
    target_groups: list[str] = Field(description="대상 코드(youth, students ...)")
    starts_on: str | None = Field(description="시작일(YYYY-MM-DD)")
    ends_on: str | None = Field(description="종료일(YYYY-MM-DD)")
    budget_krw: int | None
    funding: Literal["general", "fund", "private"]
    stage: Literal["preparing", "pioneering", "advanced"]
    status: Literal["planned", "running", "finished", "suspended"]
    disclosure: Literal["public", "internal", "restricted"]
    updated_at: str


class SimilarProgramme(Schema):
    id: int
    title: str
    organisation: OrganisationRef
    score: float = Field(description="유사도(0..1)")
    shared_terms: list[str] = Field(description="유사도를 설명하는 공통 용어")


class Programme(ProgrammeSummary):
    description: str
    goals: str
    partners_domestic: list[str]
    partners_abroad: list[str]
    agenda_ids: list[int] = Field(description="관련 의제 중 호출자가 볼 수 있는 것")
    session_ids: list[int] = Field(description="관련 회의 중 호출자가 볼 수 있는 것")
    similar: list[SimilarProgramme] = Field(
        description="다른 기관의 가장 비슷한 사업(화면과 같음), 유사도 순"
    )
