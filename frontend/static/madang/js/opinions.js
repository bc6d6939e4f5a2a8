// The opinion map in the live room (docs/protocol.md, "Opinion map").
//
// Phones: a card of statements to vote on (동의 / 비동의 / 패스), the one the facilitator
// put up for a vote first, and the group the person is in. Console: the voting switch,
// votes per statement with "put up for a vote", and the map. Projector: the statement up
// for a vote and the map. State comes from the "opinions" part of every snapshot; the
// events after it update it.

const STR = (() => {
  const node = document.getElementById("opinion-strings");
  return node ? JSON.parse(node.textContent) : {};
})();

function t(key, vars) {
  let text = STR[key] ?? key;
  if (vars) text = text.replace(/%\((\w+)\)s/g, (_m, name) => String(vars[name] ?? ""));
  return text.replace(/%%/g, "%");
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  return node;
}

const letter = (g) => String.fromCharCode(65 + Number(g));
const pct = (x) => Math.round(100 * x);

class Opinions {
  constructor(root, client, config) {
    this.root = root;
    this.client = client;
    this.mode = root.dataset.opinions; // room | console | projector
    this.me = config?.me?.id ?? null;
    this.voting = false;
    this.featured = null;
    this.queue = []; // statements to vote on, newest first
    this.mine = {};
    this.counts = {};
    this.summary = null;
    this.myGroup = null;
    this.dots = [];
    this.recent = new Map(); // console: statements seen, id -> card
    this.q = (sel) => root.querySelector(sel);
    this._bind();
    this._bindControls();
  }

  _bind() {
    const c = this.client;
    c.on("snapshot", (m) => {
      const part = m.parts?.opinions;
      if (!part) return;
      this.voting = part.voting;
      this.featured = part.featured;
      this.queue = part.to_vote || [];
      this.mine = part.mine || {};
      this.counts = part.counts || {};
      this.summary = part.summary;
      this.myGroup = part.my_group;
      this.dots = part.dots || [];
      this.recent = new Map();
      for (const s of m.statements || []) this._remember(s);
      this.render();
    });
    c.on("statement.new", (m) => {
      const s = m.statement;
      if (!s || s.status !== "visible") return;
      this._remember(s);
      if (s.author?.id !== this.me && !this.mine[s.id] && !this.queue.some((x) => x.id === s.id)) {
        this.queue.unshift({ id: s.id, seq: s.seq, text: s.text, author: s.author?.nickname || "", author_id: s.author?.id });
      }
      this.render();
    });
    c.on("statement.hidden", (m) => {
      const id = m.statement_id ?? m.statement?.id;
      this.queue = this.queue.filter((x) => x.id !== id);
      this.recent.delete(id);
      if (this.featured?.id === id) this.featured = null;
      this.render();
    });
    c.on("opinion.config", (m) => {
      this.voting = m.voting;
      this.featured = m.featured;
      if (m.featured && this.mode === "room" && !this.mine[m.featured.id]) {
        this._announce(`${t("up_for_vote")}: ${m.featured.text}`);
      }
      this.render();
    });
    c.on("opinion.counts", (m) => {
      Object.assign(this.counts, m.counts);
      this.renderCounts();
    });
    c.on("opinion.groups", (m) => {
      this.summary = m.summary;
      this.renderSummary();
    });
    c.on("opinion.map", (m) => {
      this.dots = m.dots;
      this.renderMap();
    });
    c.on("opinion.mine", (m) => {
      this.myGroup = m.group;
      this.renderMine();
    });
  }

  _remember(s) {
    if (!s || s.status !== "visible") return;
    this.recent.set(s.id, { id: s.id, seq: s.seq, text: s.text, author: s.author?.nickname || "" });
  }

  _bindControls() {
    const toggle = this.q("[data-op-toggle]");
    if (toggle) {
      toggle.addEventListener("click", () => this._act("opinion.voting", { enabled: !this.voting }));
    }
  }

  async _act(type, fields) {
    const status = this.q("[data-op-status]");
    try {
      const ack = await this.client.send(type, fields);
      if (status) status.textContent = "";
      return ack;
    } catch (err) {
      if (status) status.textContent = err?.message || t("error");
      else this._announce(err?.message || t("error"));
      return null;
    }
  }

  _announce(text) {
    const box = this.q("[data-op-announce]");
    if (box) box.textContent = text;
  }

  render() {
    if (this.mode === "room") {
      this.root.hidden = !this.voting && !this.summary?.groups?.length;
      this.renderCard();
      this.renderMine();
    }
    if (this.mode === "console") this.renderConsole();
    if (this.mode === "projector") this.renderFeatured();
    this.renderSummary();
    this.renderMap();
  }

  // ---- phones: the card ---------------------------------------------------------

  nextCard() {
    const f = this.featured;
    if (f && !this.mine[f.id] && f.author_id !== this.me) return { ...f, featured: true };
    return this.queue.find((s) => !this.mine[s.id] && s.id !== f?.id) || null;
  }

  renderCard() {
    const box = this.q("[data-op-card]");
    if (!box) return;
    if (!this.voting) {
      box.replaceChildren(el("p", { class: "muted", text: t("voting_off") }));
      return;
    }
    const card = this.nextCard();
    if (!card) {
      box.replaceChildren(el("p", { class: "muted", text: t("all_done") }));
      return;
    }
    const left = this.queue.filter((s) => !this.mine[s.id]).length;
    const vote = async (value) => {
      const ack = await this._act("opinion.vote", { statement_id: card.id, value });
      if (ack) {
        this.mine[card.id] = value;
        this.queue = this.queue.filter((s) => s.id !== card.id);
        this._announce(t("voted", { v: t(value) }));
        this.renderCard();
      }
    };
    box.replaceChildren(
      el(
        "article",
        { class: `op-statement${card.featured ? " op-statement--featured" : ""}`, "data-op-statement": card.id },
        card.featured ? el("p", { class: "op-badge", text: t("up_for_vote") }) : null,
        el("p", { class: "op-statement__text", text: card.text }),
        el("p", { class: "op-statement__author muted", text: card.author }),
        el(
          "div",
          { class: "op-buttons" },
          el("button", { type: "button", class: "btn op-btn op-btn--agree", "data-op-vote": "agree", onclick: () => vote("agree") }, t("agree")),
          el("button", { type: "button", class: "btn op-btn op-btn--disagree", "data-op-vote": "disagree", onclick: () => vote("disagree") }, t("disagree")),
          el("button", { type: "button", class: "btn op-btn op-btn--pass", "data-op-vote": "pass", onclick: () => vote("pass") }, t("pass")),
        ),
        el("p", { class: "muted op-left", text: t("left", { n: Math.max(0, left - (card.featured ? 0 : 1)) }) }),
      ),
    );
  }

  renderMine() {
    const box = this.q("[data-op-mine]");
    if (!box) return;
    box.textContent = this.myGroup === null || this.myGroup === undefined ? t("no_group") : t("my_group", { g: letter(this.myGroup) });
    box.dataset.group = this.myGroup ?? "";
  }

  // ---- console: the switch and votes per statement -----------------------------------

  renderConsole() {
    const toggle = this.q("[data-op-toggle]");
    if (toggle) {
      toggle.textContent = this.voting ? t("voting_off_button") : t("voting_on_button");
      toggle.setAttribute("aria-pressed", this.voting ? "true" : "false");
      toggle.classList.toggle("btn--primary", !this.voting);
    }
    const list = this.q("[data-op-list]");
    if (!list) return;
    const items = [...this.recent.values()].sort((a, b) => b.id - a.id).slice(0, 12);
    list.replaceChildren(
      ...items.map((s) => {
        const featured = this.featured?.id === s.id;
        return el(
          "li",
          { class: `op-row${featured ? " op-row--featured" : ""}`, "data-op-row": s.id },
          el("p", { class: "op-row__text", text: s.text }),
          el("p", { class: "op-row__counts muted", "data-op-counts": s.id, text: this.countText(s.id) }),
          el(
            "button",
            {
              type: "button",
              class: "btn btn--small",
              onclick: () => this._act("opinion.feature", { statement_id: featured ? null : s.id }),
            },
            featured ? t("unfeature") : t("feature"),
          ),
        );
      }),
    );
  }

  countText(id) {
    const [a, d, p] = this.counts[id] || [0, 0, 0];
    return t("counts", { a, d, p });
  }

  renderCounts() {
    for (const node of this.root.querySelectorAll("[data-op-counts]")) {
      node.textContent = this.countText(node.dataset.opCounts);
    }
  }

  // ---- projector: the statement up for a vote ----------------------------------------

  renderFeatured() {
    const box = this.q("[data-op-featured]");
    if (!box) return;
    const f = this.featured;
    box.hidden = !f;
    if (!f) return box.replaceChildren();
    box.replaceChildren(
      el("p", { class: "op-badge", text: t("up_for_vote") }),
      el("p", { class: "op-featured__text", text: f.text }),
      el("p", { class: "muted", "data-op-counts": f.id, text: this.countText(f.id) }),
    );
  }

  // ---- the groups, consensus and divisive statements ---------------------------------

  renderSummary() {
    const box = this.q("[data-op-summary]");
    if (!box) return;
    const s = this.summary;
    if (!s || !s.groups?.length) {
      box.replaceChildren(el("p", { class: "muted", text: t("nothing_yet") }));
      return;
    }
    // Each group's share agreeing (disagreeing, for a disagreement most groups share).
    const shares = (row) =>
      el(
        "span",
        { class: "op-shares" },
        ...Object.entries(row.groups || {}).map(([g, v]) =>
          el(
            "span",
            { class: `op-share op-g${g}` },
            `${t("group", { g: letter(g) })} ${row.direction === "disagree" ? t("disagree_share", { p: pct(v.disagree) }) : t("agree_share", { p: pct(v.agree) })}`,
          ),
        ),
      );
    const list = (title, rows, cls) =>
      rows.length
        ? [
            el("h3", { class: "op-h", text: title }),
            el(
              "ul",
              { class: `op-statements ${cls}` },
              ...rows.map((r) => el("li", { "data-statement": r.statement }, r.direction === "split" ? null : el("span", { class: "op-dir", text: t(r.direction) }), r.direction === "split" ? null : " ", el("span", { class: "op-quote", text: r.text }), " ", shares(r))),
            ),
          ]
        : [];
    box.replaceChildren(
      el(
        "ul",
        { class: "op-legend" },
        ...s.groups.map((g) => el("li", { class: `op-g${g.id}`, "data-op-group": g.id }, el("span", { class: "op-swatch", "aria-hidden": "true" }), `${t("group", { g: letter(g.id) })} · ${t("people", { n: g.size })}`)),
      ),
      ...list(t("consensus"), s.consensus || [], "op-consensus"),
      ...s.groups.flatMap((g) =>
        (g.representative || []).length
          ? [
              el("h3", { class: `op-h op-g${g.id}`, text: t("representative", { g: letter(g.id) }) }),
              el(
                "ul",
                { class: "op-statements op-representative", "data-op-rep": g.id },
                ...g.representative.slice(0, 3).map((r) =>
                  el("li", { "data-statement": r.statement }, el("span", { class: `op-dir op-dir--${r.direction}`, text: t(r.direction) }), " ", el("span", { class: "op-quote", text: r.text }), " ", el("span", { class: "muted", text: `(${t("in_group", { a: pct(r.probability), b: pct(r.rest_probability) })})` })),
                ),
              ),
            ]
          : [],
      ),
      ...list(t("divisive"), (s.divisive || []).slice(0, 3), "op-divisive"),
    );
  }

  // ---- the map: anonymous dots, coloured by group ------------------------------------

  renderMap() {
    const box = this.q("[data-op-map]");
    if (!box) return;
    const dots = this.dots || [];
    const groups = new Set(dots.map((d) => d[2]).filter((g) => g !== null));
    const scale = Math.max(1e-9, ...dots.map((d) => Math.max(Math.abs(d[0]), Math.abs(d[1]))));
    const label = t("map_label", { n: dots.length, k: groups.size });
    const map = svg("svg", { viewBox: "-115 -115 230 230", role: "img", "aria-label": label, class: "op-svg", "data-op-dots": dots.length });
    map.append(svg("line", { x1: -100, y1: 0, x2: 100, y2: 0, class: "op-axis" }), svg("line", { x1: 0, y1: -100, x2: 0, y2: 100, class: "op-axis" }));
    // People who voted alike share a point: spread them on a small sunflower spiral so
    // the map shows how many stand there (display only; the groups are computed as is).
    const seen = new Map();
    for (const [x, y, g] of dots) {
      const key = `${x},${y}`;
      const n = seen.get(key) || 0;
      seen.set(key, n + 1);
      const radius = 3.2 * Math.sqrt(n);
      const angle = n * 2.39996;
      map.append(
        svg("circle", {
          cx: ((100 * x) / scale + radius * Math.cos(angle)).toFixed(1),
          cy: ((-100 * y) / scale + radius * Math.sin(angle)).toFixed(1),
          r: dots.length > 500 ? 2 : 4,
          class: g === null ? "op-dot op-dot--none" : `op-dot op-g${g}`,
        }),
      );
    }
    box.replaceChildren(map, el("figcaption", { class: "muted", text: label }));
  }
}

function start(detail) {
  const root = document.querySelector("[data-opinions]");
  if (!root || root.dataset.started) return;
  root.dataset.started = "1";
  // On phones the card comes first, above the stage and the discussion.
  const grid = root.dataset.opinions === "room" ? document.querySelector(".room__grid") : null;
  if (grid) grid.before(root);
  window.madangOpinions = new Opinions(root, detail.client, detail.config);
}

document.addEventListener("madang:room-ready", (e) => start(e.detail));
if (window.madangRoom) start({ ...window.madangRoom, config: window.madangRoom.view?.config });
