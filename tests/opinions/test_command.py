"""``manage.py opinion_groups DIR`` on the two real Pol.is conversations kept in the repo."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from deliberation.opinions.math import adjusted_rand_index

DATA = Path(__file__).parent / "data" / "polis"


def polis_groups(name: str) -> dict[int, int]:
    with (DATA / name / "participants-votes.csv").open(encoding="utf-8") as handle:
        return {
            int(row["participant"]): int(row["group-id"])
            for row in csv.DictReader(handle)
            if row["group-id"] != ""
        }


def run(directory: Path) -> dict:
    out = io.StringIO()
    call_command("opinion_groups", str(directory), stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize(
    ("name", "grouped"),
    [
        ("15-per-hour-seattle", 138),
        # Pol.is keeps 8 more: people with 1-6 votes it grouped while the conversation
        # had fewer than 7 comments, and never let go of (its state persists).
        ("brexit-consensus", 189),
    ],
)
def test_groups_agree_with_polis(name: str, grouped: int) -> None:
    result = run(DATA / name)
    assert set(result) == {"groups", "consensus", "representative", "ms"}
    mine = {int(p): g for p, g in result["groups"].items()}
    assert len(mine) == grouped
    assert adjusted_rand_index(mine, polis_groups(name)) >= 0.8
    assert set(result["representative"]) == {str(g) for g in set(mine.values())}
    comments = {
        int(row["comment-id"]): int(row["moderated"])
        for row in csv.DictReader((DATA / name / "comments.csv").open(encoding="utf-8"))
    }
    shown = result["consensus"] + [c for ids in result["representative"].values() for c in ids]
    assert shown and all(comments[c] >= 0 for c in shown)  # none moderated out
    assert isinstance(result["ms"], float)


def test_a_folder_without_votes_is_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"votes\.csv is missing"):
        run(tmp_path)


def test_a_bad_vote_is_refused_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "votes.csv").write_text(
        "timestamp,datetime,comment-id,voter-id,vote\n1,x,0,0,1\n2,x,0,1,5\n", encoding="utf-8"
    )
    (tmp_path / "comments.csv").write_text(
        "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
        "1,x,0,0,1,0,1,hello\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match=r"votes.csv:3: vote 5"):
        run(tmp_path)
