// What the three room pages share: the room's state as the server describes it
// (docs/protocol.md), and keyed DOM rendering of the stage, queue and statements.
// User text is only ever placed with textContent; links are built as elements.

import { RoomClient, State, roomSocketUrl } from "./room-client.js";
import { charCount, clock, el, fmt, linkify, mmss, personNode, plural, readJson } from "./room-dom.js";

export { State };

export const REACTIONS = ["공감", "궁금해요", "아쉬워요"];
const REACTION_KEYS = { 공감: "react_agree", 궁금해요: "react_curious", 아쉬워요: "react_regret" };
const MAX_CHARS = 1000;


export class RoomView {
  constructor(root, { client, config, strings, mode }) {
    this.root = root;
    this.client = client;
    this.config = config;
    this.t = strings;
    this.mode = mode; // "room" | "console" | "projector"
    this.staffView = mode === "console";
    this.me = { id: config.me?.id, nickname: config.me?.nickname, staff: Boolean(config.me?.moderator), muted: false, hand_raised: false };
    this.session = { state: config.state };
    this.statements = new Map();
    this.nodes = new Map();
    this.queue = [];
    this.floor = null;
    this.floorOffset = 0;
    this.reactions = {};
    this.myReactions = new Set();
    this.pending = new Map();
    this.reports = new Map();
    this.log = [];
    this.sanctions = new Map(); // "mute:12" -> {kind, user_id, nickname}: muted or banned people
    this.kicked = false;
    this.ready = false;
    this.myPending = new Set(); // my statements held for approval
    this.stanceChoices = []; // stances the phase allows in the composer ([] = none)
    this.endingSoonTurn = null; // the turn already warned that it ends soon
    this.announceQueue = [];
    this.q = (sel) => root.querySelector(sel);
    // Long sessions: only the most recent statements stay on the page.
    this.sideLimit = Number(this.q("[data-side-list]")?.dataset.limit || 300);
    this._bindClient();
    this._timer = setInterval(() => this.renderTimer(), 250);
    this._announceTimer = setInterval(() => this._flushAnnouncements(), 1200);
  }

  // ---- protocol -----------------------------------------------------------

  _bindClient() {
    const c = this.client;
    c.on("connection", (m) => this.renderConnection(m.state));
    c.on("snapshot", (m) => this.applySnapshot(m));
    c.on("statement.new", (m) => {
      this.upsertStatement(m.statement, { announce: true });
      this._noticeReply(m.statement);
    });
    c.on("statement.restored", (m) => {
      this.myPending.delete(m.statement?.id);
      this.upsertStatement(m.statement);
    });
    c.on("statement.hidden", (m) => this.hideStatement(m.statement_id));
    c.on("statement.pinned", (m) => this.pinStatement(m.statement_id, m.pinned));
    c.on("statement.answered", (m) => {
      const st = this.statements.get(m.statement_id);
      if (st) this.upsertStatement({ ...st, answered: true, answer_id: m.answer_id });
    });
    c.on("queue.changed", (m) => {
      this.queue = m.queue || [];
      this.me.hand_raised = this.queue.some((e) => e.user_id === this.me.id);
      this.renderQueue();
      this.renderRoomState();
    });
    c.on("floor.changed", (m) => this.setFloor(m.floor, m.previous));
    c.on("room.state", (m) => {
      Object.assign(this.session, {
        state: m.state,
        locked: m.locked,
        slow_mode_seconds: m.slow_mode_seconds,
        premoderation: m.premoderation,
      });
      this.renderRoomState();
    });
    c.on("moderation.logged", (m) => {
      this.log.push(m.entry);
      this.renderLog();
      this._noticeModeration(m.entry);
    });
    c.on("reactions", (m) => {
      for (const [id, counts] of Object.entries(m.counts || {})) {
        this.reactions[id] = counts;
        this.renderReactions(Number(id));
      }
    });
    c.on("presence", (m) => this.renderPresence(m.count));
    c.on("you", (m) => {
      this.me.muted = Boolean(m.muted);
      this.me.hand_raised = Boolean(m.hand_raised);
      if (m.notice) this.toast(m.notice);
      this.renderRoomState();
      this.renderQueue();
    });
    c.on("kicked", (m) => {
      this.kicked = true;
      this.notice(m.message || this.t.kicked, true);
      this.announce(m.message || this.t.kicked);
      for (const b of this.root.querySelectorAll(".reaction, .statement__actions button")) b.disabled = true;
      this.renderRoomState();
    });
    c.on("staff.pending", (m) => {
      this.pending.set(m.statement.id, m.statement);
      this.renderPending();
    });
    c.on("staff.pending_done", (m) => {
      this.pending.delete(m.statement_id);
      this.renderPending();
    });
    c.on("staff.report", (m) => {
      this.reports.set(m.report.id, m.report);
      this.renderReports();
      this.announce(fmt(this.t.report_reason, { reason: m.report.reason }));
    });
    c.on("staff.shared_device", (m) => {
      this.sharedDevices.set(m.warning.user_id, m.warning);
      this.renderSharedDevices();
      this.announce(this.sharedDeviceText(m.warning));
    });
    c.on("staff.report_resolved", (m) => {
      this.reports.delete(m.report_id);
      this.renderReports();
    });
  }

  applySnapshot(s) {
    this.session = { ...this.session, ...(s.session || {}) };
    this.me = { ...this.me, ...(s.me || {}) };
    this.queue = s.queue || [];
    this.reactions = s.reactions || {};
    this.myReactions = new Set((s.my_reactions || []).map(([id, kind]) => `${id}|${kind}`));
    // Staff get the full audit log (who acted, on whom); others the public one.
    this.log = s.staff?.audit_log || s.moderation_log || [];
    this.pending = new Map((s.staff?.pending || []).map((st) => [st.id, st]));
    this.reports = new Map((s.staff?.reports || []).map((r) => [r.id, r]));
    this.sharedDevices = new Map((s.staff?.shared_devices || []).map((w) => [w.user_id, w]));
    // A snapshot replaces everything: rebuild the statement lists from it.
    this.statements.clear();
    for (const node of this.nodes.values()) node.remove();
    this.nodes.clear();
    const all = [...(s.statements || [])];
    for (const p of s.pinned || []) if (!all.some((x) => x.id === p.id)) all.push(p);
    all.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0) || a.id - b.id);
    for (const st of all) this.upsertStatement(st, { announce: false });
    // After the statements, so a muted or banned person is named, not shown as "#12".
    this.sanctions = new Map();
    for (const entry of s.staff?.audit_log || []) {
      if (entry.target_kind !== "participant" || !entry.target_id) continue;
      this._noteSanction(entry.action, entry.target_id, null);
    }
    this.ready = true;
    this.setFloor(s.floor, null);
    this.renderAll();
    this.renderPresence(s.presence);
  }

  // ---- state changes ------------------------------------------------------

  upsertStatement(st, { announce = false } = {}) {
    if (!st || st.id === undefined) return;
    const isNew = !this.statements.has(st.id);
    this.statements.set(st.id, st);
    if (st.status === "hidden" && !this.staffView) {
      this._removeNode(st.id);
    } else if (st.status === "visible" || st.status === "hidden") {
      this._placeNode(st);
    }
    this.renderPinned();
    this.renderEmpty();
    if (announce && isNew && st.status === "visible" && st.author?.id !== this.me.id) {
      this.announceQueue.push(st);
    }
  }

  hideStatement(id) {
    const st = this.statements.get(id);
    if (!st) return;
    this.upsertStatement({ ...st, status: "hidden", pinned: false, text: this.staffView ? st.text : "", html: "" });
  }

  pinStatement(id, pinned) {
    const st = this.statements.get(id);
    if (st) this.upsertStatement({ ...st, pinned: Boolean(pinned) });
  }

  setFloor(floor, previous) {
    const hadFloor = this.floor;
    this.floor = floor || null;
    if (this.floor?.now) this.floorOffset = Date.parse(this.floor.now) - Date.now();
    else this.floorOffset = this.client.clockOffsetMs || 0;
    this.renderStage();
    this.renderQueue();
    this.renderRoomState();
    // The stage shows the current turn only: earlier turns' words move to the discussion.
    for (const st of this.statements.values()) if (st.on_stage) this.upsertStatement(st);
    if (this.mode !== "room") return;
    const mineNow = Boolean(this.floor && this.floor.user_id === this.me.id);
    const wasMine = Boolean(hadFloor && hadFloor.user_id === this.me.id);
    if (previous && wasMine && !mineNow) {
      this.alert({ text: this.t.floor_ended, key: "floor" });
    }
    if (mineNow && !(wasMine && hadFloor.turn_id === this.floor.turn_id)) {
      this.alert({
        text: `${this.t.you_have_floor} ${this.t.floor_howto}`,
        key: "floor",
        urgent: true,
        actionLabel: this.t.floor_done,
        onAction: () => this.yieldFloor(),
        secondLabel: this.t.floor_write,
        onSecond: () => this._focusTarget("#composer-text"),
      });
    }
  }

  // Is this statement said during the turn now on the stage?
  _inCurrentTurn(st) {
    const f = this.floor;
    if (!f || !st.on_stage || st.author?.id !== f.user_id) return false;
    return !st.created_at || !f.started_at || Date.parse(st.created_at) >= Date.parse(f.started_at) - 1000;
  }

  // ---- rendering ----------------------------------------------------------

  renderAll() {
    this.renderRoomState();
    this.renderStage();
    this.renderQueue();
    this.renderPinned();
    this.renderEmpty();
    this.renderPending();
    this.renderReports();
    this.renderSharedDevices();
    this.renderLog();
    this.renderSanctions();
    for (const id of this.statements.keys()) this.renderReactions(id);
  }

  renderConnection(state) {
    const node = this.q("[data-conn]");
    if (!node) return;
    const label = {
      [State.CONNECTING]: this.t.state_connecting,
      [State.OPEN]: this.t.state_open,
      [State.RECONNECTING]: this.t.state_reconnecting,
      [State.CLOSED]: this.t.state_closed,
      idle: this.t.state_idle,
    }[state];
    node.dataset.conn = state;
    node.querySelector("[data-conn-label]").textContent = label || state;
    this.renderRoomState();
  }

  renderPresence(count) {
    const node = this.q("[data-presence]");
    if (node && typeof count === "number") node.textContent = plural(this.t.present, count);
  }

  notice(text, urgent = false) {
    const node = this.q("[data-room-notice]");
    if (!node) return;
    node.textContent = text || "";
    node.hidden = !text;
    node.classList.toggle("room-notice--urgent", urgent);
  }

  toast(text) {
    const node = this.q("[data-toast]");
    if (!node) return;
    node.textContent = text;
    clearTimeout(this._toastTimer);
    this._toastTimer = setTimeout(() => {
      node.textContent = "";
    }, 6000);
  }

  announce(text) {
    const node = this.q("[data-announcer]");
    if (!node || !text) return;
    const line = document.createElement("p");
    line.textContent = text;
    node.append(line);
    while (node.childElementCount > 5) node.firstElementChild.remove();
  }

  _flushAnnouncements() {
    const batch = this.announceQueue.splice(0);
    if (!batch.length) return;
    if (batch.length > 3) {
      this.announce(plural(this.t.new_statements_many, batch.length));
      return;
    }
    for (const st of batch) {
      const text = st.text.length > 140 ? `${st.text.slice(0, 140)}…` : st.text;
      const key = st.on_stage ? "new_stage_statement" : "new_statement";
      this.announce(fmt(this.t[key], { author: st.author?.nickname ?? "", text }));
    }
  }

  canPost() {
    return (
      this.ready &&
      !this.kicked &&
      this.client.state === State.OPEN &&
      this.session.state === "live" &&
      (!this.session.locked || this.me.staff) &&
      !this.me.muted
    );
  }

  renderRoomState() {
    const badge = this.q("[data-room-state]");
    if (badge && this.session.state) {
      badge.textContent = this.t[`room_${this.session.state}`] || this.session.state;
      badge.dataset.state = this.session.state;
    }
    if (!this.kicked) {
      const notes = [];
      if (this.session.locked) notes.push(this.t.room_locked);
      if (this.session.slow_mode_seconds > 0) notes.push(fmt(this.t.slow_mode, { n: this.session.slow_mode_seconds }));
      if (this.session.premoderation) notes.push(this.t.premoderation);
      this.notice(notes.join(" · "));
    }
    const canPost = this.canPost();
    const composer = this.q("[data-composer]");
    if (composer) {
      composer.querySelector("textarea").disabled = !canPost && this.client.state !== State.RECONNECTING;
      this._updateCounter();
    }
    const hand = this.q("[data-hand]");
    if (hand) {
      const speaking = Boolean(this.floor && this.floor.user_id === this.me.id);
      hand.disabled = speaking ? !this.ready : !(canPost || (this.me.hand_raised && this.ready));
    }
  }

  _updateCounter() {
    const composer = this.q("[data-composer]");
    if (!composer) return;
    const area = composer.querySelector("textarea");
    const n = charCount(area.value);
    const counter = composer.querySelector("[data-composer-count]");
    counter.textContent = fmt(this.t.chars, { n: n.toLocaleString("ko-KR") });
    counter.classList.toggle("is-over", n > MAX_CHARS);
    composer.querySelector("[data-composer-send]").disabled =
      area.disabled || n === 0 || n > MAX_CHARS || !area.value.trim();
  }

  renderStage() {
    const name = this.q("[data-stage-speaker]");
    const timer = this.q("[data-stage-timer]");
    if (!name) return;
    const stage = this.q(".stage");
    if (this.floor) {
      const mine = this.floor.user_id === this.me.id;
      name.textContent = "";
      name.append(
        el("span", { class: "stage__label", text: this.t.speaking_now }),
        " ",
        el("strong", {}, personNode(this.floor, { you: mine ? this.t.you : "" })),
      );
      timer.hidden = false;
      stage?.classList.add("is-live");
    } else {
      name.textContent = this.t.nobody_speaking;
      timer.hidden = true;
      stage?.classList.remove("is-live");
    }
    this.renderTimer();
  }

  renderTimer() {
    const timer = this.q("[data-stage-timer]");
    if (!timer || !this.floor) return;
    const left = Date.parse(this.floor.ends_at) - (Date.now() + this.floorOffset);
    const text = mmss(left);
    if (timer.textContent !== text) timer.textContent = text;
    timer.classList.toggle("is-ending", left <= 10000);
    const mine = this.mode === "room" && this.floor.user_id === this.me.id;
    if (mine && left > 0 && left <= 15000 && this.endingSoonTurn !== this.floor.turn_id) {
      this.endingSoonTurn = this.floor.turn_id;
      this.alert({ text: this.t.floor_ending_soon, key: "floor", urgent: true, actionLabel: this.t.floor_done, onAction: () => this.yieldFloor() });
    }
  }

  renderQueue() {
    const list = this.q("[data-queue-list]");
    if (!list) return;
    list.textContent = "";
    this.queue.forEach((entry, i) => {
      const mine = entry.user_id === this.me.id;
      const li = el(
        "li",
        { class: `queue__item${mine ? " is-me" : ""}`, "data-user-id": String(entry.user_id) },
        el("span", { class: "queue__pos", "aria-hidden": "true", text: String(i + 1) }),
        personNode(entry, { you: mine ? this.t.you : "", cls: "queue__name" }),
      );
      if (this.staffView) {
        const grant = el("button", { type: "button", class: "btn btn--small", text: this.t.grant, "aria-label": `${entry.nickname}: ${this.t.grant}` });
        grant.addEventListener("click", () => this.act("floor.grant", { user_id: entry.user_id }));
        li.append(grant);
      }
      list.append(li);
    });
    const empty = this.q("[data-queue-empty]");
    if (empty) empty.hidden = this.queue.length > 0;
    const count = this.q("[data-queue-count]");
    if (count) count.textContent = this.queue.length ? `(${this.queue.length})` : "";
    const hand = this.q("[data-hand]");
    if (hand) {
      const raised = this.queue.some((e) => e.user_id === this.me.id) || this.me.hand_raised;
      const speaking = Boolean(this.floor && this.floor.user_id === this.me.id);
      hand.dataset.speaking = speaking ? "1" : "";
      if (speaking) hand.removeAttribute("aria-pressed");
      else hand.setAttribute("aria-pressed", String(raised));
      hand.textContent = speaking ? this.t.floor_done : raised ? this.t.lower_hand : this.t.raise_hand;
      const status = this.q("[data-hand-status]");
      const pos = this.queue.findIndex((e) => e.user_id === this.me.id);
      let text = "";
      if (speaking) text = `${this.t.you_have_floor} ${this.t.floor_howto}`;
      else if (pos >= 0) text = fmt(this.t.you_are_queued, { n: pos + 1 });
      if (status.textContent !== text) status.textContent = text;
    }
  }

  _listFor(st) {
    const stage = this.q("[data-stage-list]");
    if (st.on_stage && stage && this._inCurrentTurn(st)) return stage;
    return this.q("[data-side-list]");
  }

  _removeNode(id) {
    const node = this.nodes.get(id);
    if (node) node.remove();
    this.nodes.delete(id);
  }

  _placeNode(st) {
    const list = this._listFor(st);
    if (!list) {
      this._removeNode(st.id);
      return;
    }
    const fresh = this._statementNode(st);
    const old = this.nodes.get(st.id);
    if (old && old.parentNode === list) {
      const focusAt = this._focusIndex(old);
      old.replaceWith(fresh);
      this._restoreFocus(fresh, focusAt);
    } else {
      if (old) old.remove();
      // Keep the list in the room's order even when a restored statement comes back.
      const after = [...list.children].find((n) => Number(n.dataset.seq) > (st.seq ?? Infinity));
      list.insertBefore(fresh, after || null);
    }
    this.nodes.set(st.id, fresh);
    if (this.sideLimit && list.matches("[data-side-list]")) {
      while (list.childElementCount > this.sideLimit) {
        const first = list.firstElementChild;
        const id = Number(first.dataset.statementId);
        this.nodes.delete(id);
        if (!this.statements.get(id)?.pinned) this.statements.delete(id);
        first.remove();
      }
    }
  }

  // A statement re-rendered under the keyboard keeps focus on the matching control.
  _focusIndex(node) {
    const active = document.activeElement;
    if (!active || !node.contains(active)) return -1;
    return [...node.querySelectorAll("button, a, summary")].indexOf(active);
  }

  _restoreFocus(node, index) {
    if (index < 0) return;
    const controls = [...node.querySelectorAll("button, a, summary")];
    (controls[Math.min(index, controls.length - 1)] || node).focus?.();
  }

  _statementNode(st) {
    const hidden = st.status === "hidden";
    const mine = st.author?.id === this.me.id;
    const li = el("li", {
      class: `statement${hidden ? " is-hidden" : ""}${st.pinned ? " is-pinned" : ""}${mine ? " is-mine" : ""}`,
      id: `statement-${st.id}`,
      "data-statement-id": String(st.id),
      "data-seq": String(st.seq ?? ""),
    });
    const meta = el(
      "p",
      { class: "statement__meta" },
      personNode(st.author, { you: mine ? this.t.you : "", cls: "statement__author" }),
      " ",
      el("time", { dateTime: st.created_at, text: clock(st.created_at) }),
    );
    if (st.stance && this.t.stances?.[st.stance]) {
      meta.append(" ", el("span", { class: `tag tag--stance tag--${st.stance}`, text: this.t.stances[st.stance] }));
    }
    if (st.on_stage) meta.append(" ", el("span", { class: "tag tag--stage", text: this.t.on_stage }));
    if (st.pinned) meta.append(" ", el("span", { class: "tag", text: this.t.pinned }));
    if (hidden) meta.append(" ", el("span", { class: "tag tag--warn", text: this.t.hidden_by_moderator }));
    li.append(meta);
    if (hidden) {
      // Staff keep the record; the text stays folded away.
      if (this.staffView && st.text) {
        const details = el("details", { class: "statement__folded" }, el("summary", { text: this.t.statement_hidden }));
        details.append(el("p", { class: "statement__text" }, linkify(st.text)));
        li.append(details);
      }
    } else {
      li.append(el("p", { class: "statement__text" }, linkify(st.text)));
    }
    const foot = el("div", { class: "statement__foot" });
    if (this.mode !== "projector" && !hidden) foot.append(this._reactionBar(st));
    else if (!hidden) foot.append(this._reactionSummary(st));
    const actions = el("div", { class: "statement__actions" });
    if (this.mode === "room" && !mine && !hidden) {
      const report = el("button", { type: "button", class: "btn btn--link", text: this.t.report, "aria-label": `${this.t.report}: ${st.author?.nickname ?? ""}` });
      report.addEventListener("click", () => this.openReport(st));
      actions.append(report);
    }
    if (this.staffView) this._staffButtons(st, actions);
    if (actions.childElementCount) foot.append(actions);
    if (foot.childElementCount) li.append(foot);
    return li;
  }

  _reactionBar(st) {
    const bar = el("div", { class: "reactions", role: "group", "aria-label": this.t.react_agree + " / " + this.t.react_curious + " / " + this.t.react_regret });
    for (const kind of REACTIONS) {
      const count = this.reactions[st.id]?.[kind] ?? 0;
      const on = this.myReactions.has(`${st.id}|${kind}`);
      const button = el(
        "button",
        { type: "button", class: "reaction", "aria-pressed": String(on), "data-kind": kind },
        el("span", { class: "reaction__label", text: this.t[REACTION_KEYS[kind]] || kind }),
        " ",
        el("span", { class: "reaction__count", text: String(count) }),
      );
      button.addEventListener("click", () => this.toggleReaction(st.id, kind));
      bar.append(button);
    }
    return bar;
  }

  _reactionSummary(st) {
    const counts = this.reactions[st.id] || {};
    const parts = REACTIONS.filter((k) => counts[k]).map((k) => `${this.t[REACTION_KEYS[k]]} ${counts[k]}`);
    return el("p", { class: "reactions reactions--summary", text: parts.join(" · ") });
  }

  renderReactions(id) {
    const node = this.nodes.get(id);
    if (!node) return;
    const st = this.statements.get(id);
    if (this.mode === "projector") {
      const summary = node.querySelector(".reactions--summary");
      if (summary && st) summary.replaceWith(this._reactionSummary(st));
      return;
    }
    for (const button of node.querySelectorAll(".reaction")) {
      const kind = button.dataset.kind;
      button.querySelector(".reaction__count").textContent = String(this.reactions[id]?.[kind] ?? 0);
      button.setAttribute("aria-pressed", String(this.myReactions.has(`${id}|${kind}`)));
    }
  }

  renderPinned() {
    const box = this.q("[data-pinned]");
    if (!box) return;
    const body = box.querySelector("[data-pinned-body]");
    const pinned = [...this.statements.values()].filter((s) => s.pinned && s.status === "visible");
    body.textContent = "";
    for (const st of pinned) {
      body.append(
        el(
          "blockquote",
          { class: "pinned__item" },
          el("p", { class: "pinned__text" }, linkify(st.text)),
          el("footer", {}, personNode(st.author, { region: false })),
        ),
      );
    }
    box.hidden = pinned.length === 0;
  }

  renderEmpty() {
    const side = this.q("[data-side-list]");
    const empty = this.q("[data-side-empty]");
    if (side && empty) empty.hidden = side.childElementCount > 0;
  }

  // Staff panels: drawn by the console's view (console-view.js), nothing elsewhere.
  renderPending() {}

  renderReports() {}

  // The public moderation log: what the facilitators did and why (never hidden text).
  renderLog() {
    const list = this.q("[data-public-log]");
    if (!list) return;
    const entries = [...this.log].reverse().slice(0, 30);
    list.replaceChildren(
      ...entries.map((entry) =>
        el(
          "li",
          { class: "audit__item" },
          el("time", { dateTime: entry.at, text: clock(entry.at) }),
          " ",
          el("strong", { text: this.t.actions?.[entry.action] || entry.action }),
          entry.reason ? ` — ${entry.reason}` : "",
        ),
      ),
    );
    const empty = this.q("[data-public-log-empty]");
    if (empty) empty.hidden = entries.length > 0;
    const count = this.q("[data-public-log-count]");
    if (count) count.textContent = entries.length ? `(${entries.length})` : "";
  }

  renderSharedDevices() {}

  sharedDeviceText(w) {
    const key = w.shares_with?.state === "banned" ? "shared_device_banned" : "shared_device_muted";
    return fmt(this.t[key] || "", { name: w.nickname, other: w.shares_with?.nickname ?? "" });
  }

  renderSanctions() {}

  _staffButtons() {}

  _noteSanction() {}


  // ---- things addressed to this person --------------------------------------

  // A banner pinned to the top of the screen, wherever the person has scrolled, read out
  // by screen readers (role=alert). One at a time; a newer one with the same key replaces
  // it. Other modules call it through the "madang:alert" event (see startRoom).
  alert({ text, key = "", urgent = false, tone = "", actionLabel = "", onAction = null, target = "", secondLabel = "", onSecond = null }) {
    const box = document.querySelector("[data-room-alert]");
    if (!box || !text || this.mode !== "room") return;
    box.querySelector("[data-room-alert-text]").textContent = text;
    box.dataset.key = key;
    box.classList.toggle("room-alert--urgent", urgent && tone !== "warn");
    box.classList.toggle("room-alert--warn", tone === "warn");
    const wire = (button, label, handler) => {
      button.hidden = !label;
      button.textContent = label || "";
      button.onclick = label ? () => { this.dismissAlert(); handler?.(); } : null;
    };
    const go = onAction || (target ? () => this._focusTarget(target) : null);
    wire(box.querySelector("[data-room-alert-action]"), go ? actionLabel || this.t.alert_show : "", go);
    wire(box.querySelector("[data-room-alert-second]"), onSecond ? secondLabel : "", onSecond);
    box.hidden = false;
    clearTimeout(this._alertTimer);
    if (!urgent) this._alertTimer = setTimeout(() => this.dismissAlert(key), 20000);
  }

  dismissAlert(key) {
    const box = document.querySelector("[data-room-alert]");
    if (!box || (key !== undefined && box.dataset.key !== key)) return;
    box.hidden = true;
  }

  _focusTarget(selector) {
    const node = typeof selector === "string" ? document.querySelector(selector) : selector;
    if (!node) return;
    node.scrollIntoView({ block: "center", behavior: "smooth" });
    const focusable = node.matches("input, textarea, button, select, a") ? node : node.querySelector("input:not([disabled]), textarea:not([disabled]), button:not([disabled])");
    (focusable || node).focus?.({ preventScroll: true });
  }

  _noticeModeration(entry) {
    if (this.mode !== "room" || !entry || entry.target_kind !== "statement") return;
    const st = this.statements.get(entry.target_id);
    const mine = (st && st.author?.id === this.me.id) || this.myPending.has(entry.target_id);
    if (!mine) return;
    const reason = entry.reason ? ` ${fmt(this.t.reason_is, { reason: entry.reason })}` : "";
    if (entry.action === "hide") this.alert({ text: this.t.your_statement_hidden + reason, key: "moderation", urgent: true, tone: "warn" });
    else if (entry.action === "reject") this.alert({ text: this.t.your_statement_rejected + reason, key: "moderation", urgent: true, tone: "warn" });
    else if (entry.action === "approve") this.alert({ text: this.t.your_statement_approved, key: "moderation", target: `#statement-${entry.target_id}` });
    this.myPending.delete(entry.target_id);
  }

  _noticeReply(st) {
    if (this.mode !== "room" || !st?.parent_id || st.author?.id === this.me.id) return;
    const parent = this.statements.get(st.parent_id);
    if (!parent || parent.author?.id !== this.me.id) return;
    const target = document.querySelector(`[data-question-id="${st.parent_id}"]`) ? `[data-question-id="${st.parent_id}"]` : `#statement-${st.id}`;
    this.alert({ text: fmt(this.t.reply_to_you, { author: st.author?.nickname ?? "" }), key: "reply", target });
  }

  async yieldFloor() {
    // The floor.changed that follows replaces the banner with "your turn has ended".
    await this.act("floor.yield");
  }

  // The composer's stance choice, offered only while the phase allows stances.
  setStanceChoices(allowed) {
    const key = allowed.join(",");
    if (key === this.stanceChoices.join(",")) return;
    this.stanceChoices = [...allowed];
    const box = this.q("[data-composer-stance]");
    if (!box) return;
    const options = box.querySelector("[data-composer-stance-options]");
    const picked = options.querySelector("input:checked")?.value || "";
    const choices = ["", ...allowed];
    options.replaceChildren(
      ...choices.map((stance) =>
        el(
          "label",
          { class: `chip chip--${stance || "none"}` },
          el("input", { type: "radio", name: "stance", value: stance, checked: stance === (choices.includes(picked) ? picked : "") }),
          el("span", { text: stance ? this.t.stances?.[stance] || stance : this.t.stance_none }),
        ),
      ),
    );
    box.hidden = allowed.length === 0;
  }

  // ---- actions ------------------------------------------------------------

  async act(type, fields = {}) {
    try {
      const ack = await this.client.send(type, fields);
      return ack;
    } catch (err) {
      this.toast(err.message || this.t.error);
      return null;
    }
  }

  async toggleReaction(id, kind) {
    const ack = await this.act("reaction.toggle", { statement_id: id, kind });
    if (!ack) return;
    const key = `${id}|${kind}`;
    if (ack.active) this.myReactions.add(key);
    else this.myReactions.delete(key);
    this.renderReactions(id);
  }

  openReport(st) {
    const dialog = document.querySelector("[data-report-dialog]");
    if (!dialog) return;
    dialog.querySelector("[data-report-quote]").textContent = st.text.length > 200 ? `${st.text.slice(0, 200)}…` : st.text;
    const form = dialog.querySelector("form");
    form.reset();
    const opener = document.activeElement;
    const onClose = async () => {
      dialog.removeEventListener("close", onClose);
      if (opener && opener.isConnected) opener.focus();
      if (dialog.returnValue !== "send") return;
      const select = form.querySelector("select");
      const label = select.options[select.selectedIndex].text;
      const detail = form.querySelector("textarea").value.trim();
      const reason = (detail ? `${label}: ${detail}` : label).slice(0, 300);
      const ack = await this.act("report.create", { statement_id: st.id, reason });
      if (ack) this.toast(this.t.report_sent);
    };
    dialog.addEventListener("close", onClose);
    dialog.returnValue = "";
    dialog.showModal();
  }

  bindComposer() {
    const form = this.q("[data-composer]");
    if (!form) return;
    const area = form.querySelector("textarea");
    const status = form.querySelector("[data-composer-status]");
    area.addEventListener("input", () => this._updateCounter());
    area.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
        ev.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const text = area.value;
      const n = charCount(text);
      if (!text.trim()) {
        status.textContent = this.t.empty;
        return;
      }
      if (n > MAX_CHARS) {
        status.textContent = this.t.too_long;
        return;
      }
      const stanceBox = form.querySelector("[data-composer-stance]");
      const stance = (stanceBox && !stanceBox.hidden && stanceBox.querySelector("input:checked")?.value) || null;
      area.value = "";
      this._updateCounter();
      status.textContent = this.client.state === State.OPEN ? this.t.sending : this.t.queued_offline;
      try {
        // A stance goes through the deliberation's door, which keeps the stance counts.
        const type = stance ? "deliberation.post" : "statement.post";
        const ack = await this.client.send(type, { text, stance, parent_id: null });
        if (ack.status === "pending" && ack.statement_id) this.myPending.add(ack.statement_id);
        status.textContent = ack.status === "pending" ? this.t.sent_for_review : "";
      } catch (err) {
        if (!area.value) area.value = text;
        this._updateCounter();
        status.textContent = err.message || this.t.error;
      }
    });
    this._updateCounter();
  }

  bindHand() {
    const hand = this.q("[data-hand]");
    if (!hand) return;
    hand.addEventListener("click", async () => {
      if (hand.dataset.speaking) {
        await this.yieldFloor();
        return;
      }
      const raised = hand.getAttribute("aria-pressed") === "true";
      await this.act(raised ? "hand.lower" : "hand.raise");
    });
  }
}

// Build the client and view for one page, let other modules plug in, then connect.
export function startRoom(mode, View = RoomView) {
  const root = document.querySelector("[data-room]");
  if (!root) return null;
  const config = readJson("room-config");
  const strings = readJson("room-strings");
  const watching = mode === "projector" ? "projector" : "";
  const client = new RoomClient({ url: roomSocketUrl(config.session_id, globalThis.location, watching) });
  const view = new View(root, { client, config, strings, mode });
  view.bindComposer();
  view.bindHand();
  document.addEventListener("madang:alert", (e) => view.alert(e.detail || {}));
  document.querySelector("[data-room-alert-close]")?.addEventListener("click", () => view.dismissAlert());
  // The welcome message after joining makes way for the room once it has been seen.
  const welcome = document.querySelector("main > [role=status] .messages");
  if (welcome && mode === "room") setTimeout(() => welcome.parentElement.remove(), 8000);
  // Announce the room once every module script of the page has run (they all run before
  // DOMContentLoaded), so panels of other sub-apps see the first snapshot too. Modules
  // loaded later find the same objects on window.madangRoom.
  const ready = () => {
    window.madangRoom = { client, view };
    document.dispatchEvent(new CustomEvent("madang:room-ready", { detail: { client, view, config, strings, mode } }));
    if (root.dataset.joinable === "1") {
      client.connect();
      window.addEventListener("online", () => client.reconnectNow());
    } else {
      // Not live: nothing is lost, the page simply does not connect.
      view.renderConnection("idle");
    }
  };
  if (document.readyState === "complete") ready();
  else document.addEventListener("DOMContentLoaded", ready, { once: true });
  return { client, view };
}
