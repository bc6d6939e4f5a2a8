// The console's panel of flagged statements (deliberation/screening, docs/moderation.md).
//
// Flags arrive live as "screening.flag" staff events and with every snapshot; the panel
// also re-reads the open flags now and then, for deployments where the analysis worker
// cannot reach this server's channel layer. Hide and dismiss are one click each.

const POLL_MS = 5000;

function start({ client, mode }) {
  const box = document.querySelector("[data-screening]");
  if (!box || mode !== "console" || box.dataset.started) return;
  box.dataset.started = "1";
  const s = (key) => box.dataset[`str${key[0].toUpperCase()}${key.slice(1)}`] || key;
  const list = box.querySelector("[data-screening-list]");
  const empty = box.querySelector("[data-screening-empty]");
  const count = box.querySelector("[data-screening-count]");
  const status = box.querySelector("[data-screening-status]");
  const hold = box.querySelector("[data-screening-hold]");
  const flags = new Map();

  const el = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  };

  function button(label, extra, onClick) {
    const b = el("button", `btn btn--small ${extra}`.trim(), label);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  async function decide(flag, type, done) {
    status.textContent = "";
    try {
      await client.send(type, { flag_id: flag.id });
      flags.delete(flag.id);
      render();
      status.textContent = done;
    } catch (err) {
      status.textContent = err?.message || String(err);
    }
  }

  function item(flag) {
    const li = el("li", "flag");
    li.dataset.flag = String(flag.id);
    li.dataset.label = flag.label;
    const meta = el("p", "flag__meta");
    meta.append(el("span", "flag__label", s(flag.label)));
    meta.append(el("span", "flag__kind", s(flag.kind)));
    if (flag.held) meta.append(el("span", "flag__held", s("held")));
    meta.append(el("span", "flag__confidence", `${s("confidence")} ${Math.round(flag.confidence * 100)}%`));
    li.append(meta);
    li.append(el("p", "flag__text", flag.text));
    if (flag.triggers?.length) {
      const why = el("p", "flag__why", `${s("triggers")}: `);
      flag.triggers.forEach((t, i) => {
        if (i) why.append(" · ");
        why.append(el("mark", "", t));
      });
      li.append(why);
    }
    const row = el("div", "btn-row");
    const hideLabel = flag.kind !== "statement" ? s("confirm") : flag.held ? s("hideHeld") : s("hide");
    row.append(button(hideLabel, "btn--danger", () => decide(flag, "screening.hide", s("hidden"))));
    row.append(button(s("dismiss"), "", () => decide(flag, "screening.dismiss", s("dismissed"))));
    li.append(row);
    return li;
  }

  function render() {
    const shown = [...flags.values()].sort((a, b) => b.id - a.id);
    list.replaceChildren(...shown.map(item));
    empty.hidden = shown.length > 0;
    count.textContent = shown.length ? `(${shown.length})` : "";
  }

  function load(part) {
    if (!part || !Array.isArray(part.flags)) return;
    flags.clear();
    for (const flag of part.flags) flags.set(flag.id, flag);
    hold.checked = Boolean(part.hold_flagged);
    render();
  }

  client.on("snapshot", (m) => load(m.parts?.screening));
  client.on("screening.flag", (m) => {
    if (flags.has(m.flag.id)) return;
    flags.set(m.flag.id, m.flag);
    render();
    status.textContent = s("newFlag");
  });
  client.on("screening.flag_done", (m) => {
    flags.delete(m.flag_id);
    render();
  });
  client.on("screening.hold", (m) => (hold.checked = Boolean(m.hold_flagged)));
  hold.addEventListener("change", async () => {
    try {
      await client.send("screening.hold", { enabled: hold.checked });
    } catch (err) {
      hold.checked = !hold.checked;
      status.textContent = err?.message || String(err);
    }
  });

  async function poll() {
    try {
      const response = await fetch(box.dataset.poll, { credentials: "same-origin" });
      if (response.ok) load(await response.json());
    } catch (_) {
      /* the next snapshot or poll brings the list */
    }
  }
  setInterval(poll, POLL_MS);
  render();
}

document.addEventListener("madang:room-ready", (e) => start(e.detail));
if (window.madangRoom) start({ ...window.madangRoom, mode: window.madangRoom.view?.mode });
