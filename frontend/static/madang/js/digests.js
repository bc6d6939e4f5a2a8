// Digests: live build progress on the digest page (server-sent events) and the
// facilitator console's live digest panel, refreshed as statements arrive.

const REFRESH_GAP_MS = 4000;

function setProgress(box, data) {
  const bar = box.querySelector("progress");
  const text = box.querySelector('[role="status"], .dg-progress-text, .dg-live-progress-text');
  if (bar) {
    bar.value = data.percent;
    bar.textContent = `${data.percent}%`;
  }
  if (text) {
    const label = data.state === "done" ? box.dataset.doneText || "" : data.stage || "";
    text.textContent = `${data.percent}% ${label}`.trim();
  }
}

// The digest page: follow a running build, then reload to show the editor.
function followBuild() {
  const box = document.querySelector("[data-digest-progress]");
  if (!box || box.dataset.state !== "running" || !window.EventSource) return;
  const source = new EventSource(box.dataset.digestProgress);
  source.addEventListener("progress", (event) => {
    let data;
    try {
      data = JSON.parse(event.data);
    } catch (_) {
      return;
    }
    setProgress(box, data);
    if (data.state === "done" || data.state === "failed") {
      source.close();
      window.location.reload();
    }
  });
  source.onerror = () => {
    // The stream ends when the build ends; a reload shows the stored result.
    source.close();
    window.setTimeout(() => window.location.reload(), 1500);
  };
}

// The console panel: one refresh at a time, at most one per REFRESH_GAP_MS,
// however many statements arrive meanwhile.
function livePanel(client) {
  const panel = document.querySelector("[data-digest-live]");
  if (!panel || panel.dataset.bound) return;
  panel.dataset.bound = "1";
  const body = panel.querySelector(".dg-live-body");
  const progress = panel.querySelector(".dg-live-progress");
  let inFlight = false;
  let wanted = false;
  let last = 0;
  let timer = null;

  async function refresh() {
    timer = null;
    if (inFlight) {
      wanted = true;
      return;
    }
    inFlight = true;
    wanted = false;
    last = Date.now();
    try {
      const answer = await fetch(panel.dataset.digestLive, {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      });
      if (answer.ok) {
        body.innerHTML = await answer.text(); // our own escaped fragment
        // Statements still waiting for analysis: look again once the gap has passed.
        const pending = body.querySelector("[data-live-pending]");
        if (pending && Number(pending.dataset.livePending) > 0) wanted = true;
      }
    } catch (_) {
      /* offline: the next statement schedules another try */
    } finally {
      inFlight = false;
      if (wanted) schedule();
    }
  }

  function schedule() {
    if (timer) return;
    const wait = Math.max(0, last + REFRESH_GAP_MS - Date.now());
    timer = window.setTimeout(refresh, wait);
  }

  client.on("statement.new", schedule);
  client.on("statement.hidden", schedule);
  client.on("snapshot", schedule);
  client.on("digest.progress", (data) => {
    if (!progress) return;
    progress.hidden = data.state === "done";
    setProgress(progress, data);
  });
  schedule();
}

document.addEventListener("madang:room-ready", (event) => livePanel(event.detail.client));
if (window.madangRoom) livePanel(window.madangRoom.client);
followBuild();
