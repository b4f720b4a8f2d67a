// Live background jobs (labels/templates/labels/_job_row.html): every `[data-job]` row of a
// `[data-job-list]` whose job is queued or running is polled about once a second through the
// API until it ends; its progress bar, state, message and download link follow. A list marked
// `data-reload-on-end` reloads the page when a job ends (the job page, the dashboard), so the
// server renders the result. `startJob` adds a row for a job just started (the export form).

import { request } from "./api.js";

const ACTIVE = new Set(["queued", "running"]);
const POLL_MS = 1000;

function field(row, name) {
  return row.querySelector(`[data-job-field="${name}"]`);
}

/** Show `job` (the API's JSON) in `row`. */
export function renderJob(row, job) {
  row.dataset.jobState = job.state;
  field(row, "state").textContent = job.state;
  field(row, "message").textContent = job.message;
  row.querySelector("progress").value = job.progress;
  const download = field(row, "download");
  if (job.result && job.result.download) {
    download.href = job.result.download;
    download.hidden = false;
  }
}

async function follow(row) {
  const list = row.closest("[data-job-list]");
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    let answer;
    try {
      answer = await request("GET", `jobs/${row.dataset.job}/`);
    } catch {
      continue; // offline for a moment: try again
    }
    if (answer.status !== 200) return;
    renderJob(row, answer.body);
    if (!ACTIVE.has(answer.body.state)) {
      list?.dispatchEvent(new CustomEvent("jobend", { detail: answer.body }));
      if (list && "reloadOnEnd" in list.dataset) window.location.reload();
      return;
    }
  }
}

/** A row for `job` at the top of `list`, followed until it ends. */
export function startJob(list, job) {
  const row = document.createElement("li");
  row.className = "job";
  row.dataset.job = job.id;
  const link = document.createElement("a");
  link.href = `/jobs/${job.id}/`;
  link.textContent = job.kind === "export" ? "Export to a file" : job.kind;
  const state = document.createElement("span");
  state.className = "badge";
  state.dataset.jobField = "state";
  const bar = document.createElement("progress");
  bar.max = 1;
  bar.setAttribute("aria-label", `Progress of job ${job.id}`);
  const message = document.createElement("span");
  message.className = "small muted";
  message.dataset.jobField = "message";
  const download = document.createElement("a");
  download.className = "small";
  download.dataset.jobField = "download";
  download.textContent = "Download";
  download.hidden = true;
  row.append(link, " ", state, " ", bar, " ", message, " ", download);
  list.prepend(row);
  list.closest("[data-jobs]")?.removeAttribute("hidden");
  renderJob(row, job);
  follow(row);
  return row;
}

for (const row of document.querySelectorAll("[data-job-list] [data-job]")) {
  if (ACTIVE.has(row.dataset.jobState)) follow(row);
}
