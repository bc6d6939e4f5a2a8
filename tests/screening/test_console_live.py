"""Flags reach the facilitator console live through the real ASGI stack; hold mode."""

from __future__ import annotations

from channels.db import database_sync_to_async

from deliberation.analysis.api import analysis_drain
from deliberation.live.models import Statement
from deliberation.screening.models import Flag
from tests.live.conftest import Room, new_resident

INSULT = "담당 과장 저 병1신 같은 답변 좀 그만해라 ㅅㅂ"
HEATED = "이 사업 3년째인데 성과 보고서 한 번도 못 봤습니다. 도대체 어디에 돈을 쓴 겁니까?"

drain = database_sync_to_async(analysis_drain)


async def test_a_flagged_statement_reaches_the_console_live_and_hides_in_one_click(
    room: Room,
) -> None:
    staff = await room.join(room.facilitator)
    author = await room.join(await new_resident())
    reader = await room.join(await new_resident())
    assert staff.snapshot["parts"]["screening"] == {"hold_flagged": False, "flags": []}
    assert reader.snapshot["parts"]["screening"] == {}  # residents see no flags

    calm = await author.ok("statement.post", client_msg_id="calm", text=HEATED)
    rude = await author.ok("statement.post", client_msg_id="rude", text=INSULT)
    # Posted and shown as always; the score follows from the analysis worker.
    await reader.event("statement.new", seq=rude["seq"])
    assert rude["status"] == "visible"
    await drain()

    flag = (await staff.event("screening.flag"))["flag"]
    assert flag["object_id"] == rude["statement_id"] and flag["kind"] == "statement"
    assert flag["text"] == INSULT
    assert flag["label"] in ("hate", "offensive") and 0.5 <= flag["confidence"] <= 1
    assert "병신" in flag["triggers"] and "시발" in flag["triggers"]
    flagged_ids = [
        m["flag"]["object_id"] for m in staff.messages if m.get("type") == "screening.flag"
    ]
    assert calm["statement_id"] not in flagged_ids
    assert not [m for m in reader.messages if m.get("type", "").startswith("screening.")]

    await staff.ok("screening.hide", flag_id=flag["id"])
    hidden = await reader.event("statement.hidden")
    assert hidden["statement_id"] == rude["statement_id"]
    done = await staff.event("screening.flag_done")
    assert done == {"type": "screening.flag_done", "flag_id": flag["id"], "status": "hidden"}
    await staff.fail("screening.hide", "conflict", flag_id=flag["id"])
    await author.fail("screening.dismiss", "forbidden", flag_id=flag["id"])

    again = await room.join(room.facilitator)
    assert again.snapshot["parts"]["screening"]["flags"] == []  # decided: off the list
    stored = await database_sync_to_async(lambda: Flag.objects.get(pk=flag["id"]))()
    assert stored.status == "hidden" and stored.decided_by_id == room.facilitator.pk


async def test_hold_flagged_mode_holds_only_flagged_statements(room: Room) -> None:
    staff = await room.join(room.facilitator)
    author = await room.join(await new_resident())
    reader = await room.join(await new_resident())
    await staff.ok("screening.hold", enabled=True)
    assert (await staff.event("screening.hold"))["hold_flagged"] is True

    calm = await author.ok("statement.post", client_msg_id="calm", text=HEATED)
    assert calm["status"] == "visible"  # everything else appears at once
    await reader.event("statement.new", seq=calm["seq"])

    held = await author.ok("statement.post", client_msg_id="rude", text=INSULT)
    assert held["status"] == "pending" and held["seq"] is None  # the author is told it waits
    pending = await staff.event("staff.pending")
    assert pending["statement"]["id"] == held["statement_id"]
    await drain()
    flag = (await staff.event("screening.flag"))["flag"]
    assert flag["object_id"] == held["statement_id"] and flag["held"] is True

    # A facilitator who thinks it fine shows it to the room with one click.
    await staff.ok("screening.dismiss", flag_id=flag["id"])
    shown = await reader.wait_for(
        lambda m: m.get("type") == "statement.new" and m["statement"]["id"] == held["statement_id"]
    )
    assert shown["statement"]["text"] == INSULT
    assert not [
        m
        for m in reader.messages
        if m.get("type") == "statement.new"
        and m["statement"]["id"] != calm["statement_id"]
        and m["seq"] < shown["seq"]
    ]

    # Turned off, flagged statements appear at once again (and are still flagged).
    await staff.ok("screening.hold", enabled=False)
    later = await author.ok(
        "statement.post", client_msg_id="rude2", text="ㅅㅂ 또 예산 낭비냐 병신들아"
    )
    assert later["status"] == "visible"
    status = await database_sync_to_async(
        lambda: Statement.objects.get(pk=held["statement_id"]).status
    )()
    assert status == "visible"


async def test_held_statement_hidden_from_the_flag_panel_is_rejected(room: Room) -> None:
    staff = await room.join(room.facilitator)
    author = await room.join(await new_resident())
    await staff.ok("screening.hold", enabled=True)
    held = await author.ok("statement.post", client_msg_id="rude", text=INSULT)
    await drain()
    flag = (await staff.event("screening.flag"))["flag"]
    await staff.ok("screening.hide", flag_id=flag["id"])
    told = await author.wait_for(lambda m: m.get("type") == "you" and m.get("notice"))
    assert told["notice"] == "발언이 승인되지 않았습니다."
    status = await database_sync_to_async(
        lambda: Statement.objects.get(pk=held["statement_id"]).status
    )()
    assert status == "rejected"


async def test_report_reasons_are_screened_too(room: Room) -> None:
    staff = await room.join(room.facilitator)
    author = await room.join(await new_resident())
    reporter = await room.join(await new_resident())
    posted = await author.ok("statement.post", client_msg_id="calm", text=HEATED)
    await reporter.ok(
        "report.create", statement_id=posted["statement_id"], reason="이 새끼 말하는 꼬라지 ㅅㅂ"
    )
    await drain()
    flag = (await staff.event("screening.flag"))["flag"]
    assert flag["kind"] == "report" and "시발" in flag["triggers"]
