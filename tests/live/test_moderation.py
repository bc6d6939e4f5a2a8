"""Facilitation: hide/restore, pin, mute, remove, ban, reports, and the logs."""

from __future__ import annotations

from channels.db import database_sync_to_async

from deliberation.live.models import ModerationAction, Statement
from deliberation.live.selectors import public_moderation_log
from tests.live.conftest import Room, new_resident

SECRET = "숨겨질 문장입니다 비밀"


async def test_hide_removes_it_live_and_from_replay_but_keeps_the_record(room: Room) -> None:
    staff = await room.join(room.facilitator)
    author = await room.join(await new_resident())
    reader = await room.join(await new_resident())
    before = reader.snapshot["seq"]
    ack = await author.ok("statement.post", client_msg_id="h", text=SECRET)
    await reader.event("statement.new", seq=ack["seq"])
    await staff.ok("statement.hide", statement_id=ack["statement_id"], reason="개인 공격")
    hidden = await reader.event("statement.hidden")
    assert hidden["statement_id"] == ack["statement_id"]
    # A resident who resumes or joins now never receives the hidden text.
    late = await room.join(await new_resident(), after=before)
    await late.wait_for(lambda m: m.get("type") == "statement.hidden")
    assert SECRET not in str(late.messages)
    fresh = await room.join(await new_resident())
    assert SECRET not in str(fresh.messages)
    # Staff still see it (to restore it), and the record keeps it.
    staff_late = await room.join(room.facilitator, after=before)
    await staff_late.wait_for(lambda m: m.get("type") == "statement.hidden")
    assert SECRET in str(staff_late.messages)
    status = await database_sync_to_async(
        lambda: Statement.objects.get(pk=ack["statement_id"]).status
    )()
    assert status == "hidden"
    log = await database_sync_to_async(public_moderation_log)(room.session.pk)
    assert log[-1]["action"] == "hide" and log[-1]["reason"] == "개인 공격"
    assert SECRET not in str(log)
    await author.fail("reaction.toggle", "not_found", statement_id=ack["statement_id"], kind="공감")
    await staff.ok("statement.restore", statement_id=ack["statement_id"])
    restored = await reader.event("statement.restored")
    assert restored["statement"]["text"] == SECRET
    await staff.fail("statement.restore", "conflict", statement_id=ack["statement_id"])
    await staff.fail("statement.hide", "not_found", statement_id=999999)


async def test_pin_and_unpin(room: Room) -> None:
    staff = await room.join(room.facilitator)
    r = await room.join(await new_resident())
    ack = await r.ok("statement.post", client_msg_id="p", text="고정할 말")
    await staff.ok("statement.pin", statement_id=ack["statement_id"])
    assert (await r.event("statement.pinned"))["pinned"] is True
    again = await room.join(await new_resident())
    assert [s["id"] for s in again.snapshot["pinned"]] == [ack["statement_id"]]
    await staff.ok("statement.unpin", statement_id=ack["statement_id"])
    await r.wait_for(lambda m: m.get("type") == "statement.pinned" and m["pinned"] is False)


async def test_mute_stops_posting_reacting_and_raising(room: Room) -> None:
    staff = await room.join(room.facilitator)
    resident = await new_resident()
    r = await room.join(resident)
    ack = await r.ok("statement.post", client_msg_id="m0", text="음소거 전")
    await r.ok("hand.raise")
    await staff.ok("participant.mute", user_id=resident.pk, reason="도배")
    you = await r.wait_for(lambda m: m.get("type") == "you" and m["muted"])
    assert you["hand_raised"] is False
    await r.fail("statement.post", "muted", client_msg_id="m1", text="음소거 중")
    await r.fail("reaction.toggle", "muted", statement_id=ack["statement_id"], kind="공감")
    await r.fail("hand.raise", "muted")
    await staff.ok("participant.unmute", user_id=resident.pk)
    await r.wait_for(lambda m: m.get("type") == "you" and not m["muted"])
    await r.ok("statement.post", client_msg_id="m2", text="다시 말할 수 있음")
    await staff.fail("participant.mute", "forbidden", user_id=room.facilitator.pk)
    await staff.fail("participant.mute", "not_found", user_id=424242)


async def test_remove_disconnects_but_allows_return(room: Room) -> None:
    staff = await room.join(room.facilitator)
    resident = await new_resident()
    r = await room.join(resident)
    second_tab = await room.join(resident)
    await staff.ok("participant.remove", user_id=resident.pk, reason="소란")
    kicked = await r.event("kicked")
    assert kicked["reason"] == "removed" and kicked["message"]
    assert await r.wait_closed() == 4003
    assert await second_tab.wait_closed() == 4003
    back = await room.join(resident)
    await back.ok("ping")


async def test_ban_disconnects_and_keeps_out(room: Room) -> None:
    staff = await room.join(room.facilitator)
    resident = await new_resident()
    r = await room.join(resident)
    await staff.ok("participant.ban", user_id=resident.pk, reason="혐오 표현")
    assert (await r.event("kicked"))["reason"] == "banned"
    assert await r.wait_closed() == 4003
    await room.join(resident, expect=False)
    await staff.ok("participant.unban", user_id=resident.pk)
    await room.join(resident)


async def test_reports_reach_the_console_live_and_are_resolved(room: Room) -> None:
    staff = await room.join(room.facilitator)
    author = await room.join(await new_resident())
    reporter = await room.join(await new_resident(nickname="신고자"))
    ack = await author.ok("statement.post", client_msg_id="r", text="문제의 발언")
    report = await reporter.ok(
        "report.create", statement_id=ack["statement_id"], reason="욕설이 있어요"
    )
    again = await reporter.ok("report.create", statement_id=ack["statement_id"], reason="또")
    assert again["duplicate"] and again["report_id"] == report["report_id"]
    notice = await staff.event("staff.report")
    assert notice["report"]["reason"] == "욕설이 있어요"
    assert notice["report"]["statement_text"] == "문제의 발언"
    assert not any(m.get("type") == "staff.report" for m in author.messages)
    await reporter.fail("report.create", "bad_field", statement_id=ack["statement_id"], reason="")
    await reporter.fail("report.create", "not_found", statement_id=12345678, reason="x")
    await staff.ok("report.resolve", report_id=report["report_id"], status="dismissed")
    await staff.event("staff.report_resolved", report_id=report["report_id"])
    await staff.fail("report.resolve", "bad_field", report_id=report["report_id"], status="x")


async def test_every_moderation_action_is_audited(room: Room) -> None:
    staff = await room.join(room.facilitator)
    resident = await new_resident()
    r = await room.join(resident)
    ack = await r.ok("statement.post", client_msg_id="a", text="감사 기록")
    await staff.ok("statement.pin", statement_id=ack["statement_id"])
    await staff.ok("statement.hide", statement_id=ack["statement_id"], reason="테스트")
    await staff.ok("participant.mute", user_id=resident.pk)
    await staff.ok("room.lock", locked=True)
    await staff.ok("room.slow_mode", seconds=5)
    rows = await database_sync_to_async(
        lambda: list(ModerationAction.objects.values_list("kind", "actor_id", "target_id"))
    )()
    kinds = [k for k, _a, _t in rows]
    assert kinds == ["pin", "hide", "mute", "lock", "slow_mode"]
    assert all(actor == room.facilitator.pk for _k, actor, _t in rows)
    logged = await r.wait_for(
        lambda m: m.get("type") == "moderation.logged" and m["entry"]["action"] == "slow_mode"
    )
    assert logged["seq"]


async def test_opening_and_closing_from_the_session_page_is_audited_and_announced(
    room: Room,
) -> None:
    from deliberation.agendas import services as agenda_services

    r = await room.join(await new_resident())

    @database_sync_to_async
    def pause_from_the_page() -> None:
        agenda_services.session_transition(
            actor=room.facilitator, session=room.session, to_state="paused"
        )

    await pause_from_the_page()
    await r.event("room.state", state="paused")
    logged = await r.wait_for(lambda m: m.get("type") == "moderation.logged")
    assert logged["entry"]["action"] == "room_pause"


async def test_a_question_marked_answered_reaches_the_room(room: Room) -> None:
    from deliberation.live.moderation import statement_mark_answered

    r = await room.join(await new_resident())
    staff = await room.join(room.facilitator)
    question = await r.ok("statement.post", client_msg_id="q", text="언제 시작하나요?")
    answer = await staff.ok("statement.post", client_msg_id="a", text="다음 달에 시작합니다")
    await database_sync_to_async(statement_mark_answered)(
        actor=room.facilitator,
        session_id=room.session.pk,
        statement_id=question["statement_id"],
        answer_id=answer["statement_id"],
    )
    seen = await r.event("statement.answered")
    assert seen["statement_id"] == question["statement_id"]
    assert seen["answer_id"] == answer["statement_id"]
