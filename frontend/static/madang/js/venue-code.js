// The venue code on the console and the projector: fetched again when it changes.
const target = document.querySelector("[data-venue-code]");

async function refresh() {
  let wait = 30_000;
  try {
    const response = await fetch(target.dataset.venueUrl, { credentials: "same-origin" });
    if (response.ok) {
      const data = await response.json();
      target.textContent = data.code;
      wait = Math.max(1_000, data.expires_at * 1000 - Date.now() + 500);
    }
  } catch {
    // Offline for a moment: try again shortly.
  }
  setTimeout(refresh, Math.min(wait, 60_000));
}

if (target?.dataset.venueUrl) refresh();
