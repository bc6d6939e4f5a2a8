"""The analysis bench's report: its own section of docs/benchmarks.md, nothing else."""

from __future__ import annotations

from pathlib import Path

from benchmarks.analysis_bench import END, START, resident_texts, update_doc

RESULT = {
    "analyser": "okt",
    "ingest": {
        "statements": 15699,
        "seconds": 40.0,
        "statements_per_s": 392.5,
        "worker_cold_start_s": 3.1,
        "enqueue_ms_mean": 1.2,
        "enqueue_ms_p99": 4.0,
    },
    "digest": [
        {"statements": 1000, "seconds_median": 0.2, "seconds_runs": [0.2, 0.21]},
        {"statements": 10000, "seconds_median": 1.9, "seconds_runs": [1.9, 2.0]},
    ],
    "digest_10k_target_s": 5.0,
    "digest_10k_met": True,
    "live_digest": {"statements": 10000, "first_build_s": 1.1, "refresh_s": 0.05},
}
META = {"date": "2026-11-25 04:00 UTC", "git_commit": "abc", "machine": {"cpu": "x", "cores": 2}}


def test_the_section_replaces_only_itself(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nLive-room table stays.\n", encoding="utf-8")
    update_doc(RESULT, META, doc)
    update_doc({**RESULT, "digest_10k_met": False}, META, doc)
    text = doc.read_text(encoding="utf-8")
    assert text.count(START) == 1 and text.count(END) == 1
    assert "Live-room table stays." in text
    assert "| 10,000 | 1.90 s |" in text
    assert "NOT met" in text


def test_resident_texts_use_the_right_particles() -> None:
    texts = " ".join(resident_texts(400))
    assert ("기숙사은" not in texts and "기숙사를" in texts) or "기숙사" not in texts
    assert "장학금이" in texts or "장학금을" in texts
    assert "장학금가" not in texts and "장학금를" not in texts
