// The facilitator's console: the room plus floor, room and moderation controls.
import { ConsoleView } from "./console-view.js";
import { startRoom } from "./room-ui.js";

const started = startRoom("console", ConsoleView);
if (started) {
  const { view } = started;
  const root = document.querySelector("[data-room]");
  const floorActions = {
    grant_next: ["floor.grant", () => ({ user_id: null })],
    extend: ["floor.extend", () => ({ seconds: 30 })],
    end: ["floor.end", () => ({})],
    skip: ["floor.skip", () => ({})],
  };
  for (const button of root.querySelectorAll("[data-floor]")) {
    const [type, fields] = floorActions[button.dataset.floor];
    button.addEventListener("click", () => view.act(type, fields()));
  }
  for (const button of root.querySelectorAll("[data-room-action]")) {
    button.addEventListener("click", () => {
      const action = button.dataset.roomAction;
      if (action === "close" && !window.confirm(view.t.confirm_close)) return;
      view.act(`room.${action}`);
    });
  }
  view.bindConsoleTools();
  // Forms that remove something ask first (briefing materials).
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (e) => {
      if (!window.confirm(form.dataset.confirm)) e.preventDefault();
    });
  }
  const locked = root.querySelector('[data-setting="locked"]');
  locked?.addEventListener("change", () => view.act("room.lock", { locked: locked.checked }));
  const premod = root.querySelector('[data-setting="premoderation"]');
  premod?.addEventListener("change", () => view.act("room.premoderation", { enabled: premod.checked }));
  const slow = root.querySelector('[data-setting="slow_mode_seconds"]');
  root.querySelector("[data-apply-slow]")?.addEventListener("click", () => {
    const seconds = Math.max(0, Math.min(3600, Number.parseInt(slow.value, 10) || 0));
    view.act("room.slow_mode", { seconds });
  });
}
