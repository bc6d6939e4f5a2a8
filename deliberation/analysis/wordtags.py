"""The word-tag cache: each word's Okt tags kept in the database (``TaggedWord``).

``OktAnalyzer.analyse_by_words`` asks a ``WordTagStore`` for the words it has not tagged
in this process and saves the ones it tags, so a registry whose words are all known is
analysed without starting the JVM. Rows are keyed by the analyser's ``version``
(KoNLPy, Okt's jar, Madang's tag rules): after an upgrade the old rows are not read and
the first save deletes them. The table is bounded: beyond ``MADANG_TAGGED_WORDS_MAX``
rows the least recently used are deleted (a row's use is recorded once a day).

A store that cannot reach its table (no migrations yet, the database down) says so once
in the log and behaves as an empty cache: tagging still works, only slower.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from itertools import islice

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from .analyzer import Tags
from .models import TaggedWord

logger = logging.getLogger(__name__)

MAX_WORD_LENGTH = TaggedWord._meta.get_field("word").max_length or 100
_CHUNK = 500


def _chunks(items: Sequence[str], size: int = _CHUNK) -> list[Sequence[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class DatabaseWordTags:
    """``WordTagStore`` over the ``TaggedWord`` table."""

    def __init__(self, *, max_rows: int | None = None, using: str = "default") -> None:
        self.max_rows = max_rows if max_rows is not None else settings.MADANG_TAGGED_WORDS_MAX
        self.using = using
        self._failed = False
        self._swept: set[str] = set()

    def load(self, version: str, words: Sequence[str]) -> dict[str, Tags]:
        wanted = [w for w in words if len(w) <= MAX_WORD_LENGTH]
        if self._failed or not wanted:
            return {}
        today = timezone.localdate()
        found: dict[str, Tags] = {}
        stale: list[int] = []
        try:
            with transaction.atomic(using=self.using):
                rows = TaggedWord.objects.using(self.using).filter(analyser=version)
                for chunk in _chunks(wanted):
                    for pk, word, tags, used_on in rows.filter(word__in=chunk).values_list(
                        "pk", "word", "tags", "used_on"
                    ):
                        found[word] = tuple((str(w), str(t)) for w, t in tags)
                        if used_on < today:
                            stale.append(pk)
                for i in range(0, len(stale), _CHUNK):
                    TaggedWord.objects.using(self.using).filter(
                        pk__in=stale[i : i + _CHUNK]
                    ).update(used_on=today)
        except DatabaseError as exc:
            self._fail(exc)
            return {}
        return found

    def save(self, version: str, tags: Mapping[str, Tags]) -> None:
        if self._failed or not tags:
            return
        today = timezone.localdate()
        rows = (
            TaggedWord(analyser=version, word=word, tags=[list(p) for p in tagged], used_on=today)
            for word, tagged in tags.items()
            if len(word) <= MAX_WORD_LENGTH
        )
        try:
            with transaction.atomic(using=self.using):
                manager = TaggedWord.objects.using(self.using)
                if version not in self._swept:
                    manager.exclude(analyser=version).delete()
                    self._swept.add(version)
                while batch := list(islice(rows, _CHUNK)):
                    manager.bulk_create(batch, ignore_conflicts=True)
                self._prune()
        except DatabaseError as exc:
            self._fail(exc)

    def _prune(self) -> None:
        """Delete the least recently used rows beyond ``max_rows``."""
        manager = TaggedWord.objects.using(self.using)
        excess = manager.count() - self.max_rows
        if excess <= 0:
            return
        oldest = list(manager.order_by("used_on", "id").values_list("pk", flat=True)[:excess])
        for i in range(0, len(oldest), _CHUNK):
            manager.filter(pk__in=oldest[i : i + _CHUNK]).delete()

    def _fail(self, exc: DatabaseError) -> None:
        self._failed = True
        logger.warning(
            "word-tag cache unavailable, tagging without it (%s); run manage.py migrate", exc
        )


def word_tag_store() -> DatabaseWordTags:
    """The store the overlap engine's callers use (server, demo seeding, command)."""
    return DatabaseWordTags()
