"""Digests and answers as JSON data: the API (deliberation.api) and webhook payloads."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from .document import digest_document
from .models import Digest, MinistryResponse


def _iso(value: Any) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def response_dict(response: MinistryResponse) -> dict[str, Any]:
    return {
        "id": response.pk,
        "digest_id": response.digest_id,
        "proposal_id": response.proposal_id,
        "proposal_title": response.proposal_title or None,
        "status": response.status,
        "status_label": str(response.get_status_display()),
        "text": response.text,
        "created_at": _iso(response.created_at),
    }


def digest_summary_dict(digest: Digest) -> dict[str, Any]:
    return {
        "id": digest.pk,
        "scope": digest.scope,
        "title": digest.title,
        "municipality": {"id": digest.organisation_id, "name": str(digest.organisation)},
        "topic": digest.topic,
        "topic_label": str(digest.get_topic_display()),
        "disclosure": digest.disclosure,
        "held_at": _iso(digest.held_at),
        "published_at": _iso(digest.published_at),
        "participants": digest.participant_count,
        "participation_modes": digest.participation_modes,
        "statements": digest.statement_count,
        "proposals": digest.proposal_count,
        "keywords": [k["word"] for k in (digest.keywords or [])[:10]],
    }


def digest_detail_dict(digest: Digest, answers: list[Any]) -> dict[str, Any]:
    doc = digest_document(digest)
    data = digest_summary_dict(digest)
    data.update(
        {
            "status": digest.status,
            "summary": doc.summary,
            "sections": [
                {
                    "key": s.key,
                    "title": s.title,
                    "paragraphs": s.paragraphs,
                    "lines": [{"text": line.text, "sources": line.sources} for line in s.lines],
                    "tables": [{"headers": t.headers, "rows": t.rows} for t in s.tables],
                    "note": s.note,
                }
                for s in doc.sections
            ],
            "content": digest.content,
            "responses": [
                response_dict(r) for thread in answers for r in [thread.current, *thread.history]
            ],
        }
    )
    return data
