"""``manage.py opinion_groups DIR``: group a Pol.is export's participants as the rooms do.

Reads ``DIR/votes.csv`` and ``DIR/comments.csv`` and prints one JSON object::

    {"groups": {"<participant id>": <group>}, "consensus": [comment ids],
     "representative": {"<group>": [comment ids]}, "ms": <compute time>}

with the same ``deliberation.opinions.math.compute`` the live rooms call. Participants
with fewer than ``min(7, comments)`` votes are left out of ``groups`` (Pol.is's rule),
unless fewer than 15 qualify, when the most active voters are added up to 15.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.core.management.base import BaseCommand, CommandError

from deliberation.opinions.math import compute
from deliberation.opinions.polis_files import PolisFilesError, read_polis_dir


class Command(BaseCommand):
    help = "Group the participants of a Pol.is export (votes.csv, comments.csv); print JSON."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory", help="folder holding votes.csv and comments.csv")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            conversation = read_polis_dir(options["directory"])
        except PolisFilesError as exc:
            raise CommandError(str(exc)) from exc
        result = compute(
            conversation.votes,
            statements=conversation.statements,
            excluded=conversation.moderated_out,
        )
        out = {
            "groups": {str(p): g for p, g in sorted(result.membership.items())},
            "consensus": [c.statement for c in result.consensus],
            "representative": {
                str(g.id): [r.statement for r in g.representative] for g in result.groups
            },
            "ms": round(result.ms, 1),
        }
        self.stdout.write(orjson.dumps(out).decode())
