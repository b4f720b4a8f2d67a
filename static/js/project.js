// The project page (labels/templates/labels/project.html): single-key shortcuts, the Jobs list
// (./jobs.js) and the export form's "Export to a file", which starts a background job through
// the API instead of streaming the file. A button or link marked data-hotkey="n" is clicked
// when "n" is pressed outside a text field and without a modifier (the page's Next article).

import { request, errorMessage } from "./api.js";
import { isTextEntry } from "./dom.js";
import { clearFieldErrors, showFieldErrors } from "./field_errors.js";
import { enhanceImportForm } from "./imports.js";
import { startJob } from "./jobs.js";
import { refreshRegions } from "./regions.js";

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

/** The export form's fields as a query string, as the browser would send the form. */
function exportQuery(form) {
  return new URLSearchParams([...new FormData(form)].filter(([, value]) => value !== "")).toString();
}

/** The API's errors for the export form: each next to its field, the others under the form. */
function showExportErrors(form, errors, body, status) {
  const rest = showFieldErrors(form, body?.errors ?? []);
  if (rest.length || !body?.errors?.length) {
    errors.textContent = errorMessage({ errors: rest }, `The server answered ${status}.`);
    errors.hidden = false;
  }
}

const exportForm = document.querySelector("[data-export-form]");
exportForm?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const background = event.submitter && "background" in event.submitter.dataset;
  const errors = document.querySelector("[data-export-errors]");
  errors.hidden = true;
  clearFieldErrors(exportForm);
  const button = event.submitter ?? exportForm.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    // Every field is checked first (the tokenizer loaded too), so that a mistake is shown next
    // to its field before a download or a job starts.
    const query = exportQuery(exportForm);
    const check = await fetch(`${exportForm.dataset.checkUrl}?${query}`, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (check.status !== 204) {
      showExportErrors(exportForm, errors, await check.json().catch(() => null), check.status);
      return;
    }
    if (!background) {
      // "Download now": the browser downloads the stream itself, with its own progress, and
      // this page stays.
      window.location.assign(`${exportForm.action}?${query}`);
      return;
    }
    const answer = await request(
      "POST",
      `projects/${exportForm.dataset.project}/exports/`,
      exportParams(exportForm),
    );
    if (answer.status === 202) {
      startJob(document.querySelector("[data-job-list]"), answer.body);
    } else {
      showExportErrors(exportForm, errors, answer.body, answer.status);
    }
  } catch {
    errors.textContent = "The server could not be reached; try again.";
    errors.hidden = false;
  } finally {
    button.disabled = false;
  }
});

if (exportForm) exportForm.dataset.ready = "true";

// After an import, in the page or as a job, the article list, the counts and the assign form's
// articles are fetched again (./regions.js): the import's report stays where it is.
const jobList = document.querySelector("[data-job-list]");
const importForm = document.querySelector("[data-import-form]");
if (importForm) enhanceImportForm(importForm, jobList, { onImported: () => refreshRegions() });
jobList?.addEventListener("jobend", (event) => {
  if (event.detail.kind === "import" && event.detail.state === "succeeded") {
    refreshRegions().catch(() => {}); // the job's row says it succeeded; a reload shows the rest
  }
});
