// Small DOM helpers of the room pages. User text is only ever placed with textContent;
// links are built as elements, and only for http(s).

export function readJson(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : {};
}

export function fmt(template, vars = {}) {
  return String(template ?? "").replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}

// A counted string: either one template, or {one, other} picked by the page's language.
const PLURALS = new Intl.PluralRules((typeof document !== "undefined" && document.documentElement.lang) || "ko");
export function plural(entry, n) {
  const template = entry && typeof entry === "object" ? entry[PLURALS.select(n)] ?? entry.other : entry;
  return fmt(template, { n });
}

export function charCount(text) {
  return [...String(text).normalize("NFC")].length;
}

const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?)\]}'"」』。、]+$/u;

// Plain text to a fragment: text nodes, plus anchors for http(s) links only.
export function linkify(text) {
  const frag = document.createDocumentFragment();
  const source = String(text ?? "");
  let last = 0;
  for (const match of source.matchAll(URL_RE)) {
    let url = match[0];
    const trail = url.match(TRAILING);
    if (trail) url = url.slice(0, -trail[0].length);
    let href = null;
    try {
      const parsed = new URL(url);
      if (parsed.protocol === "http:" || parsed.protocol === "https:") href = parsed.href;
    } catch (_) {
      href = null;
    }
    if (!href) continue;
    frag.append(document.createTextNode(source.slice(last, match.index)));
    const a = document.createElement("a");
    a.href = href;
    a.rel = "nofollow noopener noreferrer";
    a.target = "_blank";
    a.textContent = url;
    frag.append(a);
    last = match.index + url.length;
  }
  frag.append(document.createTextNode(source.slice(last)));
  return frag;
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("data-") || key.startsWith("aria-") || key === "role") node.setAttribute(key, value === true ? "" : value);
    else node[key] = value;
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

const timeFormat = new Intl.DateTimeFormat(document.documentElement.lang || "ko", {
  hour: "numeric",
  minute: "2-digit",
  timeZone: "Asia/Seoul",
});

export function clock(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : timeFormat.format(d);
}

export function mmss(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
}

// ---------------------------------------------------------------------------

// A person as rooms show them: the nickname, the staff badge (sent by the server from the
// person's role, so no resident can produce one), and a resident's region where it fits.
export function personNode(person, { you = "", region = true, cls = "" } = {}) {
  const node = el("span", { class: `person ${cls}`.trim() });
  node.append(el("span", { class: "person__name", text: (person?.nickname ?? "") + (you ? ` (${you})` : "") }));
  if (person?.badge) node.append(" ", el("span", { class: "staff-badge", "data-staff-badge": "", text: person.badge }));
  if (region && person?.region) node.append(" ", el("span", { class: "person__region", text: person.region }));
  return node;
}
