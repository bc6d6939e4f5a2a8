"""The channel-layer watch: a lost Redis is noticed (a failed publish, a probe that never
comes back, a reconnect between two probes) and its end reported once the layer delivers
again."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import shutil
from typing import Any

import pytest

from deliberation.live.layer_watch import LayerWatch, Outage


class FakeConnection:
    """Stands in for redis-py's subscriber connection: reconnects run its callbacks."""

    def __init__(self) -> None:
        self.callbacks: list[Any] = []

    def register_connect_callback(self, callback: Any) -> None:
        self.callbacks.append(callback)

    async def reconnect(self) -> None:
        for callback in self.callbacks:
            await callback(self)


class FakeLayer:
    """A channel layer whose Redis can be down (publish fails) or deaf (nothing delivered)."""

    def __init__(self, *, delay: float = 0.0) -> None:
        self.queues: dict[str, asyncio.Queue[dict[str, Any]]] = {}
        self.up = True
        self.delivering = True
        self.delay = delay
        self.connection = FakeConnection()
        self._names = itertools.count(1)

    async def new_channel(self, prefix: str = "specific.") -> str:
        if not self.up:
            raise ConnectionError("redis is down")
        name = f"{prefix}{next(self._names)}"
        self.queues[name] = asyncio.Queue()
        return name

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        if not self.up:
            raise ConnectionError("redis is down")
        if not self.delivering:
            return
        queue = self.queues[channel]
        if self.delay:
            asyncio.get_running_loop().call_later(self.delay, queue.put_nowait, message)
        else:
            queue.put_nowait(message)

    async def receive(self, channel: str) -> dict[str, Any]:
        return await self.queues[channel].get()


class Recorder:
    def __init__(self, *, fail_first_recovery: bool = False) -> None:
        self.lost: list[str] = []
        self.back: list[Outage] = []
        self.fail_first_recovery = fail_first_recovery

    def on_lost(self, reason: str) -> None:
        self.lost.append(reason)

    async def on_back(self, outage: Outage) -> None:
        self.back.append(outage)
        if self.fail_first_recovery and len(self.back) == 1:
            raise RuntimeError("the database was not there either")


_watches: list[LayerWatch] = []


@pytest.fixture(autouse=True)
def _close_watches() -> Any:
    yield
    while _watches:
        _watches.pop().close()


def watch_of(layer: FakeLayer, recorder: Recorder, **timing: float) -> LayerWatch:
    watch = LayerWatch(
        layer,
        on_lost=recorder.on_lost,
        on_back=recorder.on_back,
        connections=lambda lay: [lay.connection],
        **timing,
    )
    _watches.append(watch)
    return watch


async def test_a_failed_publish_is_an_outage_that_ends_when_a_probe_comes_back() -> None:
    layer, seen = FakeLayer(), Recorder()
    watch = watch_of(layer, seen)
    await watch.probe()
    assert (watch.returned, watch.down, seen.lost) == (1, False, [])
    layer.up = False
    await watch.probe()
    await watch.probe()
    assert watch.down
    assert len(seen.lost) == 1 and seen.lost[0].startswith("publish failed")
    assert seen.back == []
    layer.up = True
    await watch.probe()
    assert not watch.down
    assert [o.reason for o in seen.back] == [seen.lost[0]]
    await watch.probe()
    assert len(seen.back) == 1, "one outage, one recovery"


async def test_a_reconnect_between_two_probes_is_an_outage() -> None:
    layer, seen = FakeLayer(), Recorder()
    watch = watch_of(layer, seen)
    await watch.probe()
    # Redis restarted and the layer re-subscribed before the next probe: every probe
    # still comes back, yet messages published in between were lost.
    await layer.connection.reconnect()
    assert watch.down and seen.lost == ["subscriber reconnected"]
    await watch.probe()
    assert not watch.down
    assert [o.reason for o in seen.back] == ["subscriber reconnected"]


async def test_a_probe_that_never_comes_back_is_an_outage() -> None:
    layer, seen = FakeLayer(), Recorder()
    watch = watch_of(layer, seen, return_timeout=0.2)
    await watch.probe()
    layer.delivering = False  # publishes accepted, subscription deaf
    await watch.probe()
    assert watch.down and seen.lost == ["probe not delivered"]
    layer.delivering = True
    await watch.probe()
    assert not watch.down and len(seen.back) == 1


async def test_a_late_probe_within_its_timeout_is_not_an_outage() -> None:
    layer, seen = FakeLayer(delay=0.05), Recorder()
    watch = watch_of(layer, seen, return_timeout=5.0)
    for _ in range(3):
        await watch.probe()
    assert watch.returned == 3
    assert seen.lost == [] and not watch.down


async def test_a_failed_recovery_runs_again_after_the_next_good_probe() -> None:
    layer, seen = FakeLayer(), Recorder(fail_first_recovery=True)
    watch = watch_of(layer, seen)
    await watch.probe()
    await layer.connection.reconnect()
    await watch.probe()
    assert len(seen.back) == 1 and watch.down, "the failed recovery leaves the layer lost"
    await watch.probe()
    assert len(seen.back) == 2 and not watch.down
    assert seen.lost == ["subscriber reconnected"], "rooms are not told twice of one outage"


async def test_a_subscription_that_cannot_be_made_is_an_outage() -> None:
    layer, seen = FakeLayer(), Recorder()
    layer.up = False
    watch = watch_of(layer, seen)
    await watch.probe()
    assert watch.down and seen.lost[0].startswith("subscribe failed")
    layer.up = True
    await watch.probe()
    assert not watch.down and len(seen.back) == 1


async def test_the_running_watch_reports_an_outage_and_its_end() -> None:
    layer = FakeLayer()
    lost, back = asyncio.Event(), asyncio.Event()
    outages: list[Outage] = []

    async def on_back(outage: Outage) -> None:
        outages.append(outage)
        back.set()

    watch = LayerWatch(
        layer,
        on_lost=lambda reason: lost.set(),
        on_back=on_back,
        connections=lambda lay: [lay.connection],
        probe_seconds=0.01,
    )
    running = asyncio.ensure_future(watch.run())
    try:
        layer.up = False
        await asyncio.wait_for(lost.wait(), 10)
        assert not back.is_set()
        layer.up = True
        await asyncio.wait_for(back.wait(), 10)
        assert len(outages) == 1 and outages[0].seconds >= 0
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
    assert watch._receiver is None, "a stopped watch no longer listens"


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
async def test_the_real_pubsub_layer_reports_a_redis_restart() -> None:
    """channels_redis' pub/sub layer against a private Redis that is killed and restarted
    between two probes: the watch hears the re-subscription and reports the outage."""
    from channels_redis.pubsub import RedisPubSubChannelLayer

    from tests.support.private_redis import PrivateRedis

    with PrivateRedis() as redis:
        layer = RedisPubSubChannelLayer(hosts=[redis.url], prefix="watch-test")
        seen = Recorder()
        lost = asyncio.Event()
        watch = LayerWatch(
            layer,
            on_lost=lambda reason: (seen.on_lost(reason), lost.set()),
            on_back=seen.on_back,
        )
        try:
            await watch.probe()
            assert watch.returned == 1 and not watch.down
            await asyncio.to_thread(redis.kill)
            await asyncio.to_thread(redis.start)
            # The layer reconnects on its own (about a second); the watch hears it.
            await asyncio.wait_for(lost.wait(), 30)
            assert seen.lost == ["subscriber reconnected"]
            # The first publish may meet the pool's dead connection (and fail: still lost).
            for _attempt in range(3):
                await watch.probe()
                if not watch.down:
                    break
            assert not watch.down
            assert [o.reason for o in seen.back] == ["subscriber reconnected"]
        finally:
            watch.close()
            await layer.flush()
