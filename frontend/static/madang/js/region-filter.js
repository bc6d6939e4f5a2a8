// The region list is long (every 시·군·구 under its 시·도): a search box above it narrows
// the options as the resident types. Without this script the grouped list still works.

function readStrings() {
  const node = document.getElementById("region-strings");
  return node ? JSON.parse(node.textContent) : {};
}

function normalise(text) {
  return String(text).normalize("NFC").toLowerCase();
}

// "부산 중구" finds 부산광역시 중구: every word of the query is somewhere in the option.
function matches(words, text) {
  const haystack = normalise(text);
  return words.every((word) => haystack.includes(word));
}

export function attachRegionFilter(select, t) {
  const id = `${select.id}-search`;
  const label = Object.assign(document.createElement("label"), { htmlFor: id, textContent: t.label || "" });
  label.className = "region-filter__label";
  const input = Object.assign(document.createElement("input"), { type: "search", id, placeholder: t.placeholder || "", autocomplete: "off" });
  input.className = "region-filter__input";
  input.setAttribute("aria-controls", select.id);
  const status = document.createElement("p");
  status.className = "help";
  status.setAttribute("role", "status");
  select.before(label, input, status);
  input.addEventListener("input", () => {
    const words = normalise(input.value).split(/\s+/).filter(Boolean);
    const query = words.length > 0;
    let shown = 0;
    let first = null;
    for (const group of select.querySelectorAll("optgroup")) {
      let visible = 0;
      for (const option of group.querySelectorAll("option")) {
        const match = !query || matches(words, `${group.label} ${option.textContent}`);
        option.hidden = !match;
        option.disabled = !match && option.value !== select.value;
        if (match) {
          visible += 1;
          first = first || option;
        }
      }
      group.hidden = visible === 0;
      shown += visible;
    }
    status.textContent = shown === 0 ? t.none || "" : "";
    // One match is chosen for the resident; several leave the choice to them.
    if (query && shown === 1 && first) select.value = first.value;
  });
}

for (const select of document.querySelectorAll("select[data-region-select]")) attachRegionFilter(select, readStrings());
