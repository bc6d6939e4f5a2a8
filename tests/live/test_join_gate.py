"""The join gate: at most N joins at once, a bounded line behind them, and a waiting join
dropped as soon as its client goes away."""

from __future__ import annotations

import asyncio

import pytest

from deliberation.live.joingate import BUSY, GONE, IN, JoinGate


def _never() -> asyncio.Future[None]:
    return asyncio.get_running_loop().create_future()


def _holding(gate: JoinGate, hold: asyncio.Event) -> asyncio.Task[None]:
    """A join that takes its slot (or waits for one) and keeps it until ``hold`` is set."""

    async def holder() -> None:
        async with gate.enter(_never):
            await hold.wait()

    return asyncio.ensure_future(holder())


async def test_joins_beyond_the_slots_wait_and_go_in_in_turn() -> None:
    gate = JoinGate(concurrency=1, queue=5, wait=30)
    release = asyncio.Event()
    seen: list[str] = []

    async def join(name: str) -> None:
        async with gate.enter(_never) as admission:
            seen.append(f"{name}:{admission}")
            if name == "a":
                await release.wait()

    first = asyncio.ensure_future(join("a"))
    await asyncio.sleep(0)
    second = asyncio.ensure_future(join("b"))
    for _ in range(5):
        await asyncio.sleep(0)
    assert seen == ["a:in"]
    assert gate.figures()["waiting"] == 1
    release.set()
    await asyncio.gather(first, second)
    assert seen == ["a:in", "b:in"]
    assert gate.figures() == {"running": 0, "waiting": 0, "admitted": 2, "shed": 0, "abandoned": 0}


async def test_a_full_line_is_told_to_come_back_later() -> None:
    gate = JoinGate(concurrency=1, queue=1, wait=30)
    hold = asyncio.Event()

    async def holder() -> str:
        async with gate.enter(_never) as admission:
            await hold.wait()
            return admission

    tasks = [asyncio.ensure_future(holder()) for _ in range(2)]  # one runs, one waits
    for _ in range(5):
        await asyncio.sleep(0)
    async with gate.enter(_never) as third:
        assert third == BUSY
    hold.set()
    assert await asyncio.gather(*tasks) == [IN, IN]
    assert gate.figures()["shed"] == 1


async def test_a_client_that_leaves_while_waiting_gives_up_its_place() -> None:
    gate = JoinGate(concurrency=1, queue=5, wait=30)
    hold = asyncio.Event()
    left = asyncio.Event()

    async def gone() -> None:
        await left.wait()

    running = _holding(gate, hold)
    await asyncio.sleep(0)

    async def leaver() -> str:
        async with gate.enter(gone) as admission:
            return admission

    waiting = asyncio.ensure_future(leaver())
    await asyncio.sleep(0)
    left.set()
    assert await waiting == GONE
    hold.set()
    await running
    figures = gate.figures()
    assert (figures["abandoned"], figures["running"], figures["waiting"]) == (1, 0, 0)
    # the slot is free again: a new join goes straight in
    async with gate.enter(_never) as admission:
        assert admission == IN


async def test_a_join_that_waits_too_long_is_shed_and_no_slot_leaks() -> None:
    gate = JoinGate(concurrency=1, queue=5, wait=0.05)
    hold = asyncio.Event()
    running = _holding(gate, hold)
    await asyncio.sleep(0)
    async with gate.enter(_never) as admission:
        assert admission == BUSY
    hold.set()
    await running
    async with gate.enter(_never) as admission:
        assert admission == IN
    assert gate.figures()["shed"] == 1


async def test_a_cancelled_waiter_leaves_no_slot_taken() -> None:
    gate = JoinGate(concurrency=1, queue=5, wait=30)
    hold = asyncio.Event()
    running = _holding(gate, hold)
    await asyncio.sleep(0)
    waiter = _holding(gate, hold)
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    hold.set()
    await running
    assert gate.figures()["waiting"] == 0
    async with gate.enter(_never) as admission:
        assert admission == IN


def test_nonsense_limits_are_refused() -> None:
    with pytest.raises(ValueError):
        JoinGate(concurrency=0, queue=1, wait=1)
