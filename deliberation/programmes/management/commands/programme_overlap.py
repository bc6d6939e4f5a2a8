"""``manage.py programme_overlap FILE.csv``: the overlap engine over a spreadsheet.

Reads a CSV with the columns ``id,title,description,organisation`` (description may be
empty) and prints JSON: for each row, in file order, the ids of its most similar rows
with their scores, best first, computed by the same engine as the registry's pages.

Each word's Okt tags are kept in the word-tag cache (``analysis.TaggedWord``): a file
whose words were all seen before (by this command, the server or the demo seeding) is
analysed without starting the JVM; otherwise the JVM starts on a background thread and
tags only the new words while the rows' n-grams are counted.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import time
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from deliberation.analysis.wordtags import word_tag_store
from deliberation.programmes.overlap import Document, OverlapIndex

REQUIRED_COLUMNS = ("id", "title", "description", "organisation")
# One short run: the JVM's quick compiler alone and its serial collector start Okt with
# about a third less CPU than the server defaults (the same tags; the long-running
# analysis worker keeps the defaults). An operator's own JAVA_TOOL_OPTIONS wins.
SHORT_RUN_JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


def read_documents(path: Path) -> list[Document]:
    """The CSV's rows as documents; a clear error for a missing column or a bad row."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise CommandError(
            f"{path}: missing column(s) {', '.join(missing)}; expected {','.join(REQUIRED_COLUMNS)}"
        )
    reader.fieldnames = header
    documents: list[Document] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(reader, start=2):
        key = (row.get("id") or "").strip()
        title = (row.get("title") or "").strip()
        if not key:
            raise CommandError(f"{path}: row {line} has no id")
        if key in seen:
            raise CommandError(f"{path}: row {line} repeats the id {key!r} of row {seen[key]}")
        if not title and not (row.get("description") or "").strip():
            raise CommandError(f"{path}: row {line} has neither title nor description")
        seen[key] = line
        documents.append(
            Document(
                key=key,
                title=title,
                body=(row.get("description") or "").strip(),
                group=(row.get("organisation") or "").strip(),
            )
        )
    return documents


class Command(BaseCommand):
    # A read-only tool over a file: the project's system checks (URLs, every view, the
    # deployment settings) cost a third of a second and say nothing about its input.
    requires_system_checks: list[str] = []
    help = (
        "CSV(id,title,description,organisation)의 각 행과 가장 비슷한 행들을 JSON으로 출력합니다."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", type=Path, help="CSV with columns id,title,description,organisation"
        )
        parser.add_argument("--top", type=int, default=5, help="similar rows per row (default 5)")
        parser.add_argument(
            "--min-score", type=float, default=0.1, help="lowest score listed, 0..1 (default 0.1)"
        )
        parser.add_argument(
            "--across-organisations",
            action="store_true",
            help="only list rows of another organisation",
        )
        parser.add_argument(
            "--explain", action="store_true", help="add the shared terms of each match"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["top"] < 1:
            raise CommandError("--top must be at least 1")
        if not 0.0 <= options["min_score"] <= 1.0:
            raise CommandError("--min-score must be between 0 and 1")
        started = time.perf_counter()
        documents = read_documents(options["file"])
        # The JVM starts (if any word is new to the cache) while the n-grams are counted.
        own_options = "JAVA_TOOL_OPTIONS" not in os.environ
        if own_options:
            os.environ["JAVA_TOOL_OPTIONS"] = SHORT_RUN_JVM_OPTIONS
        try:
            index = OverlapIndex.build(documents, store=word_tag_store())
        finally:
            if own_options:
                os.environ.pop("JAVA_TOOL_OPTIONS", None)
        if options["across_organisations"] or options["explain"]:
            self.stdout.write(
                json.dumps(self._explained(index, options), ensure_ascii=False, indent=1)
            )
        else:
            found = index.top_positions(limit=options["top"], min_score=options["min_score"])
            keys = [str(doc.key) for doc in documents]
            self.stdout.write(
                similar_rows_json(
                    [
                        (key, [(keys[j], score) for j, score in f])
                        for key, f in zip(keys, found, strict=True)
                    ]
                )
            )
        print(
            f"{len(documents)} rows compared in {time.perf_counter() - started:.2f} s",
            file=sys.stderr,
        )

    def _explained(self, index: OverlapIndex, options: dict[str, Any]) -> list[dict[str, Any]]:
        skip = None
        if options["across_organisations"]:
            docs = index.documents

            def skip(i: int, j: int) -> bool:
                return docs[i].group == docs[j].group

        matches = index.top_matches(
            limit=options["top"],
            min_score=options["min_score"],
            skip=skip,
            explain=options["explain"],
        )
        result = []
        for doc, found in zip(index.documents, matches, strict=True):
            similar: list[dict[str, Any]] = []
            for m in found:
                entry: dict[str, Any] = {"id": m.key, "score": m.score}
                if options["explain"]:
                    entry["shared_terms"] = m.shared_terms
                    entry["variants"] = [list(v) for v in m.variants]
                similar.append(entry)
            result.append({"id": doc.key, "similar": similar})
        return result


def similar_rows_json(rows: list[tuple[str, list[tuple[str, float]]]]) -> str:
    """``json.dumps(..., ensure_ascii=False, indent=1)`` of ``[{"id", "similar": [{"id",
    "score"}]}]``, byte for byte, written directly: the standard encoder's indented form
    is pure Python and took longer than comparing the rows."""
    if not rows:
        return "[]"
    text = encode_basestring
    parts = ["["]
    for n, (key, similar) in enumerate(rows):
        parts.append(f'{"," if n else ""}\n {{\n  "id": {text(key)},\n  "similar": ')
        if similar:
            parts.append(
                "[\n"
                + ",\n".join(
                    f'   {{\n    "id": {text(other)},\n    "score": {float.__repr__(score)}\n   }}'
                    for other, score in similar
                )
                + "\n  ]\n }"
            )
        else:
            parts.append("[]\n }")
    parts.append("\n]")
    return "".join(parts)
