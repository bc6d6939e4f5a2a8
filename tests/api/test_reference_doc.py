"""docs/api.md's reference section is the one generated from the served document."""

from __future__ import annotations

from pathlib import Path

from django.test import Client

from deliberation.api.reference import END, START, rewrite

ROOT = Path(__file__).resolve().parents[2]


def test_docs_api_md_matches_the_generated_document(client: Client) -> None:
    document = client.get("/api/openapi.json").json()
    path = ROOT / "docs" / "api.md"
    text = path.read_text(encoding="utf-8")
    assert START in text and END in text
    assert rewrite(path, document) == text, "run: python manage.py api_reference --write"
    assert "Authorization: Bearer" in text
