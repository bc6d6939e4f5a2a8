"""Posting: stored before shown, once per client message id, cleaned and masked."""

from __future__ import annotations

import asyncio

from channels.db import database_sync_to_async

from deliberation.agendas.models import Session
from deliberation.live.models import Statement
from tests.live.conftest import Room, new_resident


@database_sync_to_async
def _statements(**filters: object) -> list[Statement]:
    return list(Statement.objects.filter(**filters).order_by("pk"))


async def test_a_retry_returns_the_original_ack_and_stores_once(room: Room) -> None:
    resident = await new_resident()
    a = await room.join(resident)
    first = await a.ok("statement.post", client_msg_id="same", text="처음 보낸 말")
    again = await a.ok("statement.post", client_msg_id="same", text="처음 보낸 말")
    changed = await a.ok("statement.post", client_msg_id="same", text="다른 내용으로 바꿔치기")
    assert again["statement_id"] == changed["statement_id"] == first["statement_id"]
    assert again["seq"] == first["seq"] and again["duplicate"] and changed["duplicate"]
    stored = await _statements(author=resident)
    assert [s.text for s in stored] == ["처음 보낸 말"]


async def test_concurrent_retries_from_two_tabs_make_one_statement(room: Room) -> None:
    resident = await new_resident()
    tabs = [await room.join(resident) for _ in range(3)]
    acks = await asyncio.gather(
        *[
            t.ok("statement.post", client_msg_id="race", text="동시에 보낸 같은 말")
            for t in tabs
            for _ in range(2)
        ]
    )
    assert len({a["statement_id"] for a in acks}) == 1
    assert len({a["seq"] for a in acks}) == 1
    assert sum(not a["duplicate"] for a in acks) == 1
    assert len(await _statements(author=resident)) == 1


async def test_text_is_cleaned_limited_and_masked(room: Room) -> None:
    a = await room.join(await new_resident())
    ack = await a.ok(
        "statement.post",
        client_msg_id="c1",
        text="\u202e안녕\u200b하세요\u0007 연락처 010-1234-5678",
    )
    (stored,) = await _statements(pk=ack["statement_id"])
    assert "\u202e" not in stored.text and "\u200b" not in stored.text
    assert "안녕하세요" in stored.text
    assert "1234-5678" not in stored.text
    await a.fail("statement.post", "text_too_long", client_msg_id="c2", text="가" * 1001)
    await a.fail("statement.post", "empty_text", client_msg_id="c3", text=" \u200b\n ")
    await a.fail("statement.post", "bad_field", client_msg_id="c4", text="입장", stance="maybe")
    # 1,000 characters after NFC is fine even when the decomposed input is longer.
    decomposed = "\u1100\u1161" * 1000  # 가 as two jamo each
    await a.ok("statement.post", client_msg_id="c5", text=decomposed)


async def test_html_is_escaped_and_links_are_safe(room: Room) -> None:
    a = await room.join(await new_resident())
    b = await room.join(await new_resident())
    await a.ok(
        "statement.post",
        client_msg_id="x1",
        text="<img src=x onerror=alert(1)> 참고: https://www.mofa.go.kr javascript:alert(1)",
    )
    seen = await b.event("statement.new")
    html = seen["statement"]["html"]
    assert "<img" not in html and "&lt;img" in html
    assert 'href="https://www.mofa.go.kr"' in html and "nofollow" in html
    assert 'href="javascript' not in html


async def test_stance_and_one_level_replies(room: Room) -> None:
    a = await room.join(await new_resident())
    root = await a.ok("statement.post", client_msg_id="r", text="질문 있습니다", stance="question")
    reply = await a.ok(
        "statement.post", client_msg_id="r2", text="답글", parent_id=root["statement_id"]
    )
    nested = await a.ok(
        "statement.post", client_msg_id="r3", text="답글의 답글", parent_id=reply["statement_id"]
    )
    stored = {s.pk: s for s in await _statements(session_id=room.session.pk)}
    assert stored[root["statement_id"]].stance == "question"
    assert stored[reply["statement_id"]].parent_id == root["statement_id"]
    assert stored[nested["statement_id"]].parent_id == root["statement_id"]
    await a.fail("statement.post", "not_found", client_msg_id="r4", text="x", parent_id=999999)


async def test_premoderation_holds_statements_until_approved(room: Room) -> None:
    staff = await room.join(room.facilitator)
    resident = await new_resident()
    r = await room.join(resident)
    other = await room.join(await new_resident())
    await staff.ok("room.premoderation", enabled=True)
    await other.event("room.state", premoderation=True)
    ack = await r.ok("statement.post", client_msg_id="p1", text="승인이 필요한 말")
    assert ack["status"] == "pending" and ack["seq"] is None
    pending = await staff.event("staff.pending")
    assert pending["statement"]["text"] == "승인이 필요한 말"
    mark = len(other.messages)
    approved = await staff.ok("statement.approve", statement_id=ack["statement_id"])
    shown = await other.wait_for(lambda m: m.get("type") == "statement.new", start=mark)
    assert shown["seq"] == approved["seq"]
    assert not any(m.get("type") == "staff.pending" for m in other.messages)
    second = await r.ok("statement.post", client_msg_id="p2", text="거절될 말")
    await staff.ok("statement.reject", statement_id=second["statement_id"], reason="주제와 무관")
    notice = await r.wait_for(lambda m: m.get("type") == "you" and m.get("notice"))
    assert notice["notice"]
    await staff.fail("statement.approve", "conflict", statement_id=second["statement_id"])
    # Staff statements skip the queue.
    assert (await staff.ok("statement.post", client_msg_id="s", text="진행자 안내"))["seq"]


async def test_slow_mode_lock_pause_and_close(room: Room) -> None:
    staff = await room.join(room.facilitator)
    r = await room.join(await new_resident())
    await staff.ok("room.slow_mode", seconds=60)
    await r.ok("statement.post", client_msg_id="s1", text="첫 말")
    slow = await r.fail("statement.post", "slow_mode", client_msg_id="s2", text="둘째 말")
    assert slow["retryable"] and slow["retry_after"] > 0
    await staff.ok("room.slow_mode", seconds=0)
    await staff.ok("room.lock", locked=True)
    await r.fail("statement.post", "room_locked", client_msg_id="s3", text="잠금 중")
    await r.fail("hand.raise", "room_locked")
    await staff.ok("room.lock", locked=False)
    await staff.ok("room.pause")
    await r.event("room.state", state="paused")
    await r.fail("statement.post", "room_closed", client_msg_id="s4", text="정지 중")
    await staff.ok("room.open")
    await r.ok("statement.post", client_msg_id="s5", text="다시 열림")
    await staff.fail("room.open", "bad_transition")
    await staff.ok("room.close")
    await r.event("room.state", state="closed")
    await r.fail("statement.post", "room_closed", client_msg_id="s6", text="종료 후")
    assert (await r.ok("ping"))["now"]  # a closed room stays readable
    state = await database_sync_to_async(lambda: Session.objects.get(pk=room.session.pk).state)()
    assert state == Session.State.CLOSED


async def test_a_new_statement_is_queued_for_analysis_once(room: Room) -> None:
    from deliberation.analysis.models import TextAnalysis

    a = await room.join(await new_resident())
    ack = await a.ok("statement.post", client_msg_id="an", text="지방대학 국제교류를 늘려 주세요")
    await a.ok("statement.post", client_msg_id="an", text="지방대학 국제교류를 늘려 주세요")
    queued = await database_sync_to_async(
        lambda: list(TextAnalysis.objects.values_list("kind", "object_id"))
    )()
    assert queued == [("statement", ack["statement_id"])]
