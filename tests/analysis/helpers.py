"""Writing statements straight into a session's record, for digest tests and benchmarks."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

from django.apps import apps
from django.db.models import F

from deliberation.agendas.models import Session
from deliberation.analysis.api import enqueue_analysis

_counter = itertools.count(1)


def statement_model():  # type: ignore[no-untyped-def]
    try:
        return apps.get_model("live", "Statement")
    except LookupError:
        return None


def add_statements(
    session: Session,
    texts: Sequence[str],
    *,
    authors: Sequence[object],
    stances: Sequence[str | None] | None = None,
    start: dt.datetime | None = None,
    every: dt.timedelta = dt.timedelta(seconds=20),
    enqueue: bool = True,
) -> list[object]:
    """Store visible statements with room sequence numbers, as the room would have."""
    model = statement_model()
    assert model is not None
    first_seq = session.last_seq + 1
    Session.objects.filter(pk=session.pk).update(last_seq=F("last_seq") + len(texts))
    session.refresh_from_db(fields=["last_seq"])
    rows = [
        model(
            session=session,
            author=authors[i % len(authors)],
            client_msg_id=f"t{next(_counter)}",
            text=text,
            stance=(stances[i % len(stances)] if stances else None),
            seq=first_seq + i,
        )
        for i, text in enumerate(texts)
    ]
    created = model.objects.bulk_create(rows, batch_size=500)
    if start is not None:
        for i, row in enumerate(created):
            row.created_at = start + every * i
        model.objects.bulk_update(created, ["created_at"], batch_size=500)
    if enqueue:
        for row in created:
            enqueue_analysis("statement", row.pk)
    return created
