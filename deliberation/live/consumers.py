"""The room's WebSocket: parse, authorize, call the action table, answer.

A plain ASGI application (one ``RoomSocket`` per connection) rather than a Channels
consumer: room events reach it from the room hub, which writes them straight to the
socket, so no per-delivery channel-layer message or thread hop exists to dispatch.

Connect order: authorize (identity, access, ban) -> join the room hub -> accept ->
snapshot (with the room's seq) -> buffered and live deltas.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

import orjson
from channels.db import database_sync_to_async
from django.db import DatabaseError, InterfaceError, OperationalError
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.people.devices import scope_device, voter_key

from . import actions, hub, joingate, selectors, services, wire
from .errors import ActionError
from .events import Kicked, Resync, encode

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 16 * 1024
# Facilitators' frames may carry a wrap-up (10,000 characters of Korean in its markup).
STAFF_MAX_MESSAGE_BYTES = 160 * 1024
ID_MAX = 64
# Outgoing bytes the server holds for one socket before it gives up on it (close 4013).
OUTBOX_LIMIT = 1024 * 1024
BUFFER_LIMIT = 2000  # events kept for a socket while its snapshot is being built
WORK_LIMIT = 20  # admitted frames waiting for their turn on one connection
ACTION_TIMEOUT = 10.0  # seconds an action may wait for the database before "unavailable"

_pooled: ThreadPoolExecutor | None = None


def _pooled_executor() -> ThreadPoolExecutor:
    """The one thread of this process's pooled actions (see ``actions.ActionSpec``)."""
    global _pooled
    if _pooled is None:
        _pooled = ThreadPoolExecutor(max_workers=1, thread_name_prefix="room-pooled")
    return _pooled


class TokenBucket:
    """``rate`` tokens a second, at most ``burst`` saved up."""

    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.stamp = time.monotonic()

    def take(self) -> float:
        """Take a token: 0.0 if granted, else seconds until one is available."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


CONNECTION_RATE = (10.0, 20.0)
PERSON_RATE = (20.0, 40.0)
_person_buckets: dict[str, tuple[TokenBucket, int]] = {}


def _person_bucket(user_id: str) -> TokenBucket:
    bucket, users = _person_buckets.get(user_id, (None, 0))
    if bucket is None:
        bucket = TokenBucket(*PERSON_RATE)
    _person_buckets[user_id] = (bucket, users + 1)
    return bucket


def _release_person_bucket(user_id: str) -> None:
    bucket, users = _person_buckets.get(user_id, (None, 0))
    if bucket is None:
        return
    if users <= 1:
        _person_buckets.pop(user_id, None)
    else:
        _person_buckets[user_id] = (bucket, users - 1)


def _error(code: str, message: str, request_id: str | None, **extra: Any) -> str:
    return encode(ActionError(code, message, **extra).payload(request_id))


def _rate_limited(request_id: str | None, wait: float) -> str:
    return _error(
        "rate_limited",
        _("메시지를 너무 자주 보냈습니다. 잠시 뒤에 다시 보내 주세요."),
        request_id,
        retryable=True,
        retry_after=round(wait, 2),
    )


class RoomSocket:
    """One WebSocket connection to one session's room."""

    def __init__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.scope = scope
        self.receive = receive
        self.base_send = send
        self.session_id = int(scope["url_route"]["kwargs"]["session_id"])
        self.connection_id = uuid.uuid4().hex
        user = scope.get("user")
        self.user_id = int(user.pk) if user is not None and user.pk is not None else 0
        self.staff = False
        # A projector's socket (?view=projector) watches the room; it is nobody present.
        self.screen = self._query_value("view") == "projector"
        self.active = False  # snapshot sent, receiving live events
        self.closed = False
        self.last_seq = 0
        self.buffer: list[tuple[str, int | None]] = []
        self.hub: hub.RoomHub | None = None
        self.bucket = TokenBucket(*CONNECTION_RATE)
        self.person_bucket: TokenBucket | None = None
        self.rate_key = ""
        self._identity: dict[str, Any] = {}

    @classmethod
    def as_asgi(cls) -> Any:
        async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
            await cls(scope, receive, send).run()

        return app

    # --- identity ---------------------------------------------------------------------------

    def identity(self) -> dict[str, Any]:
        """What the hub's access sweep compares against the database (made at connect)."""
        return self._identity

    def _authorize(self) -> dict[str, Any] | None:
        from deliberation.agendas.models import Session

        from .permissions import is_room_staff

        user = self.scope.get("user")
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return None
        session = (
            Session.objects.select_related("agenda", "agenda__organisation")
            .filter(pk=self.session_id)
            .first()
        )
        if session is None or not services.participant_join(
            user=user, session=session, device_id=scope_device(self.scope)
        ):
            return None
        via_cookie = "resident_token" in self.scope
        sign_in = None
        if not via_cookie:
            django_session = self.scope.get("session")
            sign_in = getattr(django_session, "session_key", None)
        return {
            "staff": is_room_staff(user, session),
            "role": user.role,
            "token_version": user.token_version if via_cookie else None,
            "sign_in": sign_in,
        }

    # --- the connection ------------------------------------------------------------------

    async def run(self) -> None:
        message = await self.receive()
        if message["type"] != "websocket.connect":
            return
        joined = False
        try:
            async with joingate.gate().enter(self.receive) as admission:
                if admission == joingate.BUSY:
                    # This process is letting others in: come back later, with backoff.
                    await self.base_send({"type": "websocket.accept"})
                    await self.base_send({"type": "websocket.close", "code": 4013})
                if admission != joingate.IN or not await self._enter_room():
                    return
                joined = True
                await self.base_send({"type": "websocket.accept"})
                after = self._after_from_query()
                # With ?after, stay buffering between the snapshot and the replay, so an
                # event arriving in between is neither lost nor sent twice.
                await self.send_snapshot(activate=after is None)
                if after is not None:
                    await self.resume(after, request_id=None)
            await self._serve()
        finally:
            if joined:
                self.closed = True
                self.active = False
                _release_person_bucket(self.rate_key)
                if self.hub is not None:
                    await self.hub.leave(self)

    async def _enter_room(self) -> bool:
        """Authorize and join the room hub; False (the socket refused) if either fails."""
        try:
            # Joins run on the thread pool (each thread its own connection), not on the
            # process's one database thread; the join gate bounds how many at once.
            identity = await database_sync_to_async(self._authorize, thread_sensitive=False)()
        except Exception:
            log.exception("room %s: authorisation failed", self.session_id)
            identity = None
        if identity is None:
            # Closing before accepting refuses the handshake (HTTP 403).
            await self.base_send({"type": "websocket.close", "code": 4403})
            return False
        self.staff = identity.pop("staff")
        self._identity = {"connection_id": self.connection_id, "user_id": self.user_id, **identity}
        # One budget per person: an account, or for quick-join residents their device, so
        # several nicknames on one phone share it instead of multiplying it.
        self.rate_key = voter_key(self.scope["user"])
        self.person_bucket = _person_bucket(self.rate_key)
        try:
            self.hub = await hub.join(self)
        except Exception:
            log.exception("room %s: could not join the room hub", self.session_id)
            await self.base_send({"type": "websocket.close", "code": 1011})
            _release_person_bucket(self.rate_key)
            return False
        return True

    def _query_value(self, name: str) -> str | None:
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        values = query.get(name)
        return values[0] if values else None

    def _after_from_query(self) -> int | None:
        value = self._query_value("after")
        if value is None:
            return None
        try:
            return max(0, int(value))
        except ValueError:
            return None

    async def _serve(self) -> None:
        # Frames are admitted (size, JSON, id, rate) as they arrive, so a flood is refused
        # at once instead of queueing unread in the server while actions wait for the
        # database; admitted frames run one at a time, in order, at most WORK_LIMIT waiting.
        work: asyncio.Queue[tuple[dict[str, Any], str]] = asyncio.Queue(WORK_LIMIT)
        worker = asyncio.ensure_future(self._work(work))
        try:
            while not self.closed:
                message = await self.receive()
                kind = message["type"]
                if kind == "websocket.disconnect":
                    return
                if kind != "websocket.receive":
                    continue
                if message.get("bytes") is not None and message.get("text") is None:
                    await self._send_text(
                        _error("binary_unsupported", _("텍스트(JSON) 메시지만 받습니다."), None)
                    )
                    continue
                admitted = await self.admit(message.get("text") or "")
                if admitted is None:
                    continue
                if work.full():
                    await self._send_text(_rate_limited(admitted[1], 1.0))
                    continue
                work.put_nowait(admitted)
        finally:
            worker.cancel()

    async def _work(self, work: asyncio.Queue[tuple[dict[str, Any], str]]) -> None:
        while True:
            data, request_id = await work.get()
            try:
                await self.execute(data, request_id)
            except Exception:
                log.exception("room %s: could not answer %s", self.session_id, request_id)

    # --- sending ---------------------------------------------------------------------------

    async def _send_text(self, text: str) -> None:
        if self.closed:
            return
        try:
            await self.base_send({"type": "websocket.send", "text": text})
        except Exception:  # the peer went away under us; the disconnect follows
            log.debug("send to a socket already gone", exc_info=True)
            self.closed = True

    async def push(self, text: str, seq: int | None = None) -> None:
        """From the hub: deliver one encoded event (numbered ones once each, in order)."""
        if self.closed:
            return
        if not self.active:
            if len(self.buffer) >= BUFFER_LIMIT:
                await self.close(4013)
                return
            self.buffer.append((text, seq))
            return
        if seq is not None:
            if seq <= self.last_seq:
                return
            self.last_seq = seq
        if wire.backlog(wire.connection_of(self.base_send)) > OUTBOX_LIMIT:
            # A client that does not read: stop buffering for it; it resumes by seq.
            await self.close(4013)
            return
        await self._send_text(text)

    async def close(self, code: int) -> None:
        if self.closed:
            return
        self.closed = True
        self.active = False
        if self.hub is not None:
            self.hub.discard(self)
        try:
            await self.base_send({"type": "websocket.close", "code": code})
        except Exception:
            log.debug("close of a socket already gone", exc_info=True)

    async def kick(self, reason: str) -> None:
        """Access ended: say why, then close (4003)."""
        messages = {
            "banned": _("이 회의실에서 차단되었습니다."),
            "removed": _("진행자가 회의실에서 내보냈습니다."),
            "access_lost": _("이 회의실에 더 이상 참여할 수 없습니다."),
        }
        kicked = Kicked(reason=reason, message=messages.get(reason, messages["access_lost"]))
        await self._send_text(encode(kicked.to_dict()))
        await self.close(4003)

    # --- snapshot and resume ------------------------------------------------------------

    def _snapshot(self) -> dict[str, Any]:
        from deliberation.agendas.models import Session
        from deliberation.people.models import User

        from .floor import floor_expire

        session = Session.objects.select_related("agenda__organisation").get(pk=self.session_id)
        user = User.objects.get(pk=self.user_id)
        if self.staff:
            floor_expire(session_id=self.session_id)  # a turn past its time ends on read
            state = None  # read for this facilitator (room_state reads the session anew)
        else:
            state = _shared_room_state(session)
        presence = self.hub.presence_total() if self.hub is not None else 0
        return selectors.room_snapshot(
            session=session, user=user, staff=self.staff, presence=presence, state=state
        )

    async def send_snapshot(self, *, activate: bool = True) -> None:
        """Send the room's state at seq S, then whatever arrived meanwhile after S."""
        self.active = False
        snapshot = await database_sync_to_async(self._snapshot, thread_sensitive=False)()
        self.last_seq = snapshot["seq"]
        await self._send_text(encode(snapshot))
        if activate:
            await self._activate()

    async def _activate(self) -> None:
        """Go live: flush what arrived while buffering (dropping what the client holds)."""
        pending, self.buffer = self.buffer, []
        self.active = True
        for text, seq in pending:
            await self.push(text, seq)

    async def resume(self, after: int, *, request_id: str | None) -> dict[str, Any]:
        """Replay (after, current] exactly, or tell the client to resync and send a snapshot."""
        self.active = False
        try:
            replay = await database_sync_to_async(selectors.events_after, thread_sensitive=False)(
                session_id=self.session_id, after=after, staff=self.staff
            )
        except BaseException:
            await self._activate()
            raise
        if replay is None:
            current = await database_sync_to_async(_current_seq, thread_sensitive=False)(
                self.session_id
            )
            await self._send_text(encode(Resync(seq=current).to_dict()))
            await self.send_snapshot()
            return {"seq": self.last_seq, "replayed": 0, "resync": True}
        # Events sent since ``after`` (live) are not sent twice; the buffer fills the tail.
        self.last_seq = after
        for data in replay:
            self.last_seq = data["seq"]
            await self._send_text(encode(data))
        await self._activate()
        return {"seq": self.last_seq, "replayed": len(replay)}

    async def resync_after_outage(self) -> None:
        """The channel layer is back: a fresh snapshot, without a hole in numbered events.

        Live events wait in the buffer from the start, so nothing older than the snapshot
        follows it. The socket, which was sent every event up to L, gets the events in
        (L, S] if it is behind the snapshot's seq S, then ``resync`` and the snapshot, then
        the events in (S, L] if it was ahead (applied again on top of the snapshot).
        """
        if self.closed:
            return
        read = database_sync_to_async(self._snapshot, thread_sensitive=False)
        if not self.active:
            # Joining or resuming right now (that sends its events in order): add the state.
            snapshot = await read()
            await self._send_text(encode(Resync(seq=int(snapshot["seq"])).to_dict()))
            await self._send_text(encode(snapshot))
            return
        self.active = False  # from here on, live events wait in the buffer
        try:
            snapshot = await read()
            at, held = int(snapshot["seq"]), self.last_seq
            missing = await database_sync_to_async(selectors.events_after, thread_sensitive=False)(
                session_id=self.session_id, after=min(held, at), staff=self.staff
            )
            replay = [e for e in missing or () if e["seq"] <= max(held, at)]
            for data in replay:
                if data["seq"] <= at:
                    await self._send_text(encode(data))
            await self._send_text(encode(Resync(seq=at).to_dict()))
            await self._send_text(encode(snapshot))
            for data in replay:
                if data["seq"] > at:
                    await self._send_text(encode(data))
            self.last_seq = max(held, at)
        finally:
            await self._activate()

    # --- receiving ------------------------------------------------------------------------

    async def handle_text(self, text: str) -> None:
        """Parse one client frame and answer it with exactly one ack or error."""
        admitted = await self.admit(text)
        if admitted is not None:
            await self.execute(*admitted)

    async def admit(self, text: str) -> tuple[dict[str, Any], str] | None:
        """Check size, JSON, id and rate; answer a refused frame at once (None)."""
        limit = STAFF_MAX_MESSAGE_BYTES if self.staff else MAX_MESSAGE_BYTES
        if len(text) > limit or (
            len(text) > limit // 4 and len(text.encode("utf-8", "replace")) > limit
        ):
            await self._send_text(
                _error(
                    "too_large",
                    _("메시지가 너무 큽니다(최대 %(kb)dKB).") % {"kb": limit // 1024},
                    None,
                    limit=limit,
                )
            )
            return None
        try:
            data = orjson.loads(text)
        except (orjson.JSONDecodeError, RecursionError, UnicodeError, ValueError):
            await self._send_text(_error("bad_json", _("JSON 형식이 아닙니다."), None))
            return None
        if not isinstance(data, dict):
            await self._send_text(_error("not_object", _("JSON 객체를 보내 주세요."), None))
            return None
        request_id = data.get("id")
        if not isinstance(request_id, str) or not 1 <= len(request_id) <= ID_MAX:
            await self._send_text(_error("bad_id", _("'id'는 1~64자의 문자열이어야 합니다."), None))
            return None
        wait = self.bucket.take()
        if not wait and self.person_bucket is not None:
            wait = self.person_bucket.take()
        if wait:
            await self._send_text(_rate_limited(request_id, wait))
            return None
        return data, request_id

    async def execute(self, data: dict[str, Any], request_id: str) -> None:
        """Run one admitted action and answer it with exactly one ack or error."""
        kind = data.get("type")
        if not isinstance(kind, str):
            await self._send_text(_error("bad_type", _("'type'이 없습니다."), request_id))
            return
        # The protocol's own two actions, then the explicit table; nothing else.
        try:
            if kind == "ping":
                result: dict[str, Any] = {"now": timezone.now().isoformat()}
            elif kind == "resume":
                after = actions.field_int(data, "after")
                assert after is not None
                result = await self.resume(after, request_id=request_id)
            else:
                spec = actions.lookup(kind)
                if spec is None:
                    await self._send_text(
                        _error("unknown_type", _("알 수 없는 메시지 종류입니다."), request_id)
                    )
                    return
                if spec.batched is not None:
                    # Stored with the room's other votes in one batch; the ack once it is.
                    result = await asyncio.wait_for(
                        spec.batched(self.user_id, self.session_id, data), ACTION_TIMEOUT
                    )
                else:
                    # On the process's one database thread, not the pool: posts into one room
                    # are ordered by its row lock anyway, and six pool threads contending for
                    # that lock and for the GIL starved the event loop (160 posts/s into one
                    # room: ack p50 1.1 s on the pool against 0.16 s here; docs/benchmarks.md).
                    # Actions registered ``pooled`` take no room lock: they get a thread of
                    # their own (one: more threads would fight the room's for the GIL).
                    run = (
                        database_sync_to_async(
                            actions.run_action, thread_sensitive=False, executor=_pooled_executor()
                        )
                        if spec.pooled
                        else database_sync_to_async(actions.run_action)
                    )
                    result = await asyncio.wait_for(
                        run(
                            spec,
                            user_id=self.user_id,
                            session_id=self.session_id,
                            connection_id=self.connection_id,
                            payload=data,
                        ),
                        ACTION_TIMEOUT,
                    )
        except ActionError as exc:
            await self._send_text(encode(exc.payload(request_id)))
            if exc.code == "access_lost":
                await self.kick("access_lost")
            return
        except (OperationalError, InterfaceError, TimeoutError) as exc:
            # A stalled database must not leave the sender waiting in silence. An action
            # that times out may still commit later: the retry with the same client id
            # then gets the original acknowledgement, never a second copy.
            log.warning("room %s: database unavailable: %r", self.session_id, exc)
            await self._send_text(
                _error(
                    "unavailable",
                    _("잠시 저장할 수 없습니다. 다시 보내 주세요."),
                    request_id,
                    retryable=True,
                )
            )
            return
        except DatabaseError:
            log.exception("room %s: database error in %s", self.session_id, kind)
            await self._send_text(
                _error(
                    "server_error",
                    _("처리하지 못했습니다. 다시 보내 주세요."),
                    request_id,
                    retryable=True,
                )
            )
            return
        except Exception:
            log.exception("room %s: action %s failed", self.session_id, kind)
            await self._send_text(
                _error(
                    "server_error",
                    _("처리하지 못했습니다. 다시 보내 주세요."),
                    request_id,
                    retryable=True,
                )
            )
            return
        await self._send_text(encode({"type": "ack", "id": request_id, **result}))


# A join storm: residents joining a room at the same seq share one read of the room.
_shared_states: selectors.SharedReads[dict[str, Any]] = selectors.SharedReads(
    selectors.SHARED_READ_SECONDS
)


def _shared_room_state(session: Any) -> dict[str, Any]:
    from .floor import floor_expire

    def read() -> tuple[int, dict[str, Any]]:
        floor_expire(session_id=session.pk)  # a turn past its time ends on read
        state = selectors.room_state(session=session, staff=False)
        return state["seq"], state

    state = _shared_states.get(session.pk, session.last_seq, read)
    floor = state["floor"]
    if floor is not None and floor["ends_at"] is not None:
        if datetime.fromisoformat(floor["ends_at"]) <= timezone.now():
            # The shared read shows a turn whose time is up: end it, read the room anew.
            _, state = read()
    return state


def _current_seq(session_id: int) -> int:
    from deliberation.agendas.models import Session

    return int(Session.objects.values_list("last_seq", flat=True).get(pk=session_id))


room_socket = RoomSocket.as_asgi()
