// The facilitator's view of the room: pending statements, reports, the audit log,
// muted and banned people, and moderation buttons on every statement.

import { clock, el, fmt, linkify, personNode } from "./room-dom.js";
import { RoomView } from "./room-ui.js";

export class ConsoleView extends RoomView {
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
      add(this.t.restore, () => this.act("statement.restore", { statement_id: st.id, reason: this.reason() }));
      return;
    }
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

  reason() {
    const input = this.q("[data-mod-reason]");
    const text = input?.value.trim();
    return (text || this.t.default_reason || "").slice(0, 300);
  }
}
