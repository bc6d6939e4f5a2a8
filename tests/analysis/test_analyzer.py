"""The analyser seam: Okt by default, a clearly named fallback, one setting."""

from __future__ import annotations

from typing import Any

from deliberation.analysis import analyzer as analyzer_module
from deliberation.analysis.analyzer import (
    Analyzer,
    FallbackAnalyzer,
    OktAnalyzer,
    analyse_texts,
    get_analyzer,
)


def test_okt_is_the_default(settings: Any) -> None:
    settings.MADANG_ANALYZER = "okt"
    assert isinstance(get_analyzer(), OktAnalyzer)


def test_the_setting_selects_the_fallback(settings: Any) -> None:
    settings.MADANG_ANALYZER = "fallback"
    chosen = get_analyzer()
    assert isinstance(chosen, FallbackAnalyzer)
    assert isinstance(chosen, Analyzer)


def test_a_dotted_path_selects_any_class(settings: Any) -> None:
    settings.MADANG_ANALYZER = "deliberation.analysis.analyzer.FallbackAnalyzer"
    analyzer_module._build.cache_clear()
    assert get_analyzer().name == "fallback"


def test_okt_finds_nouns_and_phrases(okt: OktAnalyzer) -> None:
    (a, b) = analyse_texts(
        ["지역 청년들이 해외 일자리를 얻을 수 있도록 지원해야 합니다", ""], analyzer=okt
    )
    assert {"청년", "해외", "일자리"} <= set(a.nouns)
    assert "해외 일자리" in a.phrases
    assert b.nouns == [] and b.phrases == []


def test_okt_survives_a_wall_of_jamo(okt: OktAnalyzer) -> None:
    (a,) = analyse_texts(["ㅋ" * 50_000 + " 교류 " + "ㅠ" * 50_000], analyzer=okt)
    assert a.nouns == ["교류"]


def test_fallback_keeps_nouns_and_drops_particles_and_verbs() -> None:
    (a,) = FallbackAnalyzer().analyse(["자매도시와의 교류 프로그램을 더 늘렸으면 좋겠어요"])
    assert a.nouns == ["자매도시", "교류", "프로그램"]
    assert "교류 프로그램" in a.phrases


def test_okt_nouns_glued_to_the_subject_particle_are_split(okt: OktAnalyzer) -> None:
    # Okt's dictionary has "지원이" (a given name); residents mean 지원 + 이.
    (a, b) = analyse_texts(["통역 지원이 더 필요합니다", "어린이 교육 지원"], analyzer=okt)
    assert a.nouns == ["통역", "지원"]
    assert "통역 지원" in a.phrases
    assert "어린이" in b.nouns
