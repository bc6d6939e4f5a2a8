"""A vote is the opinion map's hot path: its database work stays small and fixed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deliberation.live import actions
from deliberation.live.models import Statement
from deliberation.opinions.models import OpinionRoom, StatementVote
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_vote_and_a_changed_vote_each_take_eight_queries_or_fewer() -> None:
    session = factories.SessionFactory(state="live")
    author, voter = factories.ResidentFactory(), factories.ResidentFactory()
    statement = Statement.objects.create(
        session=session, author=author, client_msg_id="a", text="야간 버스", seq=1
    )
    OpinionRoom.objects.create(session=session, voting=True)
    spec = actions.lookup("opinion.vote")
    assert spec is not None and spec.pooled
    for value, stored in (("agree", 1), ("pass", 0)):
        with CaptureQueriesContext(connection) as ctx:
            ack = actions.run_action(
                spec,
                user_id=voter.pk,
                session_id=session.pk,
                connection_id="c",
                payload={"statement_id": statement.pk, "value": value},
            )
        assert ack == {"statement_id": statement.pk, "value": value}
        assert len(ctx.captured_queries) <= 8, [q["sql"][:80] for q in ctx.captured_queries]
        assert StatementVote.objects.get(person=voter).value == stored
    assert StatementVote.objects.count() == 1


def test_a_residents_own_data_lists_their_votes_on_statements() -> None:
    from deliberation.personal_data.selectors import person_record, record_counts, record_csv

    session = factories.SessionFactory(state="live")
    author, voter = factories.ResidentFactory(), factories.ResidentFactory()
    statement = Statement.objects.create(
        session=session, author=author, client_msg_id="a", text="야간 버스", seq=1
    )
    StatementVote.objects.create(session=session, statement=statement, person=voter, value=-1)
    record = person_record(voter)
    assert record["votes"]["statements"] == [
        {
            "statement_id": statement.pk,
            "session_id": session.pk,
            "value": "비동의",
            "at": record["votes"]["statements"][0]["at"],
        }
    ]
    assert record_counts(record)["votes"] == 1
    assert "발언 투표" in record_csv(record).decode("utf-8")
    assert person_record(author)["votes"]["statements"] == []
