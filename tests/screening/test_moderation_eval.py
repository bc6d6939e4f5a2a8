"""``manage.py moderation_eval``: one JSON object, from the server's own model and threshold."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from sklearn.metrics import f1_score

from deliberation.screening.model import get_screener

FIXTURE = Path(__file__).parent / "fixtures" / "small.tsv"


def run(path: Path) -> dict[str, object]:
    out = io.StringIO()
    call_command("moderation_eval", str(path), stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1  # exactly one JSON object, nothing else
    return json.loads(lines[0])


def test_prints_the_figures_of_a_small_fixture() -> None:
    result = run(FIXTURE)
    assert list(result) == [
        "macro_f1_3class",
        "macro_f1_binary",
        "flag_precision",
        "flag_recall",
        "ms_per_statement",
        "n",
    ]
    assert result["n"] == 6
    # The three insults are flagged, the three heated-but-civil statements are not.
    assert result["flag_precision"] == 1.0 and result["flag_recall"] == 1.0
    assert float(result["ms_per_statement"]) > 0  # type: ignore[arg-type]
    # The F1 figures are those of the server's own classes, computed independently here.
    rows = [line.split("\t") for line in FIXTURE.read_text().splitlines()[1:]]
    truth = [r[3] for r in rows]
    predicted = [s.label for s in get_screener().score([r[0] for r in rows])]
    assert result["macro_f1_3class"] == round(
        f1_score(truth, predicted, average="macro", labels=["hate", "offensive", "none"]), 4
    )
    assert result["macro_f1_binary"] == round(
        f1_score([t != "none" for t in truth], [p != "none" for p in predicted], average="macro"),
        4,
    )


def test_uses_the_servers_model_and_threshold() -> None:
    screener = get_screener()
    texts = [line.split("\t")[0] for line in FIXTURE.read_text().splitlines()[1:]]
    flagged = [s.flagged for s in screener.score(texts)]
    assert flagged == [True, True, True, False, False, False]
    assert 0.5 <= screener.threshold < 1


def test_bad_input_gets_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        call_command("moderation_eval", str(tmp_path / "missing.tsv"))
    wrong = tmp_path / "wrong.tsv"
    wrong.write_text("text\tlabel\n안녕하세요\tnone\n", encoding="utf-8")
    with pytest.raises(CommandError, match="missing column"):
        call_command("moderation_eval", str(wrong))
    bad_label = tmp_path / "bad.tsv"
    bad_label.write_text("comments\thate\n안녕하세요\tmaybe\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 2"):
        call_command("moderation_eval", str(bad_label))
    empty = tmp_path / "empty.tsv"
    empty.write_text("comments\thate\n", encoding="utf-8")
    with pytest.raises(CommandError, match="no rows"):
        call_command("moderation_eval", str(empty))
