// Logic of the room's browser client, driven by a fake socket and a manual clock.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  RoomClient,
  State,
  backoffDelay,
} from "../../frontend/static/madang/js/room-client.js";

function harness({ random = () => 0.5 } = {}) {
  const sockets = [];
  const timers = new Map();
  let nextTimer = 1;
  let ids = 0;
  class FakeSocket {
    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.sent = [];
      sockets.push(this);
    }
    send(text) {
      if (this.readyState !== 1) throw new Error("not open");
      this.sent.push(JSON.parse(text));
    }
    close(code = 1000) {
      if (this.readyState === 3) return;
      this.readyState = 3;
      this.onclose?.({ code });
    }
    serverOpen() {
      this.readyState = 1;
      this.onopen?.();
    }
    serverSend(msg) {
      this.onmessage?.({ data: JSON.stringify(msg) });
    }
  }
  const client = new RoomClient({
    url: "ws://test/ws/sessions/7/",
    WebSocketImpl: FakeSocket,
    random,
    setTimer: (fn, ms) => {
      const id = nextTimer++;
      timers.set(id, { fn, ms });
      return id;
    },
    clearTimer: (id) => timers.delete(id),
    newId: () => `id-${++ids}`,
    log: () => {},
  });
  const fire = () => {
    const pending = [...timers.entries()];
    timers.clear();
    for (const [, t] of pending) t.fn();
    return pending.map(([, t]) => t.ms);
  };
  return { client, sockets, timers, fire, last: () => sockets[sockets.length - 1] };
}

function record(client, type = "*") {
  const seen = [];
  client.on(type, (m) => seen.push(m));
  return seen;
}

test("applies numbered events in order after the snapshot", () => {
  const { client, last } = harness();
  const seen = record(client, "statement");
  client.connect();
  last().serverOpen();
  last().serverSend({ type: "snapshot", seq: 3 });
  assert.equal(client.state, State.OPEN);
  last().serverSend({ type: "statement", seq: 4, text: "a" });
  last().serverSend({ type: "statement", seq: 4, text: "a" });
  last().serverSend({ type: "statement", seq: 2, text: "old" });
  last().serverSend({ type: "statement", seq: 5, text: "b" });
  assert.deepEqual(seen.map((m) => m.seq), [4, 5]);
  assert.equal(client.lastSeq, 5);
});

test("holds an early event until its predecessor arrives", () => {
  const { client, last, timers } = harness();
  const seen = record(client, "statement");
  client.connect();
  last().serverOpen();
  last().serverSend({ type: "snapshot", seq: 0 });
  last().serverSend({ type: "statement", seq: 2 });
  assert.deepEqual(seen, []);
  assert.notEqual(client.gapTimer, null);
  last().serverSend({ type: "statement", seq: 1 });
  assert.deepEqual(seen.map((m) => m.seq), [1, 2]);
  assert.equal(client.gapTimer, null, "gap timer is cleared once the gap fills");
  assert.equal(last().sent.length, 0, "no resume was needed");
});

test("asks for the missing range when a gap does not fill", () => {
  const { client, last, fire } = harness();
  const seen = record(client, "statement");
  client.connect();
  last().serverOpen();
  last().serverSend({ type: "snapshot", seq: 10 });
  last().serverSend({ type: "statement", seq: 13 });
  fire();
  assert.deepEqual(last().sent, [{ type: "resume", id: "id-1", after: 10 }]);
  last().serverSend({ type: "statement", seq: 11 });
  last().serverSend({ type: "statement", seq: 12 });
  last().serverSend({ type: "statement", seq: 13 });
  last().serverSend({ type: "ack", id: "id-1" });
  assert.deepEqual(seen.map((m) => m.seq), [11, 12, 13]);
});

test("resync waits for the fresh snapshot that follows it", () => {
  const { client, sockets, last } = harness();
  const snaps = record(client, "snapshot");
  const seen = record(client, "statement.new");
  client.connect();
  last().serverOpen();
  last().serverSend({ type: "snapshot", seq: 5 });
  last().serverSend({ type: "resync", seq: 900 });
  last().serverSend({ type: "statement.new", seq: 901 });
  assert.deepEqual(seen, [], "nothing is applied between resync and the snapshot");
  last().serverSend({ type: "snapshot", seq: 900 });
  assert.equal(sockets.length, 1);
  assert.equal(snaps.length, 2);
  assert.deepEqual(seen.map((m) => m.seq), [901]);
  assert.equal(client.lastSeq, 901);
});

test("reload() starts again from a full snapshot on a new socket", () => {
  const { client, sockets, last } = harness();
  client.connect();
  last().serverOpen();
  last().serverSend({ type: "snapshot", seq: 5 });
  client.reload();
  assert.equal(sockets.length, 2);
  assert.ok(!last().url.includes("after="));
});

test("reconnects with full-jitter backoff and resumes from the last seq", () => {
  const { client, sockets, last, fire } = harness({ random: () => 0.999 });
  const states = record(client, "connection");
  client.connect();
  last().serverOpen();
  last().serverSend({ type: "snapshot", seq: 8 });
  last().close(1006);
  assert.equal(client.state, State.RECONNECTING);
  const delays = [];
  for (let i = 0; i < 8; i += 1) {
    delays.push(...fire());
    last().close(1006);
  }
  assert.ok(delays.every((d, i) => i === 0 || d >= delays[i - 1]));
  assert.ok(Math.max(...delays) <= 30000, "capped");
  assert.ok(sockets.length > 2);
  assert.ok(last().url.endsWith("?after=8"));
  fire();
  last().serverOpen();
  last().serverSend({ type: "statement", seq: 9 });
  assert.equal(client.state, State.OPEN);
  assert.deepEqual(
    [...new Set(states.map((s) => s.state))],
    [State.CONNECTING, State.OPEN, State.RECONNECTING],
  );
});

test("backoff delay is uniformly jittered below the capped bound", () => {
  assert.equal(backoffDelay(0, { random: () => 0 }), 0);
  assert.equal(backoffDelay(3, { baseMs: 500, random: () => 0.5 }), 2000);
  assert.equal(backoffDelay(50, { capMs: 30000, random: () => 0.9999999 }), 29999);
});

test("an unacknowledged statement is resent exactly once after reconnect", async () => {
  const { client, last, fire } = harness();
  client.connect();
  last().serverOpen();
  last().serverSend({ type: "snapshot", seq: 1 });
  const sent = client.send("statement_post", { text: "안녕하세요" });
  assert.deepEqual(last().sent, [{ type: "statement_post", id: "id-1", text: "안녕하세요" }]);
  last().close(1006);
  fire();
  const second = last();
  second.serverOpen();
  assert.deepEqual(second.sent, [{ type: "statement_post", id: "id-1", text: "안녕하세요" }]);
  second.serverSend({ type: "snapshot", seq: 2 });
  // Nothing more goes out on the same connection.
  assert.equal(second.sent.length, 1);
  second.serverSend({ type: "ack", id: "id-1", seq: 2 });
  assert.deepEqual(await sent, { type: "ack", id: "id-1", seq: 2 });
  assert.equal(client.pendingCount(), 0);
  last().close(1006);
  fire();
  last().serverOpen();
  assert.deepEqual(last().sent, [], "an acknowledged statement is never sent again");
});

test("a send made while offline goes out once when the room is back", async () => {
  const { client, last } = harness();
  client.connect();
  const p = client.send("hand_raise", {});
  assert.equal(last().sent.length, 0);
  last().serverOpen();
  assert.equal(last().sent.length, 1);
  last().serverSend({ type: "error", id: "id-1", code: "not_allowed", message: "안 됩니다", retryable: false });
  await assert.rejects(p, (err) => err.code === "not_allowed" && err.message === "안 됩니다");
});

test("kicked stops the client for good", () => {
  const { client, sockets, last, timers } = harness();
  const kicked = record(client, "kicked");
  client.connect();
  last().serverOpen();
  last().serverSend({ type: "snapshot", seq: 1 });
  last().serverSend({ type: "kicked", reason: "banned" });
  assert.equal(client.state, State.CLOSED);
  assert.equal(kicked.length, 1);
  assert.equal(timers.size, 0);
  assert.equal(sockets.length, 1);
});

test("a final close code does not reconnect", () => {
  const { client, sockets, last, timers } = harness();
  client.connect();
  last().serverOpen();
  last().close(4003);
  assert.equal(client.state, State.CLOSED);
  assert.equal(timers.size, 0);
  assert.equal(sockets.length, 1);
});

test("a failing handler does not stop the others", () => {
  const { client, last } = harness();
  const seen = [];
  client.on("statement", () => {
    throw new Error("panel bug");
  });
  client.on("statement", (m) => seen.push(m.seq));
  client.connect();
  last().serverOpen();
  last().serverSend({ type: "snapshot", seq: 0 });
  last().serverSend({ type: "statement", seq: 1 });
  assert.deepEqual(seen, [1]);
});

test("a quiet room asks once in a while whether it missed the last event", () => {
  const { client, last, timers } = harness();
  client.connect();
  last().serverOpen();
  last().serverSend({ type: "snapshot", seq: 4 });
  const idle = [...timers.values()].find((t) => t.ms === 45000);
  assert.ok(idle, "an idle check is armed");
  idle.fn();
  assert.deepEqual(last().sent, [{ type: "resume", id: "id-1", after: 4 }]);
});

test("server time sets the clock offset", () => {
  const { client, last } = harness();
  client.now = () => 1_000_000;
  client.connect();
  last().serverOpen();
  last().serverSend({ type: "snapshot", seq: 0, server_time: 1_005_000 / 1000 });
  assert.equal(client.serverNow(), 1_005_000);
});

// ---------------------------------------------------------------------------
// Property: whatever the network does (reordering, duplicates, lost deliveries,
// dropped connections at any point), the client ends with exactly the room's
// sequence, each event once, in order. Seeded, so a failure names its seed.

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function simulate(seed) {
  const rnd = mulberry32(seed);
  const h = harness({ random: rnd });
  const { client, sockets, timers } = h;
  const log = []; // the room's stored events
  let seen = []; // what the page shows, rebuilt from each snapshot
  client.on("snapshot", (m) => {
    seen = [...m.all];
  });
  client.on("statement.new", (m) => seen.push(m.seq));
  let inflight = []; // live deliveries not yet handed to the socket
  const live = () => {
    const ws = sockets[sockets.length - 1];
    return ws && ws.readyState === 1 ? ws : null;
  };
  const serve = (ws) => {
    ws.send = (text) => {
      const frame = JSON.parse(text);
      if (frame.type !== "resume") return;
      for (const seq of log.filter((s) => s > frame.after)) ws.serverSend({ type: "statement.new", seq });
      ws.serverSend({ type: "ack", id: frame.id, seq: log.length, replayed: 0 });
    };
    ws.serverOpen();
    ws.serverSend({ type: "snapshot", seq: log.length, all: [...log] });
  };
  client.connect();
  serve(sockets[0]);
  const N = 40 + Math.floor(rnd() * 40);
  for (let step = 0; step < 400 && (log.length < N || inflight.length); step += 1) {
    const r = rnd();
    if (r < 0.3 && log.length < N) {
      log.push(log.length + 1);
      if (rnd() > 0.1) inflight.push(log.length); // 10% lost by the channel layer
      if (rnd() < 0.05) inflight.push(log.length); // duplicate delivery
    } else if (r < 0.6 && inflight.length) {
      // Deliver one of the first few in flight: out of order within a small window.
      const i = Math.floor(rnd() * Math.min(3, inflight.length));
      const [seq] = inflight.splice(i, 1);
      live()?.serverSend({ type: "statement.new", seq });
    } else if (r < 0.65 && live()) {
      live().close(1006);
      inflight = [];
    } else if (r < 0.85) {
      for (const [id, t] of [...timers.entries()]) {
        timers.delete(id);
        t.fn();
      }
      const ws = sockets[sockets.length - 1];
      if (ws && ws.readyState === 0) serve(ws);
    }
  }
  // Quiet network: let timers and reconnects settle.
  for (let round = 0; round < 20; round += 1) {
    for (const seq of inflight.splice(0)) live()?.serverSend({ type: "statement.new", seq });
    for (const [id, t] of [...timers.entries()]) {
      timers.delete(id);
      t.fn();
    }
    const ws = sockets[sockets.length - 1];
    if (ws && ws.readyState === 0) serve(ws);
  }
  return { seen, log };
}

test("property: every client ends with exactly the stored sequence", () => {
  for (let seed = 1; seed <= 300; seed += 1) {
    const { seen, log } = simulate(seed);
    assert.deepEqual(seen, log, `seed ${seed}`);
  }
});
