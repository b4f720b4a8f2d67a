// The project page's Import form, in the page: the upload shows its progress, then the server's
// report (labels/templates/labels/import_result.html, its [data-import-result] part) replaces
// the form's result area, with every problem as `file:line: reason`. Without JavaScript the
// form posts and the same report is a page of its own. An import that runs in the background
// answers with its job page; the job then joins the page's Jobs list. After an import the page
// is told (`onImported`), to bring what it shows of the articles up to date.

import { request } from "./api.js";
import { startJob } from "./jobs.js";

function megabytes(bytes) {
  return (bytes / 1024 / 1024).toFixed(1);
}

/**
 * Wire `form` (the import form); `jobList` is the page's [data-job-list], if any. `onImported`
 * is called after an import that succeeded and resolves to false when the page could
 * not show the new articles (the report then says to reload).
 */
export function enhanceImportForm(form, jobList, { onImported } = {}) {
  const status = form.parentElement.querySelector("[data-import-status]");
  const progress = status.querySelector("progress");
  const said = status.querySelector("[data-import-said]");
  const cancel = status.querySelector("[data-import-cancel]");
  const result = form.parentElement.querySelector("[data-import-area]");
  const submit = form.querySelector("button[type=submit]");
  let xhr = null;

  // The CSV column fields mean something only for a CSV file: shown (and sent) only when CSV
  // is the format. Without JavaScript they stay in the form, where the other readers ignore them.
  const csvColumns = form.querySelector("[data-csv-columns]");
  const format = form.elements.format;
  function showCsvColumns() {
    if (!csvColumns || !format) return;
    const csv = format.value === "csv";
    csvColumns.hidden = !csv;
    csvColumns.disabled = !csv;
  }
  format?.addEventListener("change", showCsvColumns);
  showCsvColumns();

  function finish() {
    xhr = null;
    submit.disabled = false;
    cancel.hidden = true;
    form.setAttribute("aria-busy", "false");
  }

  function show(message, { keepProgress = false } = {}) {
    said.textContent = message;
    if (!keepProgress) progress.hidden = true;
  }

  async function followJob(url) {
    const id = /\/jobs\/(\d+)\/$/.exec(new URL(url).pathname)?.[1];
    if (!id || !jobList) return window.location.assign(url);
    const answer = await request("GET", `jobs/${id}/`).catch(() => null);
    if (!answer || answer.status !== 200) return window.location.assign(url);
    startJob(jobList, answer.body);
    show("The import runs in the background: follow it under Jobs.");
    form.reset();
    showCsvColumns();
  }

  async function refreshAfter(onImported) {
    const shown = await Promise.resolve(onImported()).catch(() => false);
    if (shown !== false) return;
    const note = document.createElement("p");
    note.className = "hint";
    note.textContent =
      "The list of articles could not be brought up to date: reload the page to see them.";
    result.append(note);
  }

  cancel.addEventListener("click", () => xhr?.abort());

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (xhr) return;
    const body = new FormData(form);
    const file = form.elements.file.files[0];
    xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.responseType = "document";
    submit.disabled = true;
    cancel.hidden = false;
    form.setAttribute("aria-busy", "true");
    status.hidden = false;
    result.replaceChildren();
    progress.hidden = false;
    progress.value = 0;
    progress.max = 100;
    show(`Uploading ${file ? file.name : "the file"}…`, { keepProgress: true });

    xhr.upload.addEventListener("progress", (e) => {
      if (!e.lengthComputable) return;
      progress.value = Math.round((100 * e.loaded) / e.total);
      said.textContent = `Uploading… ${progress.value}% (${megabytes(e.loaded)} of ${megabytes(e.total)} MB)`;
    });
    xhr.upload.addEventListener("load", () => {
      progress.removeAttribute("value"); // indeterminate while the server checks and writes
      said.textContent = "Uploaded; checking the whole file and importing…";
    });
    xhr.addEventListener("abort", () => {
      finish();
      show("Upload cancelled; nothing was imported.");
    });
    xhr.addEventListener("error", () => {
      finish();
      show("The server could not be reached; nothing was imported. Try again.");
    });
    xhr.addEventListener("load", () => {
      const answer = xhr;
      finish();
      if (answer.responseURL && !answer.responseURL.startsWith(form.action)) {
        followJob(answer.responseURL); // a background import: its job page
        return;
      }
      const report = answer.response?.querySelector("[data-import-result]");
      if (!report) {
        show(`The server answered ${answer.status}; nothing was imported.`);
        return;
      }
      // The report is the server's own escaped template, adopted as it is; it says what
      // happened, so the progress line goes.
      result.replaceChildren(document.adoptNode(report));
      status.hidden = true;
      result.querySelector("[role=alert], [role=status]")?.focus();
      if (answer.status === 200) {
        form.elements.file.value = "";
        if (onImported) refreshAfter(onImported);
      }
    });
    xhr.send(body);
  });
  form.dataset.ready = "true";
}
