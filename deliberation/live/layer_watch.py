"""Notices that this process's channel layer lost Redis, and when it delivers again.

channels_redis' pub/sub layer reconnects by itself and subscribes again, but whatever was
published while its subscription was down is gone (channels_redis #256), and nothing tells
the application. One watch per event loop (that is, per server process) finds out:

- the layer's subscriber connection connected again (a callback on redis-py's connection,
  run after the layer has re-subscribed): a Redis restart between two probes still counts;
- a probe, published once a second to a channel only this watch listens on, failed to
  publish or did not come back within ``RETURN_TIMEOUT`` of being accepted by Redis.

The outage ends when a probe published after the last sign of loss comes back: from then
on the layer delivers again. ``on_back`` then runs (the room hub re-subscribes, catches up
from the database and tells every local socket to resync); if it fails, the watch counts
the layer as lost once more and runs it again after the next good probe.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

PROBE_SECONDS = 1.0  # a probe a second
RETURN_TIMEOUT = 5.0  # a probe Redis accepted must come back within this (latency included)
PUBLISH_TIMEOUT = 30.0  # a probe publish may wait this long behind the process's own publishes


@dataclass(frozen=True)
class Outage:
    """One loss of the channel layer, from when it was noticed to when it delivered again."""

    reason: str
    noticed_at: float  # time.monotonic()
    back_at: float

    @property
    def seconds(self) -> float:
        return self.back_at - self.noticed_at


def pubsub_connections(layer: Any) -> list[Any]:
    """The subscriber connections of a channels_redis pub/sub layer on this loop (else [])."""
    try:
        shards = layer._get_layer()._shards
    except (AttributeError, RuntimeError):
        return []
    found = []
    for shard in shards:
        connection = getattr(getattr(shard, "_pubsub", None), "connection", None)
        if connection is not None and hasattr(connection, "register_connect_callback"):
            found.append(connection)
    return found


class LayerWatch:
    """Probes one channel layer on the running loop; reports its outages."""

    def __init__(
        self,
        layer: Any,
        *,
        on_lost: Callable[[str], None],
        on_back: Callable[[Outage], Awaitable[None]],
        connections: Callable[[Any], list[Any]] = pubsub_connections,
        probe_seconds: float = PROBE_SECONDS,
        return_timeout: float = RETURN_TIMEOUT,
        publish_timeout: float = PUBLISH_TIMEOUT,
    ) -> None:
        self.layer = layer
        self.on_lost = on_lost
        self.on_back = on_back
        self.connections = connections
        self.probe_seconds = probe_seconds
        self.return_timeout = return_timeout
        self.publish_timeout = publish_timeout
        self.channel: str | None = None
        self.sent = 0  # probes published (or tried)
        self.returned = 0  # highest probe number that came back
        self.lost_since: float | None = None
        self.lost_reason = ""
        self.lost_after_probe = 0  # probes up to this number may predate the last loss
        self.outages: list[Outage] = []
        self._hooked: list[Any] = []  # connections whose reconnects we hear of
        self._wake = asyncio.Event()
        self._probe_now = asyncio.Event()  # a reconnect: probe at once, not a second later
        self._receiver: asyncio.Task[None] | None = None

    @property
    def down(self) -> bool:
        return self.lost_since is not None

    def mark_lost(self, reason: str, *, notify: bool = True) -> None:
        """Something published now or just before may not have been delivered."""
        self.lost_after_probe = self.sent
        self._wake.set()
        if self.lost_since is not None:
            return
        self.lost_since = time.monotonic()
        self.lost_reason = reason
        log.warning("channel layer lost (%s); rooms are served from the database", reason)
        if not notify:
            return
        try:
            self.on_lost(reason)
        except Exception:
            log.exception("channel layer loss handler failed")

    async def _reconnected(self, connection: Any) -> None:
        # redis-py runs this after the pub/sub layer's own re-subscription.
        self.mark_lost("subscriber reconnected")
        self._probe_now.set()

    def _hook_connections(self) -> None:
        current = self.connections(self.layer)
        for connection in current:
            if not any(connection is known for known in self._hooked):
                connection.register_connect_callback(self._reconnected)
                if self._hooked:  # a new subscriber connection replaced an old one
                    self.mark_lost("subscriber connection replaced")
        if current:
            self._hooked = current

    def close(self) -> None:
        """Stop listening for probes (``run`` does this itself when cancelled)."""
        if self._receiver is not None:
            self._receiver.cancel()
            self._receiver = None

    # --- the probe loop -------------------------------------------------------------------

    async def run(self) -> None:
        try:
            while True:
                try:
                    await self.probe()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("channel layer probe failed")
                # A periodic duty, cut short when the subscriber has just reconnected.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._probe_now.wait(), self.probe_seconds)
        finally:
            self.close()

    async def probe(self) -> None:
        """Send one probe and wait for it; note a loss, or the end of one."""
        self._probe_now.clear()
        if self.channel is None:
            try:
                self.channel = await asyncio.wait_for(
                    self.layer.new_channel(prefix="layer-watch."), self.publish_timeout
                )
            except Exception as exc:  # noqa: BLE001 - whatever failed, the layer is lost
                self.mark_lost(f"subscribe failed: {exc!r}"[:200])
                return
            self._receiver = asyncio.ensure_future(self._receive(str(self.channel)))
        self._hook_connections()
        self.sent += 1
        number = self.sent
        try:
            await asyncio.wait_for(
                self.layer.send(self.channel, {"type": "layer.probe", "n": number}),
                self.publish_timeout,
            )
        except Exception as exc:  # noqa: BLE001 - whatever failed, the layer is lost
            self.mark_lost(f"publish failed: {exc!r}"[:200])
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.return_timeout
        while self.returned < number:
            if self.lost_after_probe >= number:
                return  # lost meanwhile: this probe proves nothing; the next one will
            remaining = deadline - loop.time()
            if remaining <= 0:
                self.mark_lost("probe not delivered")
                return
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), remaining)
        if self.lost_since is not None and number > self.lost_after_probe:
            await self._back()

    async def _back(self) -> None:
        assert self.lost_since is not None
        outage = Outage(self.lost_reason, self.lost_since, time.monotonic())
        self.lost_since = None
        self.outages.append(outage)
        del self.outages[:-20]
        log.warning("channel layer delivers again after %.1f s (%s)", outage.seconds, outage.reason)
        try:
            await self.on_back(outage)
        except Exception:
            log.exception("recovery after the channel layer outage failed; retrying")
            # Rooms that did not recover stay marked; the next good probe retries them.
            self.mark_lost("recovery failed", notify=False)

    async def _receive(self, channel: str) -> None:
        while True:
            try:
                message = await self.layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.debug("layer watch receive failed", exc_info=True)
                await asyncio.sleep(self.probe_seconds)  # the layer reconnects meanwhile
                continue
            number = message.get("n") if isinstance(message, dict) else None
            if isinstance(number, int) and number > self.returned:
                self.returned = number
                self._wake.set()
