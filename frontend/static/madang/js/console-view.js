// The facilitator's view of the room: pending statements, reports, the audit log,
// muted and banned people, and moderation buttons on every statement.

import { clock, el, fmt, linkify, personNode, plural } from "./room-dom.js";
import { RoomView } from "./room-ui.js";

// A flood: this many statements in the last minute suggests slow mode.
const RATE_WINDOW_MS = 60_000;
const RATE_SPIKE = 20;

export class ConsoleView extends RoomView {
  constructor(...args) {
    super(...args);
    this.picked = new Set(); // statements picked for a bulk action
    this.recent = []; // arrival times of new statements
    this.client.on("staff.presence", (m) => this.renderPresenceList(m.people || []));
  }

  // Who is present: one line a person (however many tabs), with role and region.
  renderPresenceList(people) {
    const list = this.q("[data-presence-list]");
    if (!list) return;
    const english = document.documentElement.lang.startsWith("en");
    list.replaceChildren(
      ...people.map((p) => {
        const region = english ? p.region_en : p.region;
        const role = this.t.roles?.[p.role] || p.role;
        return el(
          "li",
          { "data-user-id": String(p.user_id) },
          el("strong", { text: p.nickname + (p.user_id === this.me.id ? ` (${this.t.you})` : "") }),
          el("span", { class: "muted", text: [role, region].filter(Boolean).join(" · ") }),
        );
      }),
    );
    this.q("[data-presence-empty]").hidden = people.length > 0;
    this.q("[data-presence-count]").textContent = people.length ? `(${people.length})` : "";
  }

  upsertStatement(st, options = {}) {
    if (options.announce && st?.status === "visible") this._noteRate();
    super.upsertStatement(st, options);
    if (st?.status === "hidden" && this.picked.delete(st.id)) this.renderBulk();
  }

  bindConsoleTools() {
    this.q("[data-bulk-hide]")?.addEventListener("click", () => this.bulkHide());
    this.q("[data-rate-slow]")?.addEventListener("click", async () => {
      const ack = await this.act("room.slow_mode", { seconds: 30 });
      if (ack) this.q("[data-rate-warning]").hidden = true;
    });
    this.renderBulk();
  }

  _noteRate() {
    const now = Date.now();
    this.recent.push(now);
    while (this.recent.length && now - this.recent[0] > RATE_WINDOW_MS) this.recent.shift();
    const box = this.q("[data-rate-warning]");
    if (!box) return;
    const spike = this.recent.length >= RATE_SPIKE && !(this.session.slow_mode_seconds > 0);
    if (spike) {
      box.querySelector("[data-rate-text]").textContent = fmt(this.t.rate_spike, { n: this.recent.length });
      box.querySelector("[data-rate-slow]").textContent = this.t.slow_suggest;
    }
    box.hidden = !spike;
  }

  renderBulk() {
    const bar = this.q("[data-bulk-bar]");
    if (!bar) return;
    for (const id of [...this.picked]) if (this.statements.get(id)?.status !== "visible") this.picked.delete(id);
    bar.hidden = this.picked.size === 0;
    bar.querySelector("[data-bulk-count]").textContent = plural(this.t.picked_count, this.picked.size);
    bar.querySelector("[data-bulk-hide]").textContent = this.t.bulk_hide;
  }

  async bulkHide() {
    const ids = [...this.picked];
    if (!ids.length || !window.confirm(plural(this.t.confirm_bulk_hide, ids.length))) return;
    const reason = this.reason();
    let done = 0;
    for (const id of ids) {
      if (await this.act("statement.hide", { statement_id: id, reason })) done += 1;
      this.picked.delete(id);
    }
    this.renderBulk();
    this.toast(plural(this.t.bulk_done, done));
  }

  // Room and floor buttons follow the room: only moves the server would accept.
  renderRoomState() {
    super.renderRoomState();
    const stateAllows = { open: ["paused"], pause: ["live"], close: ["live", "paused"] };
    for (const button of this.root.querySelectorAll("[data-room-action]")) {
      button.disabled = !this.ready || !(stateAllows[button.dataset.roomAction] || []).includes(this.session.state);
      if (button.dataset.roomAction === "open" && this.t.room_buttons) {
        button.textContent = this.session.state === "paused" ? this.t.room_buttons.resume : this.t.room_buttons.open;
      }
    }
    for (const button of this.root.querySelectorAll("[data-floor]")) {
      const needsFloor = button.dataset.floor !== "grant_next";
      button.disabled = !this.ready || this.session.state !== "live" || (needsFloor && !this.floor) || (!needsFloor && this.queue.length === 0);
    }
    for (const input of this.root.querySelectorAll("[data-setting]")) {
      const key = input.dataset.setting;
      if (document.activeElement === input) continue;
      if (input.type === "checkbox") input.checked = Boolean(this.session[key]);
      else if (this.session[key] !== undefined) input.value = this.session[key];
    }
  }

  renderPending() {
    const list = this.q("[data-pending-list]");
    if (!list) return;
    list.textContent = "";
    for (const st of this.pending.values()) {
      const li = el(
        "li",
        { class: "statement statement--pending", "data-statement-id": String(st.id) },
        el("p", { class: "statement__meta" }, personNode(st.author, { cls: "statement__author" }), " ", el("time", { dateTime: st.created_at, text: clock(st.created_at) })),
        el("p", { class: "statement__text" }, linkify(st.text)),
      );
      const row = el("div", { class: "btn-row" });
      const approve = el("button", { type: "button", class: "btn btn--primary btn--small", text: this.t.approve });
      approve.addEventListener("click", () => this.act("statement.approve", { statement_id: st.id }));
      const reject = el("button", { type: "button", class: "btn btn--small", text: this.t.reject });
      reject.addEventListener("click", () => this.act("statement.reject", { statement_id: st.id, reason: this.reason() }));
      row.append(approve, reject);
      li.append(row);
      list.append(li);
    }
    this.q("[data-pending-empty]").hidden = this.pending.size > 0;
    this.q("[data-pending-count]").textContent = this.pending.size ? `(${this.pending.size})` : "";
  }

  renderSharedDevices() {
    const list = this.q("[data-shared-list]");
    if (!list) return;
    list.textContent = "";
    for (const w of this.sharedDevices.values()) {
      list.append(el("li", { class: "shared-device", "data-user-id": String(w.user_id), text: this.sharedDeviceText(w) }));
    }
    this.q("[data-shared-empty]").hidden = this.sharedDevices.size > 0;
  }

  renderReports() {
    const list = this.q("[data-reports-list]");
    if (!list) return;
    list.textContent = "";
    for (const r of this.reports.values()) {
      const li = el(
        "li",
        { class: "report", "data-report-id": String(r.id) },
        el("p", { class: "report__reason", text: fmt(this.t.report_reason, { reason: r.reason }) }),
        el("p", { class: "report__quote", text: r.statement_text || "" }),
        el("p", { class: "muted", text: `${r.reporter?.nickname ?? ""} · ${clock(r.created_at)}` }),
      );
      const row = el("div", { class: "btn-row" });
      const hide = el("button", { type: "button", class: "btn btn--small btn--danger", text: this.t.hide });
      hide.addEventListener("click", async () => {
        await this.act("statement.hide", { statement_id: r.statement_id, reason: r.reason.slice(0, 300) });
        this.act("report.resolve", { report_id: r.id, status: "actioned" });
      });
      const dismiss = el("button", { type: "button", class: "btn btn--small", text: this.t.dismiss });
      dismiss.addEventListener("click", () => this.act("report.resolve", { report_id: r.id, status: "dismissed" }));
      row.append(hide, dismiss);
      li.append(row);
      list.append(li);
    }
    this.q("[data-reports-empty]").hidden = this.reports.size > 0;
    this.q("[data-reports-count]").textContent = this.reports.size ? `(${this.reports.size})` : "";
  }

  renderLog() {
    const list = this.q("[data-audit-list]");
    if (!list) return;
    list.textContent = "";
    for (const entry of [...this.log].reverse().slice(0, 50)) {
      const label = this.t.actions?.[entry.action] || entry.action;
      const item = el(
        "li",
        { class: "audit__item" },
        el("time", { dateTime: entry.at, text: clock(entry.at) }),
        " ",
        el("strong", { text: label }),
        entry.reason ? ` — ${entry.reason}` : "",
        entry.actor?.nickname ? el("span", { class: "muted", text: ` (${entry.actor.nickname})` }) : "",
      );
      list.append(item);
    }
    this.q("[data-audit-empty]").hidden = this.log.length > 0;
  }

  _staffButtons(st, actions) {
    const add = (label, handler, cls = "btn btn--small") => {
      const b = el("button", { type: "button", class: cls, text: label, "aria-label": `${label}: ${st.author?.nickname ?? ""}` });
      b.addEventListener("click", handler);
      actions.append(b);
    };
    if (st.status === "hidden") {
      // A restore carries only a reason typed for it, never the default for removals.
      add(this.t.restore, () => this.act("statement.restore", { statement_id: st.id, reason: this.reason("") }));
      return;
    }
    const pickId = `pick-${st.id}`;
    const pick = el("input", { type: "checkbox", id: pickId, "data-pick": String(st.id) });
    pick.checked = this.picked.has(st.id);
    pick.addEventListener("change", () => {
      if (pick.checked) this.picked.add(st.id);
      else this.picked.delete(st.id);
      this.renderBulk();
    });
    actions.append(el("label", { class: "statement__pick", for: pickId }, pick, el("span", { text: `${this.t.select_statement}` }), el("span", { class: "visually-hidden", text: `: ${st.author?.nickname ?? ""}` })));
    add(this.t.hide, () => this.act("statement.hide", { statement_id: st.id, reason: this.reason() }), "btn btn--small btn--danger");
    add(st.pinned ? this.t.unpin : this.t.pin, () => this.act(st.pinned ? "statement.unpin" : "statement.pin", { statement_id: st.id }));
    if (st.author && st.author.id !== this.me.id) {
      const who = st.author.nickname;
      add(this.t.mute, () => this.sanction("participant.mute", st.author.id, who));
      add(this.t.remove, () => {
        if (window.confirm(fmt(this.t.confirm_remove, { name: who }))) this.act("participant.remove", { user_id: st.author.id, reason: this.reason() });
      });
      add(this.t.ban, () => {
        if (window.confirm(fmt(this.t.confirm_ban, { name: who }))) this.sanction("participant.ban", st.author.id, who);
      }, "btn btn--small btn--danger");
    }
  }

  _noteSanction(action, userId, nickname) {
    const kind = { mute: "mute", unmute: "mute", ban: "ban", unban: "ban" }[action];
    if (!kind) return;
    const key = `${kind}:${userId}`;
    if (action === kind) {
      const known = [...this.statements.values()].find((st) => st.author?.id === userId);
      this.sanctions.set(key, { kind, user_id: userId, nickname: nickname || known?.author?.nickname || `#${userId}` });
    } else {
      this.sanctions.delete(key);
    }
  }

  renderSanctions() {
    const list = this.q("[data-sanctions]");
    if (!list) return;
    list.textContent = "";
    for (const entry of this.sanctions.values()) {
      const undo = entry.kind === "mute" ? "unmute" : "unban";
      const button = el("button", { type: "button", class: "btn btn--small", text: this.t.actions?.[undo] || undo, "aria-label": `${entry.nickname}: ${this.t.actions?.[undo] || undo}` });
      button.addEventListener("click", () => this.sanction(`participant.${undo}`, entry.user_id, entry.nickname));
      list.append(el("li", { class: "sanction" }, el("span", { text: `${entry.nickname} · ${this.t.actions?.[entry.kind] || entry.kind}` }), " ", button));
    }
    const box = this.q("[data-sanctions-box]");
    if (box) box.hidden = this.sanctions.size === 0;
  }

  async sanction(type, userId, nickname) {
    const fields = { user_id: userId, reason: this.reason() };
    if (type === "participant.ban" && this.q("[data-ban-organisation]")?.checked) fields.scope = "organisation";
    const ack = await this.act(type, fields);
    if (ack) {
      this._noteSanction(type.split(".")[1], userId, nickname);
      this.renderSanctions();
    }
    return ack;
  }

  // A reason is for one action: read, then the field is emptied for the next one.
  reason(fallback = this.t.default_reason || "") {
    const input = this.q("[data-mod-reason]");
    const text = input?.value.trim();
    if (input) input.value = "";
    return (text || fallback).slice(0, 300);
  }
}
