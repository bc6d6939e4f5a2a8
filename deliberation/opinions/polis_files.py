"""Reading a Pol.is export directory (``votes.csv``, ``comments.csv``) into votes.

Pol.is's open-data exports list every vote with its time; a participant who voted
twice on a statement counts with their last vote, as in Pol.is. Comments moderated out
(``moderated`` = -1) are excluded from the grouping, as Pol.is excludes them.
"""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

from .math import Vote


class PolisFilesError(ValueError):
    """The directory is not a readable Pol.is export."""


@dataclasses.dataclass(frozen=True)
class PolisConversation:
    votes: list[Vote]
    statements: list[int]
    moderated_out: list[int]


def read_polis_dir(directory: str | Path) -> PolisConversation:
    root = Path(directory)
    votes_path, comments_path = root / "votes.csv", root / "comments.csv"
    for path in (votes_path, comments_path):
        if not path.is_file():
            raise PolisFilesError(f"{path} is missing")
    latest: dict[tuple[int, int], tuple[int, int]] = {}
    with votes_path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        _need(reader.fieldnames, {"comment-id", "voter-id", "vote"}, votes_path)
        for line, row in enumerate(reader, start=2):
            try:
                key = (int(row["voter-id"]), int(row["comment-id"]))
                value = int(float(row["vote"]))
                stamp = int(float(row.get("timestamp") or line))
            except (TypeError, ValueError) as exc:
                raise PolisFilesError(f"{votes_path}:{line}: {exc}") from exc
            if value not in (-1, 0, 1):
                raise PolisFilesError(f"{votes_path}:{line}: vote {value} is not 1, -1 or 0")
            if key not in latest or stamp >= latest[key][0]:
                latest[key] = (stamp, value)
    statements: list[int] = []
    moderated_out: list[int] = []
    with comments_path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        _need(reader.fieldnames, {"comment-id", "moderated"}, comments_path)
        for line, row in enumerate(reader, start=2):
            try:
                comment = int(row["comment-id"])
                moderated = int(row["moderated"] or 0)
            except (TypeError, ValueError) as exc:
                raise PolisFilesError(f"{comments_path}:{line}: {exc}") from exc
            (moderated_out if moderated < 0 else statements).append(comment)
    votes = [Vote(p, s, v) for (p, s), (_t, v) in sorted(latest.items())]
    return PolisConversation(votes, sorted(statements), sorted(moderated_out))


def _need(fields: object, names: set[str], path: Path) -> None:
    have = set(fields or [])  # type: ignore[call-overload]
    if not names <= have:
        raise PolisFilesError(f"{path}: columns {sorted(names - have)} are missing")
