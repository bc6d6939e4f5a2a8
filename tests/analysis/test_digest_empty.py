"""A digest of a session where nothing happened is still a valid, empty digest."""

from __future__ import annotations

import orjson
import pytest

from deliberation.analysis.content import DigestContent
from deliberation.analysis.digest import build_agenda_digest, build_session_digest

pytestmark = pytest.mark.django_db


def test_empty_session_digest(session) -> None:  # type: ignore[no-untyped-def]
    steps: list[tuple[float, str]] = []
    content = build_session_digest(session.pk, progress=lambda f, label: steps.append((f, label)))
    assert content.scope == "session"
    assert content.session_ids == [session.pk]
    assert content.participation.statements == 0
    assert content.keywords == [] and content.key_statements == []
    assert steps[-1][0] == 1.0
    assert [f for f, _ in steps] == sorted(f for f, _ in steps)
    assert DigestContent.from_dict(orjson.loads(content.to_json())) == content


def test_agenda_digest_covers_every_session(session_factory, agenda) -> None:  # type: ignore[no-untyped-def]
    first = session_factory(agenda=agenda)
    second = session_factory(agenda=agenda)
    content = build_agenda_digest(agenda.pk)
    assert content.scope == "agenda"
    assert set(content.session_ids) == {first.pk, second.pk}
