"""Fixtures for the analysis tests: the real Okt analyser, and bill texts as statements."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from deliberation.analysis import sources
from deliberation.analysis.analyzer import OktAnalyzer, get_analyzer

KOBILL_DIR = Path(__import__("konlpy").__file__).parent / "data" / "corpus" / "kobill"
# Each bill's subject, as the nouns its title is about.
KOBILL_SUBJECTS = {
    "1809890.txt": {"육아휴직", "공무원"},
    "1809891.txt": {"육아휴직", "공무원"},
    "1809892.txt": {"육아휴직", "교육"},
    "1809893.txt": {"육아휴직", "근로자"},
    "1809894.txt": {"간호사", "학위"},
    "1809895.txt": {"하도급", "수급사업자"},
    "1809896.txt": {"행정", "국민"},
    "1809897.txt": {"국군", "파견"},
    "1809898.txt": {"소말리아", "파견"},
    "1809899.txt": {"결혼", "중개"},
}


def kobill_sentences(name: str) -> list[str]:
    """A bill's body split into sentences, the way a resident's statements would come."""
    text = (KOBILL_DIR / name).read_text(encoding="utf-8")
    text = re.sub(r"\s*\n\s*", " ", text)
    parts = re.split(r"(?<=[.다함음])\s+|(?<=임\.)\s*", text)
    return [p.strip() for p in parts if len(p.strip()) >= 15]


@pytest.fixture(scope="session")
def okt() -> OktAnalyzer:
    analyzer = get_analyzer("okt")
    assert isinstance(analyzer, OktAnalyzer)
    analyzer.warm_up()
    return analyzer


@pytest.fixture
def fake_statement_source() -> Iterator[dict[int, sources.SourceText]]:
    """Let the worker read statement texts from a dict (for tests of the queue alone)."""
    texts: dict[int, sources.SourceText] = {}
    original = sources.SOURCES["statement"]
    sources.SOURCES["statement"] = lambda ids: {i: texts[i] for i in ids if i in texts}
    yield texts
    sources.SOURCES["statement"] = original
