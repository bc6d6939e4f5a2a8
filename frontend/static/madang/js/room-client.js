// The live room's browser client: one WebSocket per session, ordered by the room's
// sequence numbers (docs/protocol.md).
//
// - Numbered events are applied strictly in order. One that arrives ahead of its
//   predecessor is held briefly; if the gap does not fill, the missing range is
//   fetched with {"type": "resume", "after": N}. "resync" means: a fresh snapshot follows.
// - Reconnects use exponential backoff with full jitter and resume from the last
//   sequence number seen.
// - Every action carries a client message id. Unacknowledged actions stay in an outbox
//   and are sent once more on each new connection; the server answers a repeated id
//   with the original acknowledgement, so nothing is stored twice.

export const State = Object.freeze({
  CONNECTING: "connecting",
  OPEN: "open",
  RECONNECTING: "reconnecting",
  CLOSED: "closed",
});

// Close codes after which trying again cannot help (see docs/protocol.md).
const FINAL_CLOSE_CODES = new Set([4003]);

export class RoomError extends Error {
  constructor(code, message, retryable = false, detail = {}) {
    super(message || code);
    this.name = "RoomError";
    this.code = code;
    this.retryable = Boolean(retryable);
    this.detail = detail;
  }
}

function defaultId() {
  if (globalThis.crypto && typeof globalThis.crypto.randomUUID === "function") {
    return globalThis.crypto.randomUUID();
  }
  // Older browsers: random enough for a per-tab message id.
  return `m-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

export function roomSocketUrl(sessionId, loc = globalThis.location, view = "") {
  const scheme = loc.protocol === "https:" ? "wss:" : "ws:";
  // A projector says so: the server does not count a screen as someone present.
  const query = view ? `?view=${encodeURIComponent(view)}` : "";
  return `${scheme}//${loc.host}/ws/sessions/${encodeURIComponent(sessionId)}/${query}`;
}

// Full jitter: a uniformly random wait between 0 and the capped exponential bound.
export function backoffDelay(attempt, { baseMs = 500, capMs = 30000, random = Math.random } = {}) {
  const bound = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * bound);
}

export class RoomClient {
  constructor(options) {
    const o = options || {};
    this.url = o.url;
    this.WebSocketImpl = o.WebSocketImpl || globalThis.WebSocket;
    this.random = o.random || Math.random;
    this.now = o.now || (() => Date.now());
    this.setTimer = o.setTimer || ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = o.clearTimer || ((t) => clearTimeout(t));
    this.newId = o.newId || defaultId;
    this.gapWaitMs = o.gapWaitMs ?? 1000;
    this.backoffBaseMs = o.backoffBaseMs ?? 500;
    this.backoffCapMs = o.backoffCapMs ?? 30000;
    this.maxSendsPerMessage = o.maxSendsPerMessage ?? 6;
    // A lost last event shows no gap until something follows it; a quiet room asks.
    this.idleCheckMs = o.idleCheckMs ?? 45000;
    this.log = o.log || ((...args) => console.warn(...args));

    this.state = State.CLOSED;
    this.lastSeq = null; // null until a snapshot arrives
    this.clockOffsetMs = 0; // server time minus local time
    this.ws = null;
    this.connectionNumber = 0;
    this.attempt = 0;
    this.stopped = true;
    this.reconnectTimer = null;
    this.gapTimer = null;
    this.idleTimer = null;
    this.resumeInFlight = false;
    this.held = new Map(); // seq -> event that arrived ahead of its predecessor
    this.handlers = new Map(); // type -> Set(fn); "*" sees every message
    this.outbox = new Map(); // client message id -> entry, in sending order
    this.stats = { reconnects: 0, resumes: 0, resyncs: 0, resent: 0 };
  }

  // ---- public API -------------------------------------------------------------

  connect() {
    this.stopped = false;
    if (this.ws) return this;
    this._open();
    return this;
  }

  close() {
    this.stopped = true;
    this._clearTimers();
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      this._detach(ws);
      try {
        ws.close(1000);
      } catch (_) {
        /* already closing */
      }
    }
    this._setState(State.CLOSED);
  }

  on(type, fn) {
    if (!this.handlers.has(type)) this.handlers.set(type, new Set());
    this.handlers.get(type).add(fn);
    return () => this.handlers.get(type)?.delete(fn);
  }

  // Send an action; resolves with the server's ack, rejects with a RoomError.
  send(type, fields = {}) {
    const id = this.newId();
    const frame = JSON.stringify({ ...fields, type, id });
    return new Promise((resolve, reject) => {
      const entry = { id, type, frame, resolve, reject, sentOn: 0, sends: 0 };
      this.outbox.set(id, entry);
      if (this._isOpen()) this._transmit(entry);
    });
  }

  serverNow() {
    return this.now() + this.clockOffsetMs;
  }

  pendingCount() {
    return this.outbox.size;
  }

  // Drop the current socket and start again from a fresh snapshot (also used by tests).
  reload() {
    this.lastSeq = null;
    this.held.clear();
    this._restartNow();
  }

  // Simulate a network drop: the socket dies, the client reconnects and resumes.
  dropConnection() {
    if (this.ws) {
      try {
        this.ws.close(4000);
      } catch (_) {
        /* ignore */
      }
    }
  }

  // ---- connection ------------------------------------------------------------

  _open() {
    this._setState(this.connectionNumber === 0 ? State.CONNECTING : State.RECONNECTING);
    let url = this.url;
    if (this.lastSeq !== null) {
      url += (url.includes("?") ? "&" : "?") + `after=${encodeURIComponent(this.lastSeq)}`;
    }
    let ws;
    try {
      ws = new this.WebSocketImpl(url);
    } catch (err) {
      this.log("room socket could not be created", err);
      this._scheduleReconnect();
      return;
    }
    this.ws = ws;
    this.connectionNumber += 1;
    const number = this.connectionNumber;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.resumeInFlight = false;
      this._flushOutbox(number);
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      this._receive(ev.data);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this._onClosed(ev && ev.code);
    };
    ws.onerror = () => {
      /* a close event follows */
    };
  }

  _detach(ws) {
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
  }

  _isOpen() {
    return Boolean(this.ws) && this.ws.readyState === 1;
  }

  _onClosed(code) {
    this._clearGapTimer();
    if (this.idleTimer !== null) {
      this.clearTimer(this.idleTimer);
      this.idleTimer = null;
    }
    this.resumeInFlight = false;
    if (this.stopped) {
      this._setState(State.CLOSED);
      return;
    }
    if (FINAL_CLOSE_CODES.has(code)) {
      this.stopped = true;
      this._setState(State.CLOSED, { code });
      this._failOutbox(new RoomError("closed", "", false));
      return;
    }
    this._scheduleReconnect();
  }

  _scheduleReconnect() {
    if (this.stopped) return;
    this._setState(State.RECONNECTING);
    const delay = backoffDelay(this.attempt, {
      baseMs: this.backoffBaseMs,
      capMs: this.backoffCapMs,
      random: this.random,
    });
    this.attempt += 1;
    this.stats.reconnects += 1;
    this.reconnectTimer = this.setTimer(() => {
      this.reconnectTimer = null;
      if (!this.stopped && !this.ws) this._open();
    }, delay);
  }

  _restartNow() {
    const ws = this.ws;
    this.ws = null;
    this._clearTimers();
    if (ws) {
      this._detach(ws);
      try {
        ws.close(4000);
      } catch (_) {
        /* ignore */
      }
    }
    if (!this.stopped) this._open();
  }

  reconnectNow() {
    if (this.stopped || this.ws) return;
    if (this.reconnectTimer !== null) {
      this.clearTimer(this.reconnectTimer);
      this.reconnectTimer = null;
    }
    this._open();
  }

  _clearGapTimer() {
    if (this.gapTimer !== null) {
      this.clearTimer(this.gapTimer);
      this.gapTimer = null;
    }
  }

  _armIdleCheck() {
    if (this.idleTimer !== null) this.clearTimer(this.idleTimer);
    this.idleTimer = this.setTimer(() => {
      this.idleTimer = null;
      if (this._isOpen() && this.lastSeq !== null) this._resume();
    }, this.idleCheckMs);
  }

  _clearTimers() {
    this._clearGapTimer();
    if (this.idleTimer !== null) {
      this.clearTimer(this.idleTimer);
      this.idleTimer = null;
    }
    if (this.reconnectTimer !== null) {
      this.clearTimer(this.reconnectTimer);
      this.reconnectTimer = null;
    }
  }

  _setState(state, extra = {}) {
    if (this.state === state && !extra.code) return;
    this.state = state;
    this._emit({ type: "connection", state, ...extra });
  }

  // ---- outbox ----------------------------------------------------------------

  _transmit(entry) {
    if (entry.sentOn === this.connectionNumber) return;
    if (entry.sends >= this.maxSendsPerMessage) {
      this.outbox.delete(entry.id);
      entry.reject(new RoomError("undelivered", "", true));
      return;
    }
    if (entry.sends > 0) this.stats.resent += 1;
    entry.sentOn = this.connectionNumber;
    entry.sends += 1;
    try {
      this.ws.send(entry.frame);
    } catch (err) {
      // Will go out once more on the next connection.
      entry.sentOn = 0;
      this.log("room socket send failed", err);
    }
  }

  _flushOutbox(number) {
    for (const entry of this.outbox.values()) {
      if (number !== this.connectionNumber || !this._isOpen()) return;
      this._transmit(entry);
    }
  }

  _failOutbox(error) {
    for (const entry of this.outbox.values()) entry.reject(error);
    this.outbox.clear();
  }

  _settle(msg) {
    const entry = this.outbox.get(msg.id);
    if (!entry) return false;
    this.outbox.delete(msg.id);
    if (msg.type === "ack") {
      entry.resolve(msg);
    } else {
      entry.reject(new RoomError(msg.code || "error", msg.message, msg.retryable, msg));
    }
    return true;
  }

  // ---- incoming --------------------------------------------------------------

  _receive(raw) {
    let msg;
    try {
      msg = JSON.parse(raw);
    } catch (err) {
      this.log("room message is not JSON", err);
      return;
    }
    if (!msg || typeof msg !== "object" || typeof msg.type !== "string") return;
    this._noteClock(msg);

    if (msg.type === "ack" || msg.type === "error") {
      if (msg.id === this._resumeId) {
        this.resumeInFlight = false;
        this._resumeId = null;
        if (msg.type === "error") this.reload();
        else {
          this._checkGap();
          this._armIdleCheck();
        }
        return;
      }
      if (!this._settle(msg)) this._emit(msg);
      return;
    }
    if (msg.type === "snapshot") {
      this._applySnapshot(msg);
      return;
    }
    if (msg.type === "resync") {
      // A fresh snapshot follows on this socket; until it does, numbered events wait.
      this.stats.resyncs += 1;
      this.lastSeq = null;
      this.held.clear();
      this._clearGapTimer();
      return;
    }
    if (msg.type === "kicked") {
      this.stopped = true;
      this._emit(msg);
      this._clearTimers();
      const ws = this.ws;
      this.ws = null;
      if (ws) {
        this._detach(ws);
        try {
          ws.close(1000);
        } catch (_) {
          /* ignore */
        }
      }
      this._setState(State.CLOSED, { code: "kicked" });
      this._failOutbox(new RoomError("kicked", msg.message, false));
      return;
    }
    if (typeof msg.seq === "number") {
      this._receiveNumbered(msg);
      return;
    }
    this._emit(msg);
  }

  _noteClock(msg) {
    const t = msg.server_time ?? msg.now;
    if (typeof t === "string" || typeof t === "number") {
      const serverMs = typeof t === "number" ? (t < 1e12 ? t * 1000 : t) : Date.parse(t);
      if (Number.isFinite(serverMs)) this.clockOffsetMs = serverMs - this.now();
    }
  }

  _applySnapshot(msg) {
    this.lastSeq = msg.seq;
    this.attempt = 0;
    this._setState(State.OPEN);
    this._emit(msg);
    for (const seq of [...this.held.keys()]) {
      if (seq <= this.lastSeq) this.held.delete(seq);
    }
    this._drain();
    this._checkGap();
    this._armIdleCheck();
  }

  _receiveNumbered(msg) {
    if (this.lastSeq === null) {
      this.held.set(msg.seq, msg);
      return;
    }
    if (msg.seq <= this.lastSeq) return; // already applied
    if (this.state !== State.OPEN) {
      // A replay after ?after=N opens the room again without a snapshot.
      this.attempt = 0;
      this._setState(State.OPEN);
    }
    this.held.set(msg.seq, msg);
    this._drain();
    this._checkGap();
    this._armIdleCheck();
  }

  _drain() {
    while (this.held.has(this.lastSeq + 1)) {
      const next = this.held.get(this.lastSeq + 1);
      this.held.delete(this.lastSeq + 1);
      this.lastSeq = next.seq;
      this._emit(next);
    }
  }

  _checkGap() {
    if (this.held.size === 0) {
      this._clearGapTimer();
      return;
    }
    if (this.gapTimer !== null || this.resumeInFlight) return;
    this.gapTimer = this.setTimer(() => {
      this.gapTimer = null;
      if (this.held.size > 0) this._resume();
    }, this.gapWaitMs);
  }

  _resume() {
    if (!this._isOpen() || this.resumeInFlight) return;
    this.resumeInFlight = true;
    this.stats.resumes += 1;
    this._resumeId = this.newId();
    try {
      this.ws.send(JSON.stringify({ type: "resume", id: this._resumeId, after: this.lastSeq }));
    } catch (err) {
      this.resumeInFlight = false;
      this.log("resume failed", err);
    }
  }

  _emit(msg) {
    for (const key of [msg.type, "*"]) {
      const set = this.handlers.get(key);
      if (!set) continue;
      for (const fn of [...set]) {
        try {
          fn(msg, this);
        } catch (err) {
          this.log(`room handler for ${msg.type} failed`, err);
        }
      }
    }
  }
}
