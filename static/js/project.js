// The project page (labels/templates/labels/project.html): single-key shortcuts, the Jobs list
// (./jobs.js) and the export form's "Export to a file", which starts a background job through
// the API instead of streaming the file. A button or link marked data-hotkey="n" is clicked
// when "n" is pressed outside a text field and without a modifier (the page's Next article).

import { request, errorMessage } from "./api.js";
import { isTextEntry } from "./dom.js";
import { startJob } from "./jobs.js";

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
  if (isTextEntry(event.target) || document.querySelector("dialog[open]")) return;
  const target = [...document.querySelectorAll("[data-hotkey]")].find(
    (el) => el.dataset.hotkey === event.key && !el.disabled,
  );
  if (target) {
    event.preventDefault();
    target.click();
  }
});

/** The export form's fields as the export API's parameters (empty ones left out). */
function exportParams(form) {
  const params = {};
  for (const [name, value] of new FormData(form)) {
    if (value === "") continue;
    if (name === "status" || name === "labels") (params[name] ??= []).push(value);
    else params[name] = value;
  }
  return params;
}

const exportForm = document.querySelector("[data-export-form]");
exportForm?.addEventListener("submit", async (event) => {
  if (!event.submitter || !("background" in event.submitter.dataset)) return; // streamed GET
  event.preventDefault();
  const errors = document.querySelector("[data-export-errors]");
  errors.hidden = true;
  event.submitter.disabled = true;
  try {
    const answer = await request(
      "POST",
      `projects/${exportForm.dataset.project}/exports/`,
      exportParams(exportForm),
    );
    if (answer.status === 202) {
      startJob(document.querySelector("[data-job-list]"), answer.body);
    } else {
      errors.textContent = errorMessage(answer.body, `The server answered ${answer.status}.`);
      errors.hidden = false;
    }
  } catch {
    errors.textContent = "The server could not be reached; try again.";
    errors.hidden = false;
  } finally {
    event.submitter.disabled = false;
  }
});
