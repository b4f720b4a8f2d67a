// Settings → Guidelines: the preview follows the text as the manager types, rendered by the
// server's own (sanitised) Markdown renderer, so it is exactly what analysts will see. Without
// JavaScript the Preview button does the same with a page load.

import { csrfToken, errorMessage } from "./api.js";

const DELAY_MS = 300;

const form = document.querySelector("[data-guidelines-editor]");
if (form) {
  const textarea = form.querySelector("textarea[name=guidelines]");
  const preview = form.querySelector("[data-guidelines-preview]");
  const state = form.querySelector("[data-preview-state]");
  const saved = textarea.defaultValue;
  let timer = 0;
  let inFlight = null;

  form.querySelector("[data-preview-button]").hidden = true;

  async function refresh() {
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    state.textContent = "updating…";
    const body = new FormData();
    body.set("guidelines", textarea.value);
    try {
      const response = await fetch(form.dataset.previewUrl, {
        method: "POST",
        body,
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
        credentials: "same-origin",
        signal: controller.signal,
      });
      const answer = await response.json().catch(() => null);
      if (controller !== inFlight) return;
      if (!response.ok) {
        state.textContent = errorMessage(answer, `preview failed (the server answered ${response.status})`);
        return;
      }
      // The server's renderer escapes any HTML in the text and drops unsafe links (the same
      // HTML the workspace shows), so its output is inserted as markup.
      preview.innerHTML = answer.html;
      state.textContent = "";
      form.dataset.previewed = String(Date.now());
    } catch (error) {
      if (error.name !== "AbortError") state.textContent = "preview unavailable (offline?)";
    }
  }

  textarea.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, DELAY_MS);
  });

  let submitting = false;
  form.addEventListener("submit", () => {
    submitting = true;
  });
  window.addEventListener("beforeunload", (event) => {
    if (!submitting && textarea.value !== saved) event.preventDefault();
  });

  // Typed before this module ran: the preview catches up at once.
  if (textarea.value !== saved) refresh();
  form.dataset.ready = "true";
}
