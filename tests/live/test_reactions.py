"""Reactions toggle per person; counts arrive coalesced, not one message per click."""

from __future__ import annotations

import asyncio

from tests.live.conftest import Room, new_resident


async def test_toggle_and_coalesced_counts(room: Room) -> None:
    author = await room.join(await new_resident())
    watcher = await room.join(await new_resident())
    ack = await author.ok("statement.post", client_msg_id="x", text="공감해 주세요")
    sid = str(ack["statement_id"])
    assert (await author.ok("reaction.toggle", statement_id=ack["statement_id"], kind="공감"))[
        "active"
    ]
    counts = await watcher.wait_for(
        lambda m: m.get("type") == "reactions" and m["counts"].get(sid, {}).get("공감") == 1
    )
    assert counts["counts"][sid]["궁금해요"] == 0 and "seq" not in counts
    assert not (await author.ok("reaction.toggle", statement_id=ack["statement_id"], kind="공감"))[
        "active"
    ]
    await watcher.wait_for(lambda m: m.get("type") == "reactions" and m["counts"][sid]["공감"] == 0)
    await author.fail(
        "reaction.toggle", "bad_field", statement_id=ack["statement_id"], kind="좋아요"
    )
    await author.fail("reaction.toggle", "not_found", statement_id=999999, kind="공감")


async def test_a_burst_of_clicks_sends_few_count_updates(room: Room) -> None:
    author = await room.join(await new_resident())
    watcher = await room.join(await new_resident())
    ack = await author.ok("statement.post", client_msg_id="b", text="반응 폭주")
    sid = str(ack["statement_id"])
    clickers = [await room.join(await new_resident()) for _ in range(8)]
    mark = len(watcher.messages)
    await asyncio.gather(
        *[
            c.ok("reaction.toggle", statement_id=ack["statement_id"], kind=kind)
            for c in clickers
            for kind in ("공감", "궁금해요", "아쉬워요")
        ]
    )
    final = await watcher.wait_for(
        lambda m: (
            m.get("type") == "reactions"
            and m["counts"][sid] == {"공감": 8, "궁금해요": 8, "아쉬워요": 8}
        ),
        start=mark,
        timeout=10,
    )
    assert final
    updates = [m for m in watcher.messages[mark:] if m.get("type") == "reactions"]
    assert len(updates) < 24, "24 clicks must not make 24 messages"
