// Structured deliberation in the live room: phases, stances and questions, proposals,
// votes, live polls, the wrap-up and the final results (docs/protocol.md, "Deliberation").
//
// One module for the three pages. It waits for the room page's "madang:room-ready"
// event, reads the "deliberation" part of every snapshot and applies the numbered
// events after it. Lists are redrawn from state; forms the person is typing in are
// never redrawn under them.

import { personNode } from "./room-dom.js";

const STR = (() => {
  const node = document.getElementById("delib-strings");
  return node ? JSON.parse(node.textContent) : {};
})();

const PLURALS = new Intl.PluralRules(document.documentElement.lang || "ko");

function t(key, vars) {
  let text = STR[key] ?? key;
  // A counted string carries both forms ({one, other}); the count picks one.
  if (text && typeof text === "object") text = text[PLURALS.select(Number(vars?.n ?? 0))] ?? text.other;
  if (vars) text = text.replace(/%\((\w+)\)s/g, (_m, name) => String(vars[name] ?? ""));
  return text;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "html") node.innerHTML = value; // only server-sanitised HTML
    else if (key === "style") node.style.cssText = value; // CSSOM: allowed by the CSP
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function clock(ms) {
  const total = Math.max(0, Math.round(ms / 1000));
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${m}:${String(s).padStart(2, "0")}`;
}

function bar(percent, extra = "") {
  return el(
    "span",
    { class: `delib-bar ${extra}`.trim(), "aria-hidden": "true" },
    el("span", { class: "delib-bar__fill", style: `width: ${Math.max(0, Math.min(100, percent))}%` }),
  );
}

const STANCES = ["for", "against", "neutral", "question"];

class Deliberation {
  constructor(root, client, mode) {
    this.root = root;
    this.client = client;
    this.mode = mode; // room | console | projector
    this.part = null;
    this.statements = new Map();
    this.sessionState = null;
    this.ballotKey = "";
    this.editing = null; // proposal id being edited in the console
    this.plan = null; // the console's draft of the phase list
    this.planDirty = false;
    this.replyOpen = null;
    this.q = (sel) => root.querySelector(sel);
    this.qa = (sel) => [...root.querySelectorAll(sel)];
    this._bindClient();
    this._bindForms();
    this._timer = setInterval(() => this.renderTimer(), 500);
  }

  // ---- state from the room ----------------------------------------------------

  _bindClient() {
    const c = this.client;
    c.on("snapshot", (m) => {
      this.part = m.parts?.deliberation || null;
      this.sessionState = m.session?.state;
      this.statements = new Map((m.statements || []).map((s) => [s.id, s]));
      this.planDirty = false;
      this.ballotKey = "";
      this.render();
    });
    const on = (type, fn) =>
      c.on(type, (m) => {
        if (!this.part) return;
        fn(m);
        this.render();
      });
    on("phase.changed", (m) => {
      const before = this.part.current_phase_id;
      this.part.phases = m.phases;
      this.part.current_phase_id = m.current_id;
      this.planDirty = false;
      if (m.current_id !== before) {
        const text = `${t("now_phase")}: ${this.kind() === "none" ? t("no_phase") : STR.phases[this.kind()]}`;
        this.announce(text);
        this.alertResident({ text, key: "phase", target: "[data-delib]" });
      }
    });
    on("proposal.created", (m) => {
      this.part.proposals = [...this.part.proposals.filter((p) => p.id !== m.proposal.id), m.proposal];
      if (m.proposal.author === this.myName() && this.part.role === "participant") {
        this.part.supported = [...new Set([...this.part.supported, m.proposal.id])];
      }
    });
    on("proposal.updated", (m) => {
      this.part.proposals = this.part.proposals.map((p) => (p.id === m.proposal.id ? m.proposal : p));
    });
    on("proposal.merged", (m) => {
      const gone = new Set(m.merged_ids);
      this.part.proposals = this.part.proposals
        .filter((p) => !gone.has(p.id))
        .map((p) => (p.id === m.target.id ? m.target : p));
      if (this.part.supported.some((id) => gone.has(id))) {
        this.part.supported = [...new Set(this.part.supported.map((id) => (gone.has(id) ? m.target.id : id)))];
      }
    });
    on("vote.config", (m) => Object.assign(this.part.vote, m.config));
    // Hidden results still reach the facilitators, as a staff-only notice.
    on("staff.vote_tally", (m) => Object.assign(this.part.vote, { ballots: m.ballots, results: m.results }));
    on("vote.tally", (m) => {
      this.part.vote.ballots = m.ballots;
      if (m.results) this.part.vote.results = m.results;
    });
    on("vote.closed", (m) => Object.assign(this.part.vote, { closed: true, ballots: m.ballots, results: m.results }));
    on("poll.opened", (m) => {
      this.part.polls.push(m.poll);
      this.announce(`${t("poll")}: ${m.poll.question}`);
      if (this.isParticipant()) {
        this.alertResident({ text: `${t("poll_new")}: ${m.poll.question}`, key: "poll", actionLabel: t("poll_answer_now"), target: `[data-poll-id="${m.poll.id}"]` });
      }
    });
    on("poll.results", (m) => {
      const poll = this.part.polls.find((p) => p.id === m.poll_id);
      if (poll && poll.status === "open") Object.assign(poll, { voters: m.voters, counts: m.counts });
    });
    on("poll.closed", (m) => {
      this.part.polls = this.part.polls.map((p) => (p.id === m.poll.id ? m.poll : p));
    });
    on("stance.counts", (m) => (this.part.stances = m.counts));
    on("wrapup.updated", (m) => (this.part.wrapup_html = m.conclusion_html));
    on("results.frozen", (m) => (this.part.final = m.results));
    on("statement.new", (m) => this.statements.set(m.statement.id, m.statement));
    on("statement.restored", (m) => {
      const st = m.statement;
      if (st.stance && !this.statements.has(st.id)) this.part.stances[st.stance] = (this.part.stances[st.stance] || 0) + 1;
      this.statements.set(st.id, st);
    });
    on("statement.hidden", (m) => {
      const st = this.statements.get(m.statement_id);
      if (st?.stance && st.status === "visible" && this.part.stances[st.stance] > 0) this.part.stances[st.stance] -= 1;
      this.statements.delete(m.statement_id);
    });
    on("statement.answered", (m) => {
      const st = this.statements.get(m.statement_id);
      if (st) this.statements.set(st.id, { ...st, answered: true, answer_id: m.answer_id });
    });
    on("room.state", (m) => {
      // A reopened session's results are live again.
      if (this.sessionState === "closed" && m.state === "live") this.part.final = null;
      this.sessionState = m.state;
    });
  }

  // Screen readers hear a new phase or a new poll once, politely.
  announce(text) {
    const node = this.q("[data-delib-announce]");
    if (node) node.textContent = text;
  }

  // Things addressed to the resident go to the room's banner (room-ui.js), wherever they are.
  alertResident(detail) {
    if (this.mode !== "room") return;
    document.dispatchEvent(new CustomEvent("madang:alert", { detail }));
  }

  myName() {
    return window.madangRoom?.view?.me?.nickname ?? null;
  }

  kind() {
    const current = this.part?.phases.find((p) => p.id === this.part.current_phase_id);
    return current ? current.kind : "none";
  }

  isParticipant() {
    return this.part?.role === "participant";
  }

  // ---- sending ----------------------------------------------------------------------

  async act(type, fields, status, okText) {
    if (status) status.textContent = "";
    try {
      const ack = await this.client.send(type, fields);
      if (status && okText) status.textContent = okText;
      return ack;
    } catch (err) {
      const message = err?.message || t("error");
      if (status) {
        status.textContent = message;
        status.classList.add("is-error");
        setTimeout(() => status.classList.remove("is-error"), 4000);
      }
      return null;
    }
  }

  _bindForms() {
    const stanceForm = this.q("[data-delib-stance-form]");
    stanceForm?.addEventListener("submit", async (e) => {
      e.preventDefault();
      const text = stanceForm.elements.text.value.trim();
      const stance = stanceForm.querySelector("input[name=stance]:checked")?.value;
      const status = stanceForm.querySelector("[data-delib-status]");
      if (!text || !stance) return;
      const ack = await this.act("deliberation.post", { text, stance, parent_id: null }, status, t("sent"));
      if (ack) stanceForm.elements.text.value = "";
    });

    const proposalForm = this.q("[data-delib-proposal-form]");
    proposalForm?.addEventListener("submit", async (e) => {
      e.preventDefault();
      const status = proposalForm.querySelector("[data-delib-status]");
      const title = proposalForm.elements.title.value.trim();
      const body = proposalForm.elements.body.value.trim();
      if (!title) {
        proposalForm.elements.title.focus();
        return;
      }
      const ack = await this.act("proposal.create", { title, body }, status, t("proposal_sent"));
      if (ack) proposalForm.reset();
    });

    const ballot = this.q("[data-delib-ballot]");
    ballot?.addEventListener("submit", (e) => {
      e.preventDefault();
      this.submitBallot(ballot);
    });

    const consoleStatus = this.q("[data-delib-console-status]");
    for (const button of this.qa("[data-delib-act]")) {
      button.addEventListener("click", () => {
        const fields = button.dataset.seconds ? { seconds: Number(button.dataset.seconds) } : {};
        this.act(button.dataset.delibAct, fields, consoleStatus, t("saved"));
      });
    }

    const kindSelect = this.q("[data-delib-plan-kind]");
    if (kindSelect) {
      for (const [kind, label] of Object.entries(STR.phases || {})) kindSelect.append(el("option", { value: kind, text: label }));
      this.q("[data-delib-plan-add]").addEventListener("click", () => {
        this.plan = [...(this.plan || []), { id: null, kind: kindSelect.value, minutes: 10, status: "pending" }];
        this.planDirty = true;
        this.renderPlan();
      });
      this.q("[data-delib-plan-save]").addEventListener("click", async () => {
        const phases = (this.plan || []).map((p) => ({ id: p.id, kind: p.kind, minutes: Number(p.minutes) }));
        const ack = await this.act("phases.update", { phases }, consoleStatus, t("saved"));
        if (ack) this.planDirty = false;
      });
    }

    this.q("[data-delib-merge]")?.addEventListener("click", () => {
      const target = Number(this.q("[data-delib-merge-target]").value);
      const picked = this.qa("[data-delib-merge-pick]:checked").map((c) => Number(c.value));
      const sources = picked.filter((id) => id !== target);
      if (!target || !sources.length) {
        consoleStatus.textContent = t("merge_pick");
        return;
      }
      const titles = sources.map((id) => this.part.proposals.find((p) => p.id === id)?.title || "").join(", ");
      const into = this.part.proposals.find((p) => p.id === target)?.title || "";
      if (!window.confirm(t("merge_confirm", { from: titles, into }))) return;
      this.act("proposal.merge", { target_id: target, source_ids: sources }, consoleStatus, t("merge_done"));
    });

    const voteForm = this.q("[data-delib-vote-config]");
    voteForm?.addEventListener("submit", (e) => {
      e.preventDefault();
      this.act(
        "vote.config",
        {
          method: voteForm.querySelector("input[name=method]:checked").value,
          top_k: Number(voteForm.elements.top_k.value) || 3,
          hide_results: voteForm.elements.hide_results.checked,
        },
        consoleStatus,
        t("saved"),
      );
    });

    const pollForm = this.q("[data-delib-poll-form]");
    pollForm?.addEventListener("submit", async (e) => {
      e.preventDefault();
      const options = pollForm.elements.options.value.split("\n").map((s) => s.trim()).filter(Boolean);
      const ack = await this.act(
        "poll.create",
        {
          question: pollForm.elements.question.value,
          options,
          kind: pollForm.elements.multiple.checked ? "multiple" : "single",
        },
        consoleStatus,
        t("saved"),
      );
      if (ack) pollForm.reset();
    });

    const wrapForm = this.q("[data-delib-wrapup-form]");
    wrapForm?.addEventListener("submit", (e) => {
      e.preventDefault();
      this.act("wrapup.set", { conclusion: wrapForm.elements.conclusion.value }, consoleStatus, t("saved"));
    });
  }

  // ---- drawing ----------------------------------------------------------------------

  show(name, visible) {
    const node = this.q(`[data-delib-section="${name}"]`);
    if (node) node.hidden = !visible;
  }

  render() {
    const part = this.part;
    if (!part) return;
    const kind = this.kind();
    const hasPhases = part.phases.length > 0;
    const room = this.mode === "room";
    const projector = this.mode === "projector";
    const closed = Boolean(part.final);
    // An open-mic session shows only its live polls (the console can always launch one).
    this.root.hidden = !hasPhases && !part.polls.length && !closed && this.mode !== "console";
    for (const node of this.qa("[data-delib-needs-phases]")) node.hidden = !hasPhases;
    if (hasPhases) this.placeFirst();
    if (this.mode === "console") this.currentSectionFirst(kind);

    const now = this.q("[data-delib-now]");
    if (now) now.hidden = !hasPhases || closed;
    const label = this.q("[data-delib-phase-label]");
    if (label) label.textContent = kind === "none" ? t("no_phase") : STR.phases[kind];
    const help = this.q("[data-delib-help]");
    if (help) help.textContent = STR.phase_help?.[kind] || "";
    this.renderSteps();
    this.renderTimer();

    const questions = this.questions();
    const stanceTotal = STANCES.reduce((n, k) => n + (part.stances[k] || 0), 0);
    if (room) {
      this.renderStanceForm(kind, hasPhases && !closed);
      const allowed = kind === "briefing" ? ["question"] : kind === "discussion" ? STANCES : [];
      window.madangRoom?.view?.setStanceChoices(hasPhases && !closed && this.isParticipant() ? allowed : []);
      // The briefing phase opens the materials it asks residents to read.
      const materials = document.querySelector("[data-briefing]");
      if (materials && kind === "briefing" && this.openedBriefing !== this.part.current_phase_id) {
        this.openedBriefing = this.part.current_phase_id;
        materials.open = true;
      }
      this.show("stances", hasPhases && !closed && (kind === "discussion" || (kind === "briefing" && stanceTotal > 0)));
      this.show("questions", hasPhases && !closed && ["briefing", "discussion"].includes(kind));
      this.show("proposals", kind === "proposals");
      this.show("vote", kind === "vote" || (part.vote.closed && part.vote.results?.length > 0 && !closed));
      const form = this.q("[data-delib-proposal-form]");
      if (form) form.hidden = !(kind === "proposals" && this.isParticipant());
    } else if (projector) {
      this.show("stances", hasPhases && (kind === "discussion" || kind === "briefing") && stanceTotal > 0);
      this.show("proposals", kind === "proposals");
      this.show("vote", (kind === "vote" || kind === "wrap_up" || part.vote.closed) && part.vote.results !== null && part.proposals.length > 0 && !closed);
    }
    this.show("polls", part.polls.length > 0 && !(closed && this.mode !== "console"));
    this.show("wrapup", Boolean(part.wrapup_html) && !closed);
    this.show("final", closed);

    this.renderStances();
    this.renderQuestions(questions);
    this.renderProposals(kind);
    this.renderBallot(kind);
    this.renderResults();
    this.renderPolls();
    const conclusion = this.q("[data-delib-conclusion]");
    if (conclusion) conclusion.innerHTML = part.wrapup_html || "";
    if (this.mode === "console") {
      this.renderPlan();
      const wrap = this.q("[data-delib-wrapup-form]");
      if (wrap && !wrap.elements.conclusion.value && part.wrapup_html) {
        wrap.elements.conclusion.value = part.wrapup_html.replace(/<[^>]+>/g, "");
      }
      const vf = this.q("[data-delib-vote-config]");
      if (vf && document.activeElement?.closest("[data-delib-vote-config]") !== vf) {
        vf.querySelector(`input[name=method][value=${part.vote.method}]`).checked = true;
        vf.elements.top_k.value = part.vote.top_k;
        vf.elements.hide_results.checked = part.vote.hide_results;
      }
    }
    this.renderFinal();
  }

  // In a deliberation the phase comes first: above the open mic on the phone and the
  // projector (the console keeps its own order).
  placeFirst() {
    if (this.placed) return;
    this.placed = true;
    // The projector's main column: the phase above the open mic's stage.
    const grid = document.querySelector({ projector: ".projector__main > .stage", console: ".console__grid", room: ".room__grid" }[this.mode]);
    if (grid && grid.parentElement) grid.parentElement.insertBefore(this.root, grid);
  }

  // In the console the section the current phase needs comes right under the phase controls.
  currentSectionFirst(kind) {
    const section = this.qa("[data-delib-for]").find((node) => node.dataset.delibFor.split(" ").includes(kind));
    const anchor = this.q("[data-delib-console-status]");
    if (!section || !anchor || anchor.nextElementSibling === section) return;
    if (section.contains(document.activeElement)) return;
    anchor.after(section);
  }

  renderSteps() {
    const list = this.q("[data-delib-steps]");
    if (!list) return;
    list.replaceChildren(
      ...this.part.phases.map((p) =>
        el(
          "li",
          { class: `delib-step is-${p.status}`, "aria-current": p.status === "running" ? "step" : null },
          // The snapshot is built in the server's language; the page knows the reader's.
          el("span", { class: "delib-step__label", text: STR.phases?.[p.kind] || p.label }),
          el("span", { class: "visually-hidden", text: ` (${STR.status?.[p.status] || p.status})` }),
        ),
      ),
    );
  }

  renderTimer() {
    const node = this.q("[data-delib-timer]");
    if (!node || !this.part) return;
    const current = this.part.phases.find((p) => p.id === this.part.current_phase_id);
    if (!current || !current.ends_at) {
      node.textContent = "";
      return;
    }
    const left = Date.parse(current.ends_at) - this.client.serverNow();
    node.textContent = left > 0 ? `${t("remaining")} ${clock(left)}` : t("overtime");
    node.classList.toggle("is-over", left <= 0);
  }

  renderStanceForm(kind, enabled) {
    const form = this.q("[data-delib-stance-form]");
    if (!form) return;
    const allowed = kind === "briefing" ? ["question"] : kind === "discussion" ? STANCES : [];
    form.hidden = !(enabled && this.isParticipant() && allowed.length);
    const box = form.querySelector("[data-delib-stance-options]");
    const key = allowed.join(",");
    if (box.dataset.key === key) return;
    box.dataset.key = key;
    box.replaceChildren(
      ...allowed.map((stance, i) =>
        el(
          "label",
          { class: `delib-chip delib-chip--${stance}` },
          el("input", { type: "radio", name: "stance", value: stance, checked: i === 0 }),
          el("span", { text: STR.stances[stance] }),
        ),
      ),
    );
  }

  renderStances() {
    const total = STANCES.reduce((n, k) => n + (this.part.stances[k] || 0), 0);
    for (const list of this.qa("[data-delib-stance-counts]")) {
      list.replaceChildren(
        ...STANCES.map((k) => {
          const n = this.part.stances[k] || 0;
          return el(
            "li",
            { "data-stance": k },
            el("span", { class: "delib-bars__label", text: STR.stances[k] }),
            el("span", { class: "delib-bars__count", text: String(n) }),
            bar(total ? (100 * n) / total : 0, `delib-bar--${k}`),
          );
        }),
      );
    }
  }

  questions() {
    const all = [...this.statements.values()].filter((s) => s.status === "visible" || s.status === undefined);
    return all
      .filter((s) => s.stance === "question" && !s.parent_id)
      .map((q) => ({ ...q, replies: all.filter((r) => r.parent_id === q.id) }));
  }

  renderQuestions(questions) {
    const list = this.q("[data-delib-questions]");
    if (!list) return;
    if (list.contains(document.activeElement) && document.activeElement.tagName === "TEXTAREA") return;
    if (!questions.length) {
      list.replaceChildren(el("li", { class: "muted", text: t("no_questions") }));
      return;
    }
    const staff = this.mode === "console";
    list.replaceChildren(
      ...questions.map((q) => {
        const item = el(
          "li",
          { class: `delib-question${q.answered ? " is-answered" : ""}`, "data-question-id": q.id },
          el(
            "p",
            { class: "delib-question__head" },
            el("span", { class: "delib-tag delib-tag--question", text: STR.stances.question }),
            " ",
            el("strong", { text: q.author?.nickname || "" }),
            q.answered ? el("span", { class: "delib-tag delib-tag--answered", text: t("answered") }) : null,
          ),
          el("p", { class: "delib-question__text", text: q.text }),
        );
        if (q.replies.length) {
          item.append(
            el(
              "ol",
              { class: "delib-replies", "aria-label": t("replies", { n: q.replies.length }) },
              ...q.replies.map((r) =>
                el(
                  "li",
                  { class: r.id === q.answer_id ? "is-answer" : "" },
                  el("strong", { text: r.author?.nickname || "" }),
                  " ",
                  el("span", { class: "delib-reply__text", text: r.text }),
                ),
              ),
            ),
          );
        }
        const actions = el("div", { class: "btn-row" });
        if (this.mode !== "projector" && !this.part.final && (staff || ["briefing", "discussion", "proposals"].includes(this.kind()))) {
          actions.append(
            el("button", {
              type: "button",
              class: "btn btn--small",
              "aria-expanded": String(this.replyOpen === q.id),
              text: t("reply"),
              onclick: () => {
                this.replyOpen = this.replyOpen === q.id ? null : q.id;
                this.render();
                this.q(`[data-reply-for="${q.id}"] textarea`)?.focus();
              },
            }),
          );
        }
        if (staff && !q.answered) {
          const select = el(
            "select",
            { "aria-label": t("answer_with") },
            el("option", { value: "", text: t("answer_none") }),
            ...q.replies.map((r) => el("option", { value: r.id, text: `${r.author?.nickname || ""}: ${r.text.slice(0, 40)}` })),
          );
          if (q.replies.length) select.value = String(q.replies[q.replies.length - 1].id);
          actions.append(
            select,
            el("button", {
              type: "button",
              class: "btn btn--small btn--primary",
              text: t("mark_answered"),
              onclick: () =>
                this.act(
                  "question.answer",
                  { statement_id: q.id, answer_id: select.value ? Number(select.value) : null },
                  this.q("[data-delib-console-status]"),
                  t("saved"),
                ),
            }),
          );
        }
        if (actions.childElementCount) item.append(actions);
        if (this.replyOpen === q.id) item.append(this.replyForm(q));
        return item;
      }),
    );
  }

  replyForm(q) {
    const id = `delib-reply-${q.id}`;
    const status = el("p", { class: "delib-form__status", role: "status" });
    const area = el("textarea", { id, name: "text", rows: "2", maxlength: "1000" });
    const form = el(
      "form",
      { class: "delib-form delib-reply", "data-reply-for": q.id, novalidate: true },
      el("label", { for: id, text: t("reply_label") }),
      area,
      el("button", { type: "submit", class: "btn btn--small btn--primary", text: t("reply_send") }),
      status,
    );
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const text = area.value.trim();
      if (!text) return;
      const ack = await this.act("deliberation.post", { text, stance: null, parent_id: q.id }, status, t("sent"));
      if (ack) {
        this.replyOpen = null;
        area.value = "";
        this.render();
      }
    });
    return form;
  }

  renderProposals(kind) {
    const list = this.q("[data-delib-proposals]");
    if (!list) return;
    if (list.contains(document.activeElement) && ["INPUT", "TEXTAREA"].includes(document.activeElement.tagName) && document.activeElement.type !== "checkbox") return;
    const proposals = [...this.part.proposals];
    if (this.mode === "projector") proposals.sort((a, b) => b.supporters - a.supporters);
    if (!proposals.length) {
      list.replaceChildren(el("li", { class: "muted", text: t("no_proposals") }));
    } else {
      const picked = new Set(this.qa("[data-delib-merge-pick]:checked").map((c) => Number(c.value)));
      list.replaceChildren(...proposals.map((p) => this.proposalItem(p, kind, picked)));
    }
    const target = this.q("[data-delib-merge-target]");
    if (target) {
      const keep = target.value;
      target.replaceChildren(...proposals.map((p) => el("option", { value: p.id, text: p.title })));
      if (proposals.some((p) => String(p.id) === keep)) target.value = keep;
    }
  }

  proposalItem(p, kind, picked) {
    const supported = this.part.supported.includes(p.id);
    const item = el(
      "li",
      { class: "delib-proposal", "data-proposal-id": p.id },
      el("p", { class: "delib-proposal__title" }, el("strong", { text: p.title }), p.edited ? el("span", { class: "delib-tag", text: t("edited") }) : null),
      p.body_html ? el("div", { class: "delib-proposal__body", html: p.body_html }) : null,
      el("p", { class: "delib-proposal__meta muted" }, el("span", { text: p.author }), " · ", el("span", { "data-supporters": "", text: t("supporters", { n: p.supporters }) })),
    );
    if (p.merged_from?.length) {
      item.append(
        el(
          "details",
          { class: "delib-merged" },
          el("summary", { text: t("merged_from", { n: p.merged_from.length }) }),
          ...p.merged_from.map((m) =>
            el("div", { class: "delib-merged__item" }, el("p", {}, el("strong", { text: m.title }), " ", el("span", { class: "muted", text: m.author })), m.body_html ? el("div", { html: m.body_html }) : null),
          ),
        ),
      );
    }
    if (this.mode === "room" && this.isParticipant() && kind === "proposals") {
      item.append(
        el("button", {
          type: "button",
          class: `btn btn--small${supported ? "" : " btn--primary"}`,
          "aria-pressed": String(supported),
          text: supported ? t("unsupport") : t("support"),
          onclick: async (e) => {
            const ack = await this.act("proposal.support", { proposal_id: p.id, supported: !supported }, null);
            if (ack) {
              this.part.supported = supported ? this.part.supported.filter((id) => id !== p.id) : [...this.part.supported, p.id];
              this.render();
              this.q(`[data-proposal-id="${p.id}"] button`)?.focus();
            } else {
              e.target.blur();
            }
          },
        }),
      );
    }
    if (this.mode === "console") {
      const checkId = `delib-pick-${p.id}`;
      item.append(
        el(
          "div",
          { class: "btn-row" },
          el("label", { class: "delib-check", for: checkId }, el("input", { type: "checkbox", id: checkId, value: p.id, "data-delib-merge-pick": "", checked: picked.has(p.id) }), ` ${t("merge_select")}`),
          el("button", {
            type: "button",
            class: "btn btn--small",
            text: t("edit"),
            onclick: () => {
              this.editing = this.editing === p.id ? null : p.id;
              this.render();
            },
          }),
        ),
      );
      if (this.editing === p.id) item.append(this.editForm(p));
    }
    return item;
  }

  editForm(p) {
    const tid = `delib-edit-t-${p.id}`;
    const bid = `delib-edit-b-${p.id}`;
    const title = el("input", { id: tid, type: "text", maxlength: "120", value: p.title });
    const body = el("textarea", { id: bid, rows: "3" });
    body.value = (p.body_html || "").replace(/<[^>]+>/g, "");
    const status = el("p", { class: "delib-form__status", role: "status" });
    const form = el(
      "form",
      { class: "delib-form", novalidate: true },
      el("label", { for: tid, text: t("edit") }),
      title,
      el("label", { for: bid, text: t("edit") }),
      body,
      el("div", { class: "btn-row" }, el("button", { type: "submit", class: "btn btn--small btn--primary", text: t("save") }), el("button", { type: "button", class: "btn btn--small", text: t("cancel"), onclick: () => { this.editing = null; this.render(); } })),
      status,
    );
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const ack = await this.act("proposal.edit", { proposal_id: p.id, title: title.value, body: body.value }, status, t("saved"));
      if (ack) {
        this.editing = null;
        this.render();
      }
    });
    return form;
  }

  renderBallot(kind) {
    const form = this.q("[data-delib-ballot]");
    if (!form) return;
    const vote = this.part.vote;
    const open = kind === "vote" && !vote.closed && this.isParticipant();
    form.hidden = !open;
    if (!open) return;
    const key = `${vote.method}:${vote.top_k}:${this.part.proposals.map((p) => `${p.id}/${p.title}`).join(",")}`;
    const submit = form.querySelector("[data-delib-ballot-submit]");
    submit.textContent = vote.my_ballot?.length ? t("vote_change") : t("vote_submit");
    if (this.ballotKey === key) return;
    this.ballotKey = key;
    const ranking = vote.method === "ranking";
    form.querySelector("[data-delib-ballot-hint]").textContent = ranking ? t("ranking_hint", { k: vote.top_k }) : t("approval_hint");
    const mine = vote.my_ballot || [];
    const box = form.querySelector("[data-delib-ballot-choices]");
    box.replaceChildren(
      ...this.part.proposals.map((p) => {
        const id = `delib-ballot-${p.id}`;
        if (!ranking) {
          return el("div", { class: "delib-choice" }, el("input", { type: "checkbox", id, value: p.id, checked: mine.includes(p.id) }), el("label", { for: id, text: p.title }));
        }
        const select = el("select", { id, "data-proposal": p.id }, el("option", { value: "", text: t("rank_none") }));
        for (let r = 1; r <= vote.top_k; r += 1) select.append(el("option", { value: r, text: t("rank_n", { n: r }) }));
        const at = mine.indexOf(p.id);
        if (at >= 0) select.value = String(at + 1);
        return el("div", { class: "delib-choice delib-choice--rank" }, el("label", { for: id, text: p.title }), select);
      }),
    );
  }

  async submitBallot(form) {
    const status = form.querySelector("[data-delib-status]");
    let ids;
    if (this.part.vote.method === "ranking") {
      const ranks = [...form.querySelectorAll("select[data-proposal]")]
        .filter((s) => s.value)
        .map((s) => [Number(s.value), Number(s.dataset.proposal)]);
      if (new Set(ranks.map(([r]) => r)).size !== ranks.length) {
        status.textContent = t("ballot_rank_dup");
        return;
      }
      ids = ranks.sort((a, b) => a[0] - b[0]).map(([, id]) => id);
    } else {
      ids = [...form.querySelectorAll("input[type=checkbox]:checked")].map((c) => Number(c.value));
    }
    if (!ids.length) {
      status.textContent = t("ballot_none");
      return;
    }
    const ack = await this.act("ballot.submit", { proposal_ids: ids }, status, t("ballot_sent"));
    if (ack) {
      this.part.vote.my_ballot = ack.proposal_ids;
      form.querySelector("[data-delib-ballot-submit]").textContent = t("vote_change");
    }
  }

  renderResults() {
    const vote = this.part.vote;
    for (const box of this.qa("[data-delib-results]")) {
      const parts = [el("p", { class: "muted", text: t("ballots", { n: vote.ballots || 0 }) })];
      if (vote.closed) parts.push(el("p", { class: "delib-tag", text: t("vote_closed") }));
      if (!vote.results) {
        parts.push(el("p", { class: "muted", text: t("vote_hidden") }));
      } else if (vote.ballots > 0) {
        parts.push(this.resultList(vote.results, vote.method));
      }
      box.replaceChildren(...parts);
    }
  }

  resultList(results, method) {
    const top = Math.max(1, ...results.map((r) => r.score));
    return el(
      "ol",
      { class: "delib-results", "aria-label": t("results") },
      ...results.map((r) =>
        el(
          "li",
          { class: "delib-result" },
          el("span", { class: "delib-result__place", text: t("place", { n: r.place }) }),
          el("span", { class: "delib-result__title", text: r.title }),
          el("span", { class: "delib-result__score", text: method === "ranking" ? t("score", { n: r.score }) : t("votes", { n: r.votes }) }),
          bar((100 * r.score) / top),
        ),
      ),
    );
  }

  renderPolls() {
    const box = this.q("[data-delib-polls]");
    if (!box) return;
    let polls = [...this.part.polls].reverse();
    if (this.mode === "projector") polls = polls.slice(0, 1);
    // An item whose form is unchanged only gets new bars: a choice being made, the
    // focus and the last message stay where they are.
    const items = polls.map((poll) => {
      const key = `${poll.status}:${(this.part.my_poll_answers?.[String(poll.id)] || []).join(",")}`;
      const old = box.querySelector(`[data-poll-id="${poll.id}"]`);
      if (old && old.dataset.key === key) {
        old.querySelector(`[data-poll-bars="${poll.id}"]`)?.replaceWith(this.pollBars(poll));
        return old;
      }
      const item = this.pollItem(poll);
      item.dataset.key = key;
      return item;
    });
    if (items.length !== box.children.length || items.some((item, i) => box.children[i] !== item)) {
      box.replaceChildren(...items);
    }
  }

  pollItem(poll) {
    const mine = this.part.my_poll_answers?.[String(poll.id)] || [];
    const open = poll.status === "open";
    const item = el(
      "div",
      { class: `delib-poll${open ? "" : " is-closed"}`, "data-poll-id": poll.id },
      el("p", { class: "delib-poll__q" }, el("strong", { text: poll.question }), " ", el("span", { class: "delib-tag", text: open ? t("poll_open") : t("poll_closed") })),
    );
    if (open && this.mode === "room" && this.isParticipant()) {
      const status = el("p", { class: "delib-form__status", role: "status" });
      if (this.pollMessage?.id === poll.id) status.textContent = this.pollMessage.text;
      const multiple = poll.kind === "multiple";
      const fieldset = el("fieldset", {}, el("legend", { class: "visually-hidden", text: poll.question }));
      for (const o of poll.options) {
        const id = `delib-poll-${poll.id}-${o.id}`;
        fieldset.append(el("div", { class: "delib-choice" }, el("input", { type: multiple ? "checkbox" : "radio", name: `poll-${poll.id}`, id, value: o.id, checked: mine.includes(o.id) }), el("label", { for: id, text: o.label })));
      }
      const form = el("form", { class: "delib-form", novalidate: true }, fieldset, el("button", { type: "submit", class: "btn btn--small btn--primary", text: mine.length ? t("poll_change") : t("poll_answer") }), status);
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        const ids = [...form.querySelectorAll("input:checked")].map((c) => Number(c.value));
        if (!ids.length) return;
        const ack = await this.act("poll.vote", { poll_id: poll.id, option_ids: ids }, status, t("poll_sent"));
        if (ack) {
          this.part.my_poll_answers = { ...this.part.my_poll_answers, [String(poll.id)]: ack.option_ids };
          this.pollMessage = { id: poll.id, text: t("poll_sent") };
          this.renderPolls();
          const again = this.q(`[data-poll-id="${poll.id}"]`);
          again?.querySelector(".delib-form__status")?.replaceChildren(t("poll_sent"));
          again?.querySelector("button[type=submit]")?.focus();
        }
      });
      item.append(form);
    }
    item.append(this.pollBars(poll));
    if (open && this.mode === "console") {
      item.append(el("button", { type: "button", class: "btn btn--small btn--danger", text: t("poll_close"), onclick: () => this.act("poll.close", { poll_id: poll.id }, this.q("[data-delib-console-status]"), t("saved")) }));
    }
    return item;
  }

  pollBars(poll) {
    const voters = poll.voters || 0;
    return el(
      "div",
      { class: "delib-poll__bars", "data-poll-bars": poll.id },
      el("p", { class: "muted", "data-poll-voters": "", text: t("poll_voters", { n: voters }) }),
      el(
        "ul",
        { class: "delib-bars" },
        ...poll.options.map((o) => {
          const n = poll.counts?.[String(o.id)] || 0;
          const pct = voters ? Math.round((100 * n) / voters) : 0;
          return el("li", { "data-option-id": o.id }, el("span", { class: "delib-bars__label", text: o.label }), el("span", { class: "delib-bars__count", text: `${n} (${pct}%)` }), bar(pct));
        }),
      ),
    );
  }

  renderPlan() {
    const list = this.q("[data-delib-plan]");
    if (!list) return;
    if (!this.planDirty) {
      this.plan = this.part.phases.map((p) => ({ id: p.id, kind: p.kind, minutes: Math.max(1, Math.round(p.planned_seconds / 60)), status: p.status }));
    }
    if (list.contains(document.activeElement) && document.activeElement.tagName === "INPUT") return;
    const plan = this.plan;
    const move = (i, by) => {
      const j = i + by;
      if (j < 0 || j >= plan.length) return;
      [plan[i], plan[j]] = [plan[j], plan[i]];
      this.planDirty = true;
      this.renderPlan();
    };
    list.replaceChildren(
      ...plan.map((p, i) => {
        const pending = p.status === "pending";
        const id = `delib-plan-min-${i}`;
        const minutes = el("input", { id, type: "number", min: "1", max: "240", value: p.minutes, inputmode: "numeric", class: "delib-plan__minutes" });
        minutes.addEventListener("change", () => {
          p.minutes = Number(minutes.value);
          this.planDirty = true;
        });
        return el(
          "li",
          { class: `delib-plan__item is-${p.status}` },
          el("span", { class: "delib-plan__name" }, el("strong", { text: STR.phases[p.kind] }), " ", el("span", { class: "muted", text: STR.status?.[p.status] || "" })),
          el("label", { for: id, class: "visually-hidden", text: `${STR.phases[p.kind]} ${t("minutes")}` }),
          minutes,
          el("span", { "aria-hidden": "true", text: t("minutes") }),
          el(
            "span",
            { class: "btn-row" },
            el("button", { type: "button", class: "btn btn--small", disabled: !pending || i === 0 || plan[i - 1].status !== "pending", "aria-label": `${STR.phases[p.kind]} ${t("move_up")}`, text: "↑", onclick: () => move(i, -1) }),
            el("button", { type: "button", class: "btn btn--small", disabled: !pending || i === plan.length - 1, "aria-label": `${STR.phases[p.kind]} ${t("move_down")}`, text: "↓", onclick: () => move(i, 1) }),
            el("button", { type: "button", class: "btn btn--small btn--danger", disabled: !pending, text: t("remove"), onclick: () => { plan.splice(i, 1); this.planDirty = true; this.renderPlan(); } }),
            pending && p.id
              ? el("button", { type: "button", class: "btn btn--small btn--primary", text: t("start_this"), onclick: () => this.act("phase.start", { phase_id: p.id }, this.q("[data-delib-console-status]"), t("saved")) })
              : null,
          ),
        );
      }),
    );
  }

  renderFinal() {
    const box = this.q("[data-delib-final]");
    if (!box) return;
    const final = this.part.final;
    if (!final) {
      box.replaceChildren();
      return;
    }
    const parts = [el("p", { class: "muted", text: t("closed_session") })];
    if (final.conclusion_html) parts.push(el("h4", { text: t("conclusion") }), el("div", { class: "delib-conclusion", html: final.conclusion_html }));
    const results = final.vote?.results || [];
    if (results.length && final.vote.ballots > 0) parts.push(el("h4", { text: t("results") }), this.resultList(results, final.vote.method));
    for (const poll of final.polls || []) parts.push(el("h4", { text: `${t("poll")}: ${poll.question}` }), this.pollBars(poll));
    const stances = final.stances || {};
    const total = STANCES.reduce((n, k) => n + (stances[k] || 0), 0);
    if (total) {
      parts.push(
        el("h4", { text: t("stance_counts") }),
        el(
          "ul",
          { class: "delib-bars" },
          ...STANCES.map((k) =>
            el("li", {}, el("span", { class: "delib-bars__label", text: STR.stances[k] }), el("span", { class: "delib-bars__count", text: String(stances[k] || 0) }), bar((100 * (stances[k] || 0)) / total, `delib-bar--${k}`)),
          ),
        ),
      );
    }
    box.replaceChildren(...parts);
  }
}

function start(detail) {
  const root = document.querySelector("[data-delib]");
  if (!root || root.dataset.started) return;
  root.dataset.started = "1";
  root.hidden = true;
  const view = new Deliberation(root, detail.client, root.dataset.delib);
  window.madangDeliberation = view;
}

document.addEventListener("madang:room-ready", (e) => start(e.detail));
if (window.madangRoom) start(window.madangRoom);
