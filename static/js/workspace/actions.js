// The analyst's commands in the workspace and what the page says about them: marking,
// selecting and deleting spans and relations, submitting, skipping, going on to the next
// article, and taking up changes an earlier page left unsaved. The message line, the alert box
// and the save indicator of annotate.html are written here; annotate.js binds the commands to
// keys and clicks. User text only via textContent.

import { ApiError, call, errorMessage } from "../api.js";
import { plural, quoted } from "../format.js";
import { selectionToSpan } from "../offsets.js";
import { missingAttributes, spanLabel } from "../schema.js";
import { prefilledAttributes } from "./fastpath.js";
import { stateText } from "./savequeue.js";
import { replayMessage } from "./sync.js";

/**
 * The commands, over the page's parts: `data` is the page's workspace-data, `root` the
 * [data-ws] element, `doc` the text's element, `dialogs` the dialogs by data-dialog.
 */
export function workspaceActions({ data, store, sync, view, index, root, doc, dialogs }) {
  const schema = data.schema;
  const text = data.article.text;
  const queue = sync.queue;
  const messageEl = root.querySelector("[data-message]");
  const alertEl = root.querySelector("[data-alert]");
  const nextForm = root.querySelector("[data-next-form]");
  let blocked = false; // unsent changes from an earlier page wait for the analyst's decision
  let about = null; // the span whose attributes the message line speaks of

  // --- messages ------------------------------------------------------------------------------

  /** Say `message`; `action` {label, run} adds a button after it (Undo), `span` names the span
   * the message describes, so it is said again when that span's attributes change. */
  function say(message, { error = false, success = false, action = null, span = null } = {}) {
    messageEl.textContent = message;
    messageEl.classList.toggle("error", error);
    messageEl.classList.toggle("success", success);
    about = span;
    if (action) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link small";
      button.dataset.messageAction = "";
      button.textContent = action.label;
      button.addEventListener("click", action.run);
      messageEl.append(" ", button);
    }
  }

  // The hint under the bar ("… needs quote_type (press a)") follows the span it speaks of.
  store.addEventListener("change", (event) => {
    const d = event.detail;
    if (d.type !== "span-updated" || d.key !== about) return;
    const missing = needs(d.span);
    say(missing ? `${quoted(d.span)} — needs ${missing} (press a).` : `${quoted(d.span)}: every required attribute is set.`, { span: d.key });
  });

  function showAlert(message, actions = []) {
    alertEl.querySelector("[data-alert-text]").textContent = message;
    const box = alertEl.querySelector("[data-alert-actions]");
    box.replaceChildren(
      ...actions.map(({ label, run, primary }) => {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = label;
        if (primary) button.className = "primary";
        button.addEventListener("click", run);
        return button;
      }),
    );
    alertEl.hidden = false;
    box.querySelector("button")?.focus();
  }

  function hideAlert() {
    alertEl.hidden = true;
  }

  /** Hide the alert unless it asks for something (a decision, a reload, the read-only notice). */
  function hideAlertIfInformational() {
    if (store.editable && !blocked && queue.state !== "conflict") hideAlert();
  }

  function canEdit() {
    if (blocked) {
      say("Decide first what to do with the unsaved changes above.", { error: true });
      return false;
    }
    if (!store.editable) {
      say(`This annotation is ${store.status}; it can no longer be changed.`, { error: true });
      return false;
    }
    return true;
  }

  // --- saving --------------------------------------------------------------------------------

  queue.addEventListener("state", () => {
    const saveState = root.querySelector("[data-save-state]");
    saveState.dataset.state = queue.state;
    saveState.dataset.version = queue.version; // the version the server last confirmed
    saveState.textContent = stateText(queue.state, queue.size, queue.message);
  });
  queue.addEventListener("rejected", (event) => {
    const { status, body } = event.detail; // sync.js has undone the change on the page
    say(`Not saved: ${errorMessage(body, `the server refused this change (${status}).`)}`, { error: true });
  });
  queue.addEventListener("conflict", (event) => {
    const closed = (event.detail.body?.errors || []).some((e) => e.code === "closed");
    const kept = `Your ${plural(queue.size, "unsaved change")} ${queue.size === 1 ? "is" : "are"} kept in this browser.`;
    showAlert(
      closed
        ? `${queue.message} ${kept}`
        : `This annotation was changed somewhere else (another tab or window) after this page loaded, so your change was not saved and nothing was overwritten. Reload to get the latest version; ${kept} New spans and links are re-applied after the reload.`,
      [{ label: "Reload", primary: true, run: () => location.reload() }],
    );
  });

  /** The names of the required attributes `span` leaves empty, joined; "" when none. */
  const needs = (span) =>
    missingAttributes(schema, span.label, span.attrs)
      .map((a) => a.name)
      .join(", ");

  // --- spans and relations -------------------------------------------------------------------

  function markSelection(label) {
    if (!canEdit()) return;
    const range = view.selectedRange();
    if (!range) {
      say(`Select some text first, then press ${spanLabel(schema, label)?.hotkey || "the label's key"} to mark it as ${label}.`);
      return;
    }
    const span = selectionToSpan(index, text, range.start, range.end);
    if (!span) {
      say("Only spaces are selected; select some words.", { error: true });
      return;
    }
    if (store.findSame(label, span.start, span.end)) {
      say(`There is already a ${label} on exactly this text.`, { error: true });
      return;
    }
    // A Quote's quote_type is pre-filled from its quotation marks (the import's rule); the
    // message says so, and a changes it as any attribute.
    const prefilled = prefilledAttributes(schema, label, text, index.toUtf16(span.start), index.toUtf16(span.end));
    const added = sync.createSpan(label, span, prefilled);
    getSelection().removeAllRanges();
    store.select(added.key);
    const missing = needs(added);
    const filled = Object.entries(prefilled).map(([name, value]) => ` — ${name} ${value}, from its quotation marks (a changes it)`).join("");
    say(`Marked ${quoted(added)}${filled}.${missing ? ` Press a to set its ${missing}.` : ""}`, { span: added.key });
    return added;
  }

  function deleteSpan(key) {
    if (!canEdit()) return;
    const span = store.span(key);
    if (!span) return;
    const shown = quoted(span);
    sync.deleteSpan(key);
    doc.focus({ preventScroll: true });
    say(`Deleted ${shown}.`, { action: { label: "Undo (Ctrl+Z)", run: undo } });
  }

  /** Delete relation `key`; false when nothing was deleted. */
  function deleteRelation(key) {
    if (!canEdit()) return false;
    const relation = store.relation(key);
    if (!relation) return false;
    sync.deleteRelation(key);
    say(`Deleted the ${relation.label} link.`, { action: { label: "Undo (Ctrl+Z)", run: undo } });
    return true;
  }

  // --- undo and redo -------------------------------------------------------------------------

  /** Undo the session's last action (or redo the last undone one), saved like any change. */
  function undoOrRedo(which) {
    if (!canEdit()) return;
    const result = which === "undo" ? sync.history.undo() : sync.history.redo();
    if (!result) {
      say(which === "undo" ? "Nothing to undo." : "Nothing to redo.");
      return;
    }
    if (!result.done) {
      say(`Nothing to ${which} of ${result.what}: its spans are gone or already as they were.`);
      return;
    }
    if (result.key) {
      store.select(result.key);
      view.reveal(result.key);
    }
    if (which === "undo") say(`Undone: ${result.what}.`, { action: { label: "Redo (Ctrl+Shift+Z)", run: redo } });
    else say(`Redone: ${result.what}.`, { action: { label: "Undo (Ctrl+Z)", run: undo } });
  }

  function undo() {
    undoOrRedo("undo");
  }

  function redo() {
    undoOrRedo("redo");
  }

  function selectSpan(key, { reveal = true } = {}) {
    store.select(key);
    if (key && reveal) view.reveal(key);
    if (key) {
      const span = store.span(key);
      const missing = needs(span);
      say(`${quoted(span)} selected${missing ? ` — needs ${missing} (press a)` : ""}.`, { span: key });
    }
  }

  /** Select the next (+1) or previous (-1) span; false at either end. The focus comes along
   * (to the span's row when it was in the list, else to the text), so that the next key —
   * Enter, Delete — acts on the span the panel shows, not on a row left focused behind. */
  function step(direction) {
    const key = store.neighbour(store.selected, direction);
    if (!key) return false;
    const focused = document.activeElement;
    selectSpan(key);
    if (focused?.closest?.("[data-span-list]")) {
      root.querySelector(`[data-span-list] .row[data-key="${CSS.escape(key)}"] .span-item`)?.focus();
    } else if (focused?.closest?.("[data-relation-list], [data-editor]")) {
      doc.focus({ preventScroll: true });
    }
    return true;
  }

  // --- status, submit, skip, next --------------------------------------------------------------

  const finishButtons = () => root.querySelectorAll("[data-action=submit], [data-action=skip]");

  /** Draw the annotation's status: a submitted or skipped one is read-only, and says so. */
  function showStatus() {
    const editable = store.editable;
    root.classList.toggle("read-only", !editable);
    for (const button of root.querySelectorAll(".label-btn, [data-action=submit], [data-action=skip]")) {
      button.disabled = !editable;
    }
    if (!editable) {
      const reason = data.annotation.skip_reason && store.status === "skipped" ? ` (“${data.annotation.skip_reason}”)` : "";
      showAlert(`This article is ${store.status}${reason}. It is read-only now.`, [
        { label: "Next article (n)", primary: true, run: () => goNext() },
      ]);
    }
  }

  async function finishWith(path, body, done) {
    if (!canEdit()) return;
    const incomplete = path.endsWith("submit/") ? store.sorted.find((s) => needs(s)) : null;
    if (incomplete) {
      selectSpan(incomplete.key);
      say(`${quoted(incomplete)} needs ${needs(incomplete)} before you can submit (press a).`, { error: true });
      return;
    }
    for (const b of finishButtons()) b.disabled = true;
    if (queue.size) say("Saving your last changes first…");
    if (!(await queue.whenSaved())) return;
    try {
      const payload = await call("POST", `annotations/${data.annotation.id}/${path}`, { version: queue.version, ...body });
      data.annotation.skip_reason = payload.skip_reason;
      store.setStatus(payload.status);
      say(done, { success: true });
    } catch (error) {
      for (const b of finishButtons()) b.disabled = !store.editable;
      if (error instanceof ApiError && error.status === 409) {
        showAlert(`${error.message}`, [{ label: "Reload", primary: true, run: () => location.reload() }]);
      } else if (error instanceof ApiError) {
        const field = error.errors.map((e) => e.field).find((f) => f?.startsWith("spans."));
        const key = field ? store.keyOfSpanId(Number(field.split(".")[1])) : null;
        if (key && store.span(key)) selectSpan(key);
        say(error.message, { error: true });
      } else {
        say("No connection to the server; nothing was submitted. Try again in a moment.", { error: true });
      }
    }
  }

  function submit() {
    finishWith("submit/", {}, "Submitted. Thank you! Press n for the next article.");
  }

  const skipDialog = dialogs.skip;
  const skipForm = skipDialog.querySelector("[data-skip-form]");

  function openSkip() {
    if (!canEdit()) return;
    skipForm.querySelector("[data-skip-error]").textContent = "";
    skipDialog.returnValue = "";
    skipDialog.showModal();
    skipForm.querySelector("textarea").focus();
  }

  skipDialog.addEventListener("close", () => {
    if (skipDialog.returnValue !== "skip") return;
    const reason = skipForm.querySelector("textarea").value.trim();
    if (!reason) {
      skipDialog.showModal();
      skipForm.querySelector("[data-skip-error]").textContent = "Say why you skip this article.";
      return;
    }
    finishWith("skip/", { reason }, "Skipped. Press n for the next article.");
  });

  async function goNext() {
    if (queue.size) {
      say("Saving your last changes first…");
      if (!(await queue.whenSaved())) return;
    }
    nextForm.submit();
  }

  nextForm.addEventListener("submit", (event) => {
    if (queue.size) {
      event.preventDefault();
      goNext();
    }
  });

  // --- on opening ------------------------------------------------------------------------------

  /** What the page says when it opens: the reviewer's comment, the status, earlier changes. */
  function showOpeningNotices() {
    if (data.annotation.review_comment && store.editable) {
      showAlert(`Sent back by ${data.annotation.reviewer || "the reviewer"}: “${data.annotation.review_comment}”`, [
        { label: "OK", run: hideAlert },
      ]);
    }
    showStatus();
    restorePending();
  }

  /** Replay them, or ask first when that could undo changes made elsewhere meanwhile. */
  function restorePending() {
    const { ops, tabs, conflict } = sync.earlier();
    if (!ops.length) return;
    const status = data.annotation.status;
    const replay = () => {
      const message = replayMessage(sync.replay(ops, tabs));
      if (message) say(message);
    };
    if (status !== "draft") {
      sync.forget(tabs);
      showAlert(`${plural(ops.length, "unsaved change")} could not be saved: this annotation is ${status} now, so it no longer accepts changes.`);
      return;
    }
    if (!conflict) {
      replay();
      return;
    }
    blocked = true;
    const were = ops.length === 1 ? "was" : "were";
    showAlert(
      `${plural(ops.length, "change")} made on this article earlier in this browser ${were} never saved, and the annotation has been changed elsewhere since (version ${data.annotation.version}). Applying them now may undo some of those changes.`,
      [
        {
          label: `Apply my ${plural(ops.length, "change")}`,
          primary: true,
          run: () => {
            blocked = false;
            hideAlert();
            replay();
          },
        },
        {
          label: "Discard them",
          run: () => {
            blocked = false;
            hideAlert();
            sync.forget(tabs);
            say(`Discarded ${plural(ops.length, "unsaved change")}.`);
          },
        },
      ],
    );
  }

  return {
    say,
    showAlert,
    hideAlert,
    hideAlertIfInformational,
    canEdit,
    markSelection,
    deleteSpan,
    deleteRelation,
    undo,
    redo,
    selectSpan,
    step,
    showStatus,
    submit,
    openSkip,
    goNext,
    showOpeningNotices,
  };
}
