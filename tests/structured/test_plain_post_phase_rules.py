"""The room's plain statement.post keeps the deliberation's phase matrix too."""

from __future__ import annotations

from typing import Any

import pytest

from deliberation.agendas.models import Session
from deliberation.live import services as live_services
from deliberation.live.errors import ActionError
from deliberation.live.models import Statement
from deliberation.structured.models import PhaseKind

from .conftest import run_phase


def test_a_stance_during_the_vote_is_refused_and_nothing_is_stored(
    delib: Session, residents: list[Any]
) -> None:
    run_phase(delib, PhaseKind.VOTE)
    with pytest.raises(ActionError) as refused:
        live_services.statement_post(
            actor=residents[0],
            session_id=delib.pk,
            client_msg_id="m-1",
            text="저는 찬성합니다",
            stance="for",
        )
    assert refused.value.code == "forbidden"
    assert "의견 나누기" in refused.value.message
    assert not Statement.objects.filter(session=delib).exists()


def test_a_stance_during_the_discussion_is_stored(delib: Session, residents: list[Any]) -> None:
    run_phase(delib, PhaseKind.DISCUSSION)
    result = live_services.statement_post(
        actor=residents[0],
        session_id=delib.pk,
        client_msg_id="m-2",
        text="저는 찬성합니다",
        stance="for",
    )
    assert Statement.objects.get(pk=result.statement_id).stance == "for"


def test_plain_text_without_a_stance_is_not_held_to_the_matrix(
    delib: Session, residents: list[Any]
) -> None:
    run_phase(delib, PhaseKind.VOTE)
    result = live_services.statement_post(
        actor=residents[0], session_id=delib.pk, client_msg_id="m-3", text="투표 방법이 궁금해요"
    )
    assert result.status == Statement.Status.VISIBLE
