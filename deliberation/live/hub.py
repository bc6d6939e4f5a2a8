"""The room hub: one channel-layer subscription per room per server process.

Every socket of a room in this process registers with the room's hub. The hub receives
each published event once, puts numbered events back in sequence order (holding one that
arrives ahead of its predecessor briefly, then fetching the gap from the database), and
writes the already-encoded text straight to each local socket's ASGI ``send``: no
per-delivery channel-layer message, no per-delivery thread hop, no per-delivery encoding.

It also keeps the room's clock (a timer ends the floor turn on time), counts presence
across processes, and once a second re-checks access of the people connected here
(revoked cookies, ended sign-ins, bans, changed roles) so lost access ends within a second.

When the channel layer loses Redis (see ``layer_watch``), rooms keep working from the
database: posts are stored and acknowledged, and numbered events reach local sockets by the
once-a-second read. When the layer delivers again, each hub subscribes again, catches up
from the database, and sends every local socket ``resync`` and a fresh snapshot, so the
unnumbered messages lost meanwhile (reaction counts, presence, notices) are read anew.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import time
import uuid
from typing import TYPE_CHECKING, Any

import orjson
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from . import broadcast, events, layer_watch, reactions, wire

if TYPE_CHECKING:
    from .consumers import RoomSocket

log = logging.getLogger(__name__)

HOLD_SECONDS = 0.3  # how long an event ahead of its predecessor waits before a DB fetch
MAINTENANCE_SECONDS = 1.0
PRESENCE_HEARTBEAT = 10.0
PRESENCE_STALE = 30.0
# Up to this many people, a presence message names them (so processes count a person with
# tabs on two servers once, and facilitators get the list); past it, counts only.
PRESENCE_LIST_MAX = 500
PROCESS_ID = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
RESYNC_CONCURRENCY = 8  # snapshots built at once when a recovered layer resyncs sockets

# Keyed by the loop object itself (not its id, which a later loop may reuse in tests).
_hubs: dict[tuple[asyncio.AbstractEventLoop, int], RoomHub] = {}


async def join(socket: RoomSocket) -> RoomHub:
    """Register ``socket`` with its room's hub in this process (starting the hub if needed).

    The socket starts out buffering: events that arrive while its snapshot is being built
    are kept and flushed by ``activate``.
    """
    loop = asyncio.get_running_loop()
    key = (loop, socket.session_id)
    hub = _hubs.get(key)
    if hub is None:
        hub = RoomHub(socket.session_id)
        _hubs[key] = hub
        hub.starting = asyncio.ensure_future(hub.start())
    hub.add(socket)
    try:
        await asyncio.shield(hub.starting)  # type: ignore[arg-type]
    except Exception:
        hub.discard(socket)
        if _hubs.get(key) is hub:
            del _hubs[key]
            await hub.stop()
        raise
    return hub


def local_hub(session_id: int) -> RoomHub | None:
    """This process's hub of a room, if any socket of it is connected here."""
    with contextlib.suppress(RuntimeError):
        return _hubs.get((asyncio.get_running_loop(), session_id))
    return None


class RoomHub:
    def __init__(self, session_id: int) -> None:
        self.session_id = session_id
        self.group = broadcast.room_group(session_id)
        self.layer = get_channel_layer()
        self.channel: str | None = None
        self.sockets: set[RoomSocket] = set()
        self.wires: dict[RoomSocket, Any] = {}  # socket -> its Daphne protocol, or None
        self.by_user: dict[int, set[RoomSocket]] = {}
        # Presence counts people, not sockets: two tabs of one person are one, and a
        # projector (a screen, not a participant) is none. person -> their counted sockets.
        self.people: dict[int, int] = {}
        self.expected = 0
        self.held: dict[int, str] = {}
        self.gap_timer: asyncio.TimerHandle | None = None
        self.floor_timer: asyncio.TimerHandle | None = None
        self.last_numbered_at = time.monotonic()
        self.presence: dict[str, tuple[int, float]] = {}
        self.presence_people: dict[str, frozenset[int] | None] = {}
        self.presence_key: Any = None  # what was last published: the people, or their count
        self.staff_listed: set[RoomSocket] = set()  # staff sockets holding the current list
        self.staff_people: frozenset[int] | None = None
        self.listing: asyncio.Future[Any] | None = None
        self.presence_sent = -1
        self.presence_published: tuple[int, float] = (-1, 0.0)
        self.tasks: list[asyncio.Task[Any]] = []
        self.background: set[asyncio.Future[Any]] = set()
        self.starting: asyncio.Future[None] | None = None
        self.stopped = False
        self._filling = False
        self.receiver: asyncio.Task[None] | None = None
        # Set while the channel layer may have dropped messages for this room; cleared
        # once the hub has subscribed again and told its sockets to resync.
        self.layer_lost = False

    # --- life cycle ---------------------------------------------------------------------

    async def start(self) -> None:
        """Subscribe once, learn where the room's sequence stands, start the loops."""
        from .floor import floor_deadline

        loop = asyncio.get_running_loop()
        reactions.bind_loop(loop)
        if self.layer is not None:
            watch = _ensure_watch(loop, self.layer)
            self.layer_lost = watch is not None and watch.down
            try:
                await self._subscribe()
            except Exception as exc:  # noqa: BLE001 - the room works on without the layer
                # Without Redis the room still works from the database; the watch
                # subscribes this hub when the layer is back.
                log.warning("room %s: no channel layer subscription: %r", self.session_id, exc)
                self.layer_lost = True
                if watch is not None:
                    watch.mark_lost("room subscription failed")
        last_seq, deadline = await database_sync_to_async(_position)(
            self.session_id, floor_deadline
        )
        self.expected = last_seq + 1
        self.schedule_floor(deadline)
        self._start_receiving()
        _ensure_sweeper(loop)

    async def _subscribe(self) -> None:
        """Subscribe to the room's group (again: a no-op for the layer if still subscribed)."""
        assert self.layer is not None
        if self.channel is None:
            self.channel = await self.layer.new_channel(prefix="room-hub.")
        await self.layer.group_add(self.group, self.channel)

    def _start_receiving(self) -> None:
        if self.channel is None or self.stopped:
            return
        if self.receiver is None or self.receiver.done():
            self.receiver = asyncio.ensure_future(self._receive_loop())
            self.tasks.append(self.receiver)

    async def stop(self) -> None:
        self.stopped = True
        for key in [k for k, v in _hubs.items() if v is self or k[0].is_closed()]:
            _hubs.pop(key, None)
        with contextlib.suppress(RuntimeError):
            loop = asyncio.get_running_loop()
            if not any(k[0] is loop for k in _hubs):
                sweeper = _sweepers.pop(loop, None)
                if sweeper is not None:
                    sweeper.cancel()
                watching = _watches.pop(loop, None)
                if watching is not None:
                    watching[1].cancel()
        for task in self.tasks:
            task.cancel()
        for timer in (self.gap_timer, self.floor_timer):
            if timer is not None:
                timer.cancel()
        if self.layer is not None and self.channel is not None:
            with contextlib.suppress(Exception):
                await self.layer.group_discard(self.group, self.channel)
        if self.presence_published[0] > 0:
            with contextlib.suppress(Exception):
                await self._publish_presence(0)

    def add(self, socket: RoomSocket) -> None:
        if socket not in self.sockets and not socket.screen:
            self.people[socket.user_id] = self.people.get(socket.user_id, 0) + 1
        self.sockets.add(socket)
        self.wires[socket] = wire.protocol_of(socket.base_send)
        self.by_user.setdefault(socket.user_id, set()).add(socket)

    def discard(self, socket: RoomSocket) -> None:
        if socket in self.sockets and not socket.screen:
            left = self.people.get(socket.user_id, 0) - 1
            if left > 0:
                self.people[socket.user_id] = left
            else:
                self.people.pop(socket.user_id, None)
        self.sockets.discard(socket)
        self.staff_listed.discard(socket)
        self.wires.pop(socket, None)
        mine = self.by_user.get(socket.user_id)
        if mine is not None:
            mine.discard(socket)
            if not mine:
                del self.by_user[socket.user_id]

    async def leave(self, socket: RoomSocket) -> None:
        self.discard(socket)
        if not self.sockets and not self.stopped:
            await self.stop()

    # --- receiving ------------------------------------------------------------------------

    async def _receive_loop(self) -> None:
        assert self.layer is not None and self.channel is not None
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("room %s: channel layer receive failed", self.session_id)
                await asyncio.sleep(0.5)  # back off while the layer reconnects
                continue
            try:
                await self.handle(message)
            except Exception:
                log.exception("room %s: could not handle %r", self.session_id, message.get("to"))

    async def handle(self, message: dict[str, Any]) -> None:
        to = message.get("to", "room")
        text = message.get("text", "")
        if to == "room":
            seq = message.get("seq")
            if seq is None:
                await self.deliver(text)
            else:
                await self.numbered(int(seq), text)
        elif to == "staff":
            await self.deliver(text, staff_only=True)
        elif to == "user":
            user_id = message.get("user_id")
            targets = list(self.by_user.get(int(user_id), ())) if user_id is not None else []
            close = message.get("close")
            for socket in targets:
                await socket.push(text)
                if close:
                    await socket.close(int(close))
        elif to == "users":
            # One message for many people, each with their own text (e.g. their group):
            # cheaper than a message per person when hundreds change at once.
            for user_id, user_text in (message.get("texts") or {}).items():
                for socket in list(self.by_user.get(int(user_id), ())):
                    await socket.push(user_text)
        elif to == "recheck":
            user_id = message.get("user_id")
            task = asyncio.ensure_future(self.recheck(None if user_id is None else {int(user_id)}))
            self.background.add(task)
            task.add_done_callback(self.background.discard)
        elif to == "presence":
            process = str(message.get("process"))
            self.presence[process] = (int(message.get("count", 0)), time.monotonic())
            named = message.get("people")
            self.presence_people[process] = (
                frozenset(int(i) for i in named) if isinstance(named, list) else None
            )
            if message.get("ask") and process != PROCESS_ID:
                # A process back from a channel-layer outage asks for everyone's count:
                # answer at the next sweep.
                self.presence_published = (-1, 0.0)
            await self._deliver_presence()

    async def numbered(self, seq: int, text: str) -> None:
        """Deliver numbered events exactly once each, in sequence order."""
        if seq < self.expected:
            return
        if seq > self.expected:
            self.held[seq] = text
            if self.gap_timer is None:
                loop = asyncio.get_running_loop()
                self.gap_timer = loop.call_later(
                    HOLD_SECONDS, lambda: asyncio.ensure_future(self.fill_gap())
                )
            return
        await self._deliver_numbered(seq, text)
        while self.expected in self.held:
            await self._deliver_numbered(self.expected, self.held.pop(self.expected))
        if not self.held and self.gap_timer is not None:
            self.gap_timer.cancel()
            self.gap_timer = None

    async def _deliver_numbered(self, seq: int, text: str) -> None:
        self.expected = seq + 1
        self.last_numbered_at = time.monotonic()
        if '"type":"floor.changed"' in text:
            floor = orjson.loads(text).get("floor")
            ends_at = dt.datetime.fromisoformat(floor["ends_at"]) if floor else None
            self.schedule_floor(ends_at)
        await self.deliver(text, seq=seq)

    async def fill_gap(self, upto: int | None = None) -> None:
        """Fetch numbered events the channel layer lost (or delayed) from the database."""
        self.gap_timer = None
        if self._filling or self.stopped:
            return
        self._filling = True
        try:
            top = max([*self.held, upto or 0])
            if top < self.expected:
                return
            rows = await database_sync_to_async(_stored_events)(
                self.session_id, self.expected - 1, top
            )
            for seq, text in rows:
                self.held.setdefault(seq, text)
            while self.expected in self.held:
                await self._deliver_numbered(self.expected, self.held.pop(self.expected))
            for seq in [s for s in self.held if s < self.expected]:
                del self.held[seq]
        except Exception:
            log.exception("room %s: gap fill failed; clients resume on their own", self.session_id)
        finally:
            self._filling = False
        if self.held and self.gap_timer is None and not self.stopped:
            loop = asyncio.get_running_loop()
            self.gap_timer = loop.call_later(
                HOLD_SECONDS, lambda: asyncio.ensure_future(self.fill_gap())
            )

    async def deliver(self, text: str, *, seq: int | None = None, staff_only: bool = False) -> None:
        """Write one encoded event to every local socket (the fan-out's hot loop).

        Live sockets under Daphne get the event framed once for all (see ``wire``);
        the others go through their own ``push`` (buffering, tests, closing sockets).
        """
        from .consumers import OUTBOX_LIMIT

        frame = wire.Frame(text)
        wires = self.wires
        for socket in list(self.sockets):
            if staff_only and not socket.staff:
                continue
            protocol = wires.get(socket)
            if protocol is not None and socket.active and not socket.closed:
                outcome = wire.write(protocol, socket, frame, seq, OUTBOX_LIMIT)
                if outcome == wire.OVERFLOW:
                    # A client that does not read: stop writing to it; it resumes by seq.
                    await socket.close(4013)
                    continue
                if outcome != wire.FALLBACK:
                    continue
            await socket.push(text, seq)

    # --- the floor's clock ---------------------------------------------------------------

    def schedule_floor(self, ends_at: dt.datetime | None) -> None:
        if self.floor_timer is not None:
            self.floor_timer.cancel()
            self.floor_timer = None
        if ends_at is None or self.stopped:
            return
        delay = max(0.0, (ends_at - timezone.now()).total_seconds()) + 0.05
        loop = asyncio.get_running_loop()
        self.floor_timer = loop.call_later(delay, lambda: asyncio.ensure_future(self._floor_due()))

    async def _floor_due(self) -> None:
        from .floor import floor_deadline, floor_expire

        self.floor_timer = None
        try:
            await database_sync_to_async(floor_expire)(session_id=self.session_id)
            deadline = await database_sync_to_async(floor_deadline)(self.session_id)
        except Exception:
            log.exception("room %s: floor expiry failed; retrying", self.session_id)
            deadline = timezone.now() + dt.timedelta(seconds=1)
        if deadline is not None and self.floor_timer is None:
            self.schedule_floor(deadline)

    # --- maintenance: presence, lost events, access -----------------------------------------

    def _people_key(self) -> Any:
        return frozenset(self.people) if len(self.people) <= PRESENCE_LIST_MAX else len(self.people)

    async def keep_presence(self) -> None:
        """Publish who is here when it changed (and as a heartbeat); keep staff lists fresh."""
        count = len(self.people)
        last_count, last_at = self.presence_published
        if (
            count != last_count
            or self._people_key() != self.presence_key
            or time.monotonic() - last_at > PRESENCE_HEARTBEAT
        ):
            await self._publish_presence(count)
        self._list_for_staff()

    def _present_ids(self) -> frozenset[int] | None:
        """Everyone present across processes, when every process named its people."""
        now = time.monotonic()
        union: set[int] = set(self.people)
        for process, (_count, at) in self.presence.items():
            if now - at >= PRESENCE_STALE or process == PROCESS_ID:
                continue
            named = self.presence_people.get(process)
            if named is None:
                return None
            union |= named
        return frozenset(union)

    def _list_for_staff(self) -> None:
        """Send the facilitators who is present when it changed (or to a newly joined one)."""
        staff = [s for s in self.sockets if s.staff and s.active and not s.closed]
        if not staff or (self.listing is not None and not self.listing.done()):
            return
        present = self._present_ids()
        if present is None:
            present = frozenset(self.people)  # a large room: the people this server holds
        if present != self.staff_people:
            self.staff_people = present
            self.staff_listed.clear()
        waiting = [s for s in staff if s not in self.staff_listed]
        if not waiting:
            return
        complete = self._present_ids() is not None
        self.listing = asyncio.ensure_future(self._send_staff_list(waiting, present, complete))
        self.background.add(self.listing)
        self.listing.add_done_callback(self.background.discard)

    async def _send_staff_list(
        self, sockets: list[RoomSocket], present: frozenset[int], complete: bool
    ) -> None:
        from .selectors import present_people

        people = await database_sync_to_async(present_people)(self.session_id, present)
        text = events.encode(events.StaffPresence(people=people, complete=complete).to_dict())
        for socket in sockets:
            if socket in self.sockets and not socket.closed:
                await socket.push(text)
                self.staff_listed.add(socket)

    async def after_sweep(self, lost: set[str], last_seq: int | None, *, started: float) -> None:
        """Kick sockets whose access ended; fetch events the channel layer lost."""
        if self.stopped:
            return
        # A quiet room, or one whose channel layer is down, reads its events from the database.
        quiet = self.layer_lost or started - self.last_numbered_at > MAINTENANCE_SECONDS
        if last_seq is not None and quiet and last_seq >= self.expected:
            await self.fill_gap(upto=last_seq)
        for socket in list(self.sockets):
            if socket.connection_id in lost:
                await socket.kick("access_lost")

    async def recheck(self, user_ids: set[int] | None) -> None:
        """Re-evaluate full access (disclosure, role, ban) of some or all local people."""
        sockets = [
            s
            for s in list(self.sockets)
            if s.active and (user_ids is None or s.user_id in user_ids)
        ]
        if not sockets:
            return
        checks = [s.identity() for s in sockets]
        lost = await database_sync_to_async(_full_check)(self.session_id, checks)
        for socket in sockets:
            if socket.connection_id in lost:
                await socket.kick("access_lost")

    async def recover(self) -> int:
        """The channel layer delivers again after an outage: subscribe again, catch up from
        the database, and send every local socket ``resync`` and a fresh snapshot.

        Returns the number of sockets told. Raises if the room could not be subscribed or
        read again (the layer watch then runs the recovery once more).
        """
        from .floor import floor_deadline

        if self.stopped:
            return 0
        self.layer_lost = False  # (set again if the layer is lost while this runs)
        try:
            if self.layer is not None:
                await self._subscribe()
                self._start_receiving()
            last_seq, deadline = await database_sync_to_async(_position)(
                self.session_id, floor_deadline
            )
        except BaseException:
            self.layer_lost = True
            raise
        if last_seq >= self.expected:
            await self.fill_gap(upto=last_seq)
        self.schedule_floor(deadline)
        # Presence crossed no process meanwhile: publish ours and ask for the others'.
        await self._publish_presence(len(self.people), ask=True)
        # A lost access re-check (role or disclosure change) is made up for.
        task = asyncio.ensure_future(self.recheck(None))
        self.background.add(task)
        task.add_done_callback(self.background.discard)
        sockets = [s for s in list(self.sockets) if not s.closed]
        turns = asyncio.Semaphore(RESYNC_CONCURRENCY)

        async def resync(socket: RoomSocket) -> None:
            async with turns:
                await socket.resync_after_outage()

        outcomes = await asyncio.gather(*(resync(s) for s in sockets), return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, Exception):
                log.warning("room %s: a socket was not resynced: %r", self.session_id, outcome)
        return len(sockets)

    async def _publish_presence(self, count: int, *, ask: bool = False) -> None:
        self.presence_published = (count, time.monotonic())
        self.presence[PROCESS_ID] = (count, time.monotonic())
        self.presence_key = self._people_key()
        named = self.presence_key if isinstance(self.presence_key, frozenset) else None
        self.presence_people[PROCESS_ID] = named
        if self.layer is not None:
            message: dict[str, Any] = {
                "type": broadcast.BROADCAST,
                "text": "",
                "to": "presence",
                "process": PROCESS_ID,
                "count": count,
            }
            if named is not None:
                message["people"] = sorted(named)
            if ask:
                message["ask"] = True
            try:
                await self.layer.group_send(self.group, message)
            except Exception as exc:  # noqa: BLE001 - the layer watch reports the outage
                log.debug("room %s: presence not published: %r", self.session_id, exc)
                self.presence_published = (-1, 0.0)  # try again at the next sweep
        await self._deliver_presence()

    def presence_total(self) -> int:
        present = self._present_ids()
        if present is not None:
            return len(present)  # a person with tabs on two servers counts once
        now = time.monotonic()
        total = sum(c for c, at in self.presence.values() if now - at < PRESENCE_STALE)
        return max(total, len(self.people))

    async def _deliver_presence(self) -> None:
        total = self.presence_total()
        if total != self.presence_sent:
            self.presence_sent = total
            await self.deliver(events.encode(events.Presence(count=total).to_dict()))


# --- one sweep a second for every room of this process -------------------------------------

_sweepers: dict[asyncio.AbstractEventLoop, asyncio.Task[None]] = {}


def _ensure_sweeper(loop: asyncio.AbstractEventLoop) -> None:
    task = _sweepers.get(loop)
    if task is None or task.done():
        _sweepers[loop] = loop.create_task(_sweeper(loop))


async def _sweeper(loop: asyncio.AbstractEventLoop) -> None:
    """Presence, lost events and access for all rooms at once: one database call a second
    per process, however many rooms it serves."""
    while True:
        await asyncio.sleep(MAINTENANCE_SECONDS)  # a periodic duty, not synchronisation
        hubs = [h for (lp, _sid), h in list(_hubs.items()) if lp is loop and not h.stopped]
        if not hubs:
            _sweepers.pop(loop, None)
            return
        try:
            await _sweep_hubs(hubs)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("room sweep failed; retrying in a second")


async def _sweep_hubs(hubs: list[RoomHub]) -> None:
    started = time.monotonic()
    for hub in hubs:
        await hub.keep_presence()
    checks = {h.session_id: [s.identity() for s in h.sockets if s.active] for h in hubs}
    lost, last_seqs = await database_sync_to_async(_sweep_rooms)(checks)
    for hub in hubs:
        await hub.after_sweep(
            lost.get(hub.session_id, set()), last_seqs.get(hub.session_id), started=started
        )


# --- one watch of the channel layer per event loop ----------------------------------------

_watches: dict[asyncio.AbstractEventLoop, tuple[layer_watch.LayerWatch, asyncio.Task[None]]] = {}


def _ensure_watch(loop: asyncio.AbstractEventLoop, layer: Any) -> layer_watch.LayerWatch | None:
    """Start this loop's layer watch (none for the in-memory layer, which cannot lose Redis)."""
    from channels.layers import InMemoryChannelLayer

    if isinstance(layer, InMemoryChannelLayer):
        return None
    watching = _watches.get(loop)
    if watching is not None and not watching[1].done():
        return watching[0]
    watch = layer_watch.LayerWatch(
        layer,
        on_lost=lambda reason: _layer_lost(loop),
        on_back=lambda outage: _layer_back(loop, outage),
    )
    _watches[loop] = (watch, loop.create_task(watch.run()))
    return watch


def _layer_lost(loop: asyncio.AbstractEventLoop) -> None:
    for (lp, _sid), hub in list(_hubs.items()):
        if lp is loop:
            hub.layer_lost = True


async def _layer_back(loop: asyncio.AbstractEventLoop, outage: layer_watch.Outage) -> None:
    """Every room of this process that may have missed messages resyncs its sockets."""
    started = time.monotonic()
    hubs = [h for (lp, _sid), h in list(_hubs.items()) if lp is loop and h.layer_lost]
    outcomes = await asyncio.gather(*(h.recover() for h in hubs), return_exceptions=True)
    told = sum(o for o in outcomes if isinstance(o, int))
    failed = [o for o in outcomes if isinstance(o, BaseException)]
    log.warning(
        "channel layer outage of %.1f s (%s) over: %d rooms, %d sockets told to resync in %.2f s",
        outage.seconds,
        outage.reason,
        len(hubs) - len(failed),
        told,
        time.monotonic() - started,
    )
    if failed:
        raise RuntimeError(f"{len(failed)} rooms could not recover: {failed[0]!r}")


# --- database work (run through database_sync_to_async) -------------------------------------


def _position(session_id: int, deadline_of: Any) -> tuple[int, dt.datetime | None]:
    from deliberation.agendas.models import Session

    last = Session.objects.values_list("last_seq", flat=True).get(pk=session_id)
    return int(last), deadline_of(session_id)


def _stored_events(session_id: int, after: int, upto: int) -> list[tuple[int, str]]:
    from .models import RoomEvent

    rows = RoomEvent.objects.filter(session_id=session_id, seq__gt=after, seq__lte=upto).order_by(
        "seq"
    )
    return [(r.seq, events.encode({**r.payload, "seq": r.seq})) for r in rows]


def _sweep_rooms(
    checks_by_room: dict[int, list[dict[str, Any]]],
) -> tuple[dict[int, set[str]], dict[int, int]]:
    """Cheap checks for every local socket of every room: account, cookie version,
    sign-in, ban, removal; and each room's last stored seq. A handful of queries."""
    from django.contrib.sessions.models import Session as SignIn

    from deliberation.agendas.models import Session
    from deliberation.people.models import User

    from .models import Participant

    room_ids = list(checks_by_room)
    last_seqs = dict(Session.objects.filter(pk__in=room_ids).values_list("pk", "last_seq"))
    checks = [c for room in checks_by_room.values() for c in room]
    if not checks:
        return {}, last_seqs
    user_ids = {c["user_id"] for c in checks}
    users = _access_rows(User, user_ids)
    # Few people of a room are banned or removed: read those (by room), not every person.
    shut = set(
        Participant.objects.filter(session_id__in=room_ids)
        .filter(Q(banned=True) | Q(removed=True))
        .values_list("session_id", "person_id")
    )
    keys = {c["sign_in"] for c in checks if c["sign_in"]}
    live_keys = set(
        SignIn.objects.filter(session_key__in=keys, expire_date__gt=timezone.now()).values_list(
            "session_key", flat=True
        )
    )
    lost: dict[int, set[str]] = {}
    for room_id, room_checks in checks_by_room.items():
        for c in room_checks:
            row = users.get(c["user_id"])
            if (
                row is None
                or not row[0]
                or row[2] != c["role"]
                or (c["token_version"] is not None and row[1] != c["token_version"])
                or (c["sign_in"] and c["sign_in"] not in live_keys)
                or (room_id, c["user_id"]) in shut
            ):
                lost.setdefault(room_id, set()).add(c["connection_id"])
    return lost, last_seqs


def _access_rows(user_model: Any, user_ids: set[int]) -> dict[int, tuple[Any, ...]]:
    """``id -> (is_active, token_version, role)`` of the people connected here.

    On PostgreSQL the ids travel as one array parameter (``= ANY(%s)``): an ``IN`` list of
    thousands of placeholders costs far more to build and bind than the query itself
    (the access sweep of 4,000 idle sockets spent most of its time there).
    """
    if connection.vendor != "postgresql":
        rows = user_model.objects.filter(pk__in=user_ids).values_list(
            "pk", "is_active", "token_version", "role"
        )
        return {row[0]: tuple(row[1:]) for row in rows}
    table = connection.ops.quote_name(user_model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, is_active, token_version, role FROM {table} WHERE id = ANY(%s)",  # noqa: S608
            [list(user_ids)],
        )
        return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}


def _full_check(session_id: int, checks: list[dict[str, Any]]) -> set[str]:
    from deliberation.agendas.models import Session
    from deliberation.people.models import User

    from .permissions import can_enter_room

    session = Session.objects.select_related("agenda", "agenda__organisation").get(pk=session_id)
    lost = _sweep_rooms({session_id: checks})[0].get(session_id, set())
    verdict: dict[int, bool] = {}
    for c in checks:
        uid = c["user_id"]
        if uid not in verdict:
            user = User.objects.filter(pk=uid).first()
            verdict[uid] = user is not None and can_enter_room(user, session)
        if not verdict[uid]:
            lost.add(c["connection_id"])
    return lost
