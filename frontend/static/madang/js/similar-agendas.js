// While a facilitator writes a new agenda, show the past agendas that look most like it
// (the programmes' overlap engine on the server), so a topic already held is continued
// rather than opened twice.
const panel = document.querySelector("[data-similar-agendas]");
const title = document.getElementById("id_title");
const description = document.getElementById("id_description");

if (panel && title) {
  const base = panel.dataset.similarAgendas;
  let timer = 0;
  let asked = "";

  async function ask() {
    const params = new URLSearchParams({ title: title.value, description: description ? description.value : "" });
    const query = params.toString();
    if (query === asked) return;
    asked = query;
    const url = base + (base.includes("?") ? "&" : "?") + query;
    try {
      const response = await fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" });
      if (!response.ok || asked !== query) return;
      const html = (await response.text()).trim();
      panel.innerHTML = html;
      panel.hidden = html === "";
    } catch {
      // Suggestions are a help, never a blocker: a failed request shows nothing.
    }
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(ask, 700);
  }

  title.addEventListener("input", later);
  if (description) description.addEventListener("input", later);
  if (title.value.trim()) ask();
}
