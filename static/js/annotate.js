// The annotation workspace (labels/templates/labels/annotate.html): marking spans, editing
// attributes, linking, saving. Wires the store (what the annotation holds), the view (text and
// span bars), the panel (lists and editor) and the save queue (what still has to reach the
// server) to the keyboard and the mouse.

import { ApiError, call } from "./api.js";
import { Linker, quoted } from "./linking.js";
import { OffsetIndex, selectionToSpan, spanToUtf16 } from "./offsets.js";
import { Panel, labelTag } from "./panel.js";
import { DocView, excerpt } from "./render.js";
import { errorMessage } from "./savequeue.js";
import { hotkeys, missingAttributes, spanLabel } from "./schema.js";
import { Store } from "./store.js";
import { SuggestionsUI } from "./suggestions.js";
import { Sync, newId, sameAttrs } from "./sync.js";

performance.mark("annotate:start");

const data = JSON.parse(document.getElementById("workspace-data").textContent);
const schema = data.schema;
const annotationId = data.annotation.id;
const text = data.article.text;
const index = new OffsetIndex(text);

const root = document.querySelector("[data-ws]");
const doc = root.querySelector("[data-doc]");
const saveState = root.querySelector("[data-save-state]");
const messageEl = root.querySelector("[data-message]");
const alertEl = root.querySelector("[data-alert]");
const dialogs = Object.fromEntries(
  [...document.querySelectorAll("dialog[data-dialog]")].map((d) => [d.dataset.dialog, d]),
);
const nextForm = root.querySelector("[data-next-form]");

const styles = new Map(data.labels.map((l, index) => [l.name, { color: l.color, pattern: l.pattern, index }]));
const styleOf = (label) => styles.get(label) || { color: "#6b7280", pattern: 0, index: Infinity };
data.labels.forEach((l, i) => document.documentElement.style.setProperty(`--label-${i}`, l.color));
const labelKeys = hotkeys(schema, data.reserved_hotkeys);

const store = new Store(schema);
const view = new DocView({
  doc,
  textEl: root.querySelector("[data-text]"),
  overlay: root.querySelector("[data-overlay]"),
  arcs: root.querySelector("[data-arcs]"),
  text,
  index,
  styleOf,
  spans: () => suggestions.merged(store.sorted), // the annotation's spans and the ghosts
});
const panel = new Panel({
  store,
  styleOf,
  list: root.querySelector("[data-span-list]"),
  count: root.querySelector("[data-span-count]"),
  editor: root.querySelector("[data-editor]"),
  relationList: root.querySelector("[data-relation-list]"),
  relationCount: root.querySelector("[data-relation-count]"),
});

let hoveredRelation = null;
let showAllArcs = false;
let blocked = false; // unsent changes from an earlier page wait for the analyst's decision

// --- messages ----------------------------------------------------------------------------

function say(message, { error = false } = {}) {
  messageEl.textContent = message;
  messageEl.classList.toggle("error", error);
}

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

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

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

const sync = new Sync({
  store,
  schema,
  annotation: data.annotation,
  text,
  index,
  storage: localStorage,
  session: sessionStorage,
});
const queue = sync.queue;

function renderSaveState() {
  const n = queue.size;
  const texts = {
    saved: "✓ All changes saved",
    saving: `Saving… (${n})`,
    offline: `Offline — ${plural(n, "change")} kept here, retrying`,
    error: `Not saved yet — ${queue.message} Retrying.`,
    conflict: `Not saved — ${plural(n, "change")} waiting (conflict)`,
  };
  saveState.dataset.state = queue.state;
  saveState.textContent = texts[queue.state] || queue.state;
}

queue.addEventListener("state", renderSaveState);

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

addEventListener("online", () => queue.retryNow());

/** Resolves true once everything is saved, false on a conflict. */
function saved() {
  if (queue.size === 0 && queue.state !== "conflict") return Promise.resolve(true);
  if (queue.state === "conflict") return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok) => () => {
      queue.removeEventListener("idle", onIdle);
      queue.removeEventListener("conflict", onConflict);
      resolve(ok);
    };
    const onIdle = done(true);
    const onConflict = done(false);
    queue.addEventListener("idle", onIdle);
    queue.addEventListener("conflict", onConflict);
  });
}

// --- rendering -----------------------------------------------------------------------------

let relationsDirty = false;
function relationsChanged() {
  if (relationsDirty) return;
  relationsDirty = true;
  queueMicrotask(() => {
    relationsDirty = false;
    panel.renderRelations();
    refreshEmphasis();
  });
}

function refreshEmphasis() {
  const selected = store.selected;
  const hovered = hoveredRelation ? store.relation(hoveredRelation) : null;
  // Tinted, with a label chip: the selected span, the current link target, a hovered relation.
  const emphasised = [selected, linker.current, hovered?.from, hovered?.to].filter(Boolean);
  const mine = selected ? store.relationsOf(selected) : [];
  view.setClass("selected", selected ? [selected] : []);
  view.setClass("candidate", linker.candidates);
  root.classList.toggle("linking", linker.active);
  view.setClass("related", mine.flatMap((r) => [r.from, r.to]).filter((k) => k !== selected));
  view.emphasise({ tinted: emphasised, chips: emphasised });
  const arcs = showAllArcs ? store.relations : [...mine, ...(hovered && !mine.includes(hovered) ? [hovered] : [])];
  view.drawArcs(arcs);
  for (const row of root.querySelectorAll("[data-relation-list] [data-relation]")) {
    row.classList.toggle("hovered", row.dataset.relation === hoveredRelation);
  }
}

function applyStatus() {
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

store.addEventListener("change", (event) => {
  const d = event.detail;
  switch (d.type) {
    case "reset":
      view.renderAll(); // the span list follows after the first frame (see the end)
      panel.renderRelations();
      panel.renderEditor();
      refreshEmphasis();
      break;
    case "span-added":
      view.addSpan(d.span);
      panel.addSpan(d.span);
      break;
    case "span-removed":
      view.removeSpan(d.key);
      panel.removeSpan(d.key);
      refreshEmphasis();
      break;
    case "span-updated":
      view.updateSpan(d.span);
      panel.updateSpan(d.span);
      if (store.selected === d.key) renderEditorKeepingFocus();
      relationsChanged();
      break;
    case "relation-added":
    case "relation-updated":
    case "relation-removed":
      relationsChanged();
      break;
    case "select":
      panel.select(d.key, d.previous);
      panel.renderEditor();
      refreshEmphasis();
      break;
    case "status":
      applyStatus();
      panel.renderEditor();
      panel.renderRelations();
      break;
  }
});

/** Rebuild the editor and put the focus back on the same field, so arrow keys keep working. */
function renderEditorKeepingFocus() {
  const editor = root.querySelector("[data-editor]");
  const active = document.activeElement;
  const had = editor.contains(active)
    ? { attr: active.dataset.attr, field: active.dataset.field, value: active.type === "radio" ? active.value : null }
    : null;
  panel.renderEditor();
  if (!had) return;
  const selector = had.field
    ? `[data-field="${had.field}"]`
    : had.value !== null
      ? `input[data-attr="${CSS.escape(had.attr)}"][value="${CSS.escape(had.value)}"]`
      : `[data-attr="${CSS.escape(had.attr)}"]:not(fieldset)`;
  editor.querySelector(selector)?.focus();
}

// --- actions -------------------------------------------------------------------------------

/** UTF-16 [start, end) of the DOM selection within the text, clamped to it; null if none. */
function selectedTextRange() {
  const selection = getSelection();
  if (!selection.rangeCount || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  const node = view.textNode;
  const whole = document.createRange();
  whole.selectNodeContents(node);
  if (whole.comparePoint(range.endContainer, range.endOffset) < 0 || whole.comparePoint(range.startContainer, range.startOffset) > 0) {
    return null; // the selection does not touch the text
  }
  const clamp = (container, offset) => {
    if (container === node) return offset;
    const where = whole.comparePoint(container, offset);
    if (where < 0) return 0;
    if (where > 0) return text.length;
    return container.contains(node) && offset > 0 ? text.length : 0;
  };
  const start = clamp(range.startContainer, range.startOffset);
  const end = clamp(range.endContainer, range.endOffset);
  return start < end ? { start, end } : null;
}

function createFromSelection(label) {
  if (!canEdit()) return;
  const range = selectedTextRange();
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
  const client_id = newId();
  const added = store.addSpan({ client_id, label, ...span, attrs: {} });
  sync.push({ kind: "createSpan", key: added.key, client_id, label, start: span.start, end: span.end, text: span.text, attrs: {} });
  getSelection().removeAllRanges();
  store.select(added.key);
  const missing = missingAttributes(schema, label, {});
  say(`Marked ${quoted(added)}.${missing.length ? ` Press a to set its ${missing.map((a) => a.name).join(", ")}.` : ""}`);
}

function setAttribute(key, name, value) {
  if (!canEdit()) return;
  const span = store.span(key);
  if (!span) return;
  const attrs = { ...span.attrs };
  if (value === null || value === "" || value === undefined) delete attrs[name];
  else attrs[name] = value;
  if (sameAttrs(attrs, span.attrs)) return;
  const before = store.updateSpan(key, { attrs });
  sync.push({ kind: "updateSpan", key, changes: { attrs }, before });
}

function setLabel(key, label) {
  if (!canEdit()) return;
  const span = store.span(key);
  if (!span || span.label === label) return;
  const names = new Set((spanLabel(schema, label)?.attributes || []).map((a) => a.name));
  const attrs = Object.fromEntries(Object.entries(span.attrs).filter(([name]) => names.has(name)));
  const before = store.updateSpan(key, { label, attrs });
  sync.push({ kind: "updateSpan", key, changes: { label, attrs }, before });
}

function deleteSpan(key) {
  if (!canEdit()) return;
  const span = store.span(key);
  if (!span) return;
  const shown = quoted(span);
  // Never sent? Then taking its create (and what refers to it) off the queue is the delete.
  const unsent = sync.withdraw("createSpan", key);
  const snapshot = store.removeSpan(key);
  if (!unsent) sync.push({ kind: "deleteSpan", key, snapshot });
  doc.focus({ preventScroll: true });
  say(`Deleted ${shown}.`);
}

function deleteRelation(key) {
  if (!canEdit()) return;
  const relation = store.relation(key);
  if (!relation) return;
  if (hoveredRelation === key) hoveredRelation = null;
  const unsent = sync.withdraw("createRelation", key);
  const snapshot = store.removeRelation(key);
  if (!unsent) sync.push({ kind: "deleteRelation", key, snapshot });
  say(`Deleted the ${relation.label} link.`);
}

function selectSpan(key, { reveal = true } = {}) {
  store.select(key);
  if (key && reveal) view.reveal(key);
  if (key) {
    const span = store.span(key);
    const missing = missingAttributes(schema, span.label, span.attrs);
    say(`${quoted(span)} selected${missing.length ? ` — needs ${missing.map((a) => a.name).join(", ")} (press a)` : ""}.`);
  }
}

/** Select the next (+1) or previous (-1) span; false at either end. */
function step(direction) {
  const key = store.neighbour(store.selected, direction);
  if (!key) return false;
  selectSpan(key);
  return true;
}

function createRelation(from, to, label, attrs) {
  if (!canEdit()) return;
  if (store.findRelation(label, from, to)) {
    say(`These two spans are already linked by ${label}.`, { error: true });
    return;
  }
  const client_id = newId();
  const relation = store.addRelation({ client_id, label, from, to, attrs });
  sync.push({ kind: "createRelation", key: relation.key, client_id, label, from, to, attrs: relation.attrs });
  say(`Linked ${quoted(store.span(from))} → ${label} → ${quoted(store.span(to))}.`);
}

function updateRelation(key, attrs) {
  if (!canEdit()) return;
  const relation = store.relation(key);
  if (!relation) return;
  const before = store.updateRelation(key, attrs);
  sync.push({ kind: "updateRelation", key, label: relation.label, attrs: { ...attrs }, before });
  say(`Changed the ${relation.label} link.`);
}

// --- linking ---------------------------------------------------------------------------------

const linker = new Linker({
  store,
  schema,
  view,
  dialog: dialogs.relation,
  say,
  create: createRelation,
  update: updateRelation,
  changed: refreshEmphasis,
  done: (fromKey) => {
    selectSpan(fromKey, { reveal: false });
    doc.focus({ preventScroll: true });
  },
});

// --- suggestions (suggestions.js) ------------------------------------------------------------

const suggestions = new SuggestionsUI({
  store,
  view,
  queue,
  section: root.querySelector("[data-suggestions]"),
  articleId: data.article.id,
  annotationId,
  say,
  canEdit,
  relayout: () => {
    view.renderAll();
    refreshEmphasis();
  },
  labelTag: (label) => labelTag(label, styleOf(label)),
});

function startLink() {
  if (!canEdit()) return;
  doc.focus({ preventScroll: true });
  linker.start(store.selected);
}

// --- submit, skip, next ------------------------------------------------------------------------

async function finishWith(path, body, done) {
  if (!canEdit()) return;
  const incomplete = path.endsWith("submit/")
    ? store.sorted.find((s) => missingAttributes(schema, s.label, s.attrs).length)
    : null;
  if (incomplete) {
    selectSpan(incomplete.key);
    const names = missingAttributes(schema, incomplete.label, incomplete.attrs).map((a) => a.name);
    say(`${quoted(incomplete)} needs ${names.join(", ")} before you can submit (press a).`, { error: true });
    return;
  }
  for (const b of root.querySelectorAll("[data-action=submit], [data-action=skip]")) b.disabled = true;
  if (queue.size) say("Saving your last changes first…");
  if (!(await saved())) return;
  try {
    const payload = await call("POST", `annotations/${annotationId}/${path}`, { version: queue.version, ...body });
    data.annotation.skip_reason = payload.skip_reason;
    store.setStatus(payload.status);
    say(done);
  } catch (error) {
    for (const b of root.querySelectorAll("[data-action=submit], [data-action=skip]")) b.disabled = !store.editable;
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
    if (!(await saved())) return;
  }
  nextForm.submit();
}

nextForm.addEventListener("submit", (event) => {
  if (queue.size) {
    event.preventDefault();
    goNext();
  }
});

// --- keyboard ------------------------------------------------------------------------------

function isTextEntry(target) {
  if (!(target instanceof Element)) return false;
  if (target.isContentEditable || target.tagName === "TEXTAREA" || target.tagName === "SELECT") return true;
  return target.tagName === "INPUT" && !["radio", "checkbox", "button", "submit", "reset"].includes(target.type);
}

function extendSelection(event) {
  const selection = getSelection();
  if (!selectedTextRange()) {
    const span = store.selected ? store.span(store.selected) : null;
    if (!span) return false;
    const { start, end } = spanToUtf16(index, span);
    selection.setBaseAndExtent(view.textNode, start, view.textNode, end);
  }
  const forward = event.key === "ArrowRight" || event.key === "ArrowDown";
  const unit = event.key === "ArrowUp" || event.key === "ArrowDown" ? "line" : event.ctrlKey ? "word" : "character";
  selection.modify("extend", forward ? "forward" : "backward", unit);
  return true;
}

document.addEventListener(
  "keydown",
  (event) => {
    if (event.defaultPrevented || document.querySelector("dialog[open]")) return;
    if (linker.active) {
      if (linker.onKey(event)) {
        event.preventDefault();
        event.stopPropagation();
      }
      return;
    }
    const target = event.target;
    if (isTextEntry(target)) return;
    const inText = target === doc || doc.contains(target) || target === document.body;
    const arrows = ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown"];
    if (event.shiftKey && arrows.includes(event.key) && inText && !event.altKey && !event.metaKey) {
      if (extendSelection(event)) event.preventDefault();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const relationRow = target instanceof Element ? target.closest("[data-relation]") : null;
    if (suggestions.onKey(event, { relationRow })) {
      event.preventDefault();
      return;
    }
    let handled = true;
    switch (event.key) {
      case "Tab":
        handled = inText && step(event.shiftKey ? -1 : 1);
        break;
      case "j":
        step(1);
        break;
      case "k":
        step(-1);
        break;
      case "Enter":
        // On the row itself: a button in it answers Enter on its own.
        if (relationRow && target === relationRow) {
          if (canEdit()) linker.edit(relationRow.dataset.relation);
        } else handled = false;
        break;
      case "Delete":
      case "Backspace":
      case "x":
        if (relationRow) deleteRelation(relationRow.dataset.relation);
        else if (store.selected) deleteSpan(store.selected);
        else say("Select a span first (click it, or Tab to it).");
        break;
      case "a":
        if (!store.selected) say("Select a span first (click it, or Tab to it).");
        else if (!panel.focusFirstField()) say("This span has no attributes.");
        break;
      case "l":
        startLink();
        break;
      case "r":
        toggleArcs();
        break;
      case "g":
        dialogs.guidelines.showModal();
        break;
      case "?":
        dialogs.shortcuts.showModal();
        break;
      case "n":
        goNext();
        break;
      case "Escape":
        getSelection().removeAllRanges();
        store.select(null);
        hideAlertIfInformational();
        say("");
        break;
      default: {
        const label = labelKeys.get(event.key);
        if (label) createFromSelection(label);
        else handled = false;
      }
    }
    if (handled) event.preventDefault();
  },
  true,
);

function hideAlertIfInformational() {
  if (store.editable && !blocked && queue.state !== "conflict") hideAlert();
}

function toggleArcs() {
  showAllArcs = !showAllArcs;
  root.querySelector("[data-action=toggle-arcs]").setAttribute("aria-pressed", String(showAllArcs));
  refreshEmphasis();
  say(showAllArcs ? "Showing every relation." : "Showing the relations of the selected span.");
}

// --- mouse and panel -------------------------------------------------------------------------

function clickedSpan(key) {
  if (suggestions.owns(key)) {
    if (!linker.active) suggestions.select(key, { reveal: false });
    return;
  }
  if (linker.active) linker.choose(key);
  else selectSpan(key, { reveal: false });
}

root.querySelector("[data-overlay]").addEventListener("click", (event) => {
  const bar = event.target.closest(".bar");
  if (bar) clickedSpan(bar.dataset.key);
});

doc.addEventListener("mouseup", (event) => {
  if (event.button !== 0 || event.target.closest(".bar")) return;
  setTimeout(() => {
    if (selectedTextRange()) return; // a text selection for a new span
    const offset = view.offsetAt(event.clientX, event.clientY);
    const covering = offset === null ? [] : store.spansAt(offset);
    if (linker.active) {
      const candidate = covering.find((s) => linker.candidates.includes(s.key)) || covering[0];
      if (candidate) linker.choose(candidate.key);
      return;
    }
    covering.push(...suggestions.at(offset)); // after the spans: a click selects a span first
    if (covering.length === 0) {
      store.select(null);
      suggestions.select(null);
      return;
    }
    const at = covering.findIndex((s) => s.key === (store.selected ?? suggestions.selected));
    clickedSpan(covering[(at + 1) % covering.length].key); // clicking again walks outwards
  });
});

let hintFrame = 0;
document.addEventListener("selectionchange", () => {
  if (hintFrame || linker.active) return;
  hintFrame = requestAnimationFrame(() => {
    hintFrame = 0;
    const range = selectedTextRange();
    if (!range || !store.editable) return;
    const span = selectionToSpan(index, text, range.start, range.end);
    if (span) say(`“${excerpt(span.text, 50)}” — press a label key (${[...labelKeys.keys()].join(", ")}) or click a label.`);
  });
});

for (const button of root.querySelectorAll(".label-btn")) {
  const swatch = button.querySelector(".label-swatch");
  swatch.style.setProperty("--c", button.dataset.color);
  button.addEventListener("mousedown", (event) => event.preventDefault()); // keep the text selection
  button.addEventListener("click", () => createFromSelection(button.dataset.label));
}

const spanList = root.querySelector("[data-span-list]");
spanList.addEventListener("click", (event) => {
  const item = event.target.closest(".span-item");
  if (item) {
    if (linker.active) linker.choose(item.dataset.key);
    else selectSpan(item.dataset.key);
  }
});
spanList.addEventListener("focusin", (event) => {
  const item = event.target.closest(".span-item");
  if (item && !linker.active && store.selected !== item.dataset.key) selectSpan(item.dataset.key);
});

const editor = root.querySelector("[data-editor]");
editor.addEventListener("change", (event) => {
  const t = event.target;
  const key = store.selected;
  if (!key) return;
  if (t.dataset.field === "label") setLabel(key, t.value);
  else if (t.type === "radio") setAttribute(key, t.dataset.attr, t.value || null);
  else if (t.type === "checkbox") setAttribute(key, t.dataset.attr, t.checked);
  else if (t.dataset.attr) setAttribute(key, t.dataset.attr, t.value.trim() || null);
});
editor.addEventListener("keydown", (event) => {
  const t = event.target;
  if (event.key === "Enter" && t.tagName === "INPUT" && t.type === "text" && store.selected) {
    setAttribute(store.selected, t.dataset.attr, t.value.trim() || null);
  }
});
editor.addEventListener("click", (event) => {
  const action = event.target.closest("[data-action]")?.dataset.action;
  if (action === "link") startLink();
  if (action === "delete" && store.selected) deleteSpan(store.selected);
});

const relationList = root.querySelector("[data-relation-list]");
function hoverRelation(key) {
  if (hoveredRelation === key) return;
  hoveredRelation = key;
  refreshEmphasis();
}
relationList.addEventListener("mouseover", (event) => hoverRelation(event.target.closest("[data-relation]")?.dataset.relation || null));
relationList.addEventListener("mouseleave", () => hoverRelation(null));
relationList.addEventListener("focusin", (event) => hoverRelation(event.target.closest("[data-relation]")?.dataset.relation || null));
relationList.addEventListener("focusout", () => hoverRelation(null));
relationList.addEventListener("click", (event) => {
  const button = event.target.closest("[data-action=delete-relation], [data-action=edit-relation]");
  if (button?.dataset.action === "delete-relation") deleteRelation(button.dataset.relation);
  if (button?.dataset.action === "edit-relation" && canEdit()) linker.edit(button.dataset.relation);
});

root.addEventListener("click", (event) => {
  const action = event.target.closest("[data-action]")?.dataset.action;
  if (action === "guidelines") dialogs.guidelines.showModal();
  if (action === "shortcuts") dialogs.shortcuts.showModal();
  if (action === "submit") submit();
  if (action === "skip") openSkip();
  if (action === "toggle-arcs") toggleArcs();
});

let laidOutWidth = 0;
new ResizeObserver(() => {
  const width = doc.clientWidth;
  if (width === laidOutWidth) return;
  laidOutWidth = width;
  requestAnimationFrame(() => {
    view.renderAll();
    refreshEmphasis();
  });
}).observe(doc);

// --- start -----------------------------------------------------------------------------------

function announceReplay({ applied, dropped }) {
  const parts = [];
  if (applied) {
    const were = applied === 1 ? "was re-applied and is" : "were re-applied and are";
    parts.push(`${plural(applied, "unsaved change")} from before the reload ${were} being saved`);
  }
  if (dropped) {
    const fit = dropped === 1 ? "fits (the span is gone) and was" : "fit (the span is gone) and were";
    parts.push(`${plural(dropped, "earlier change")} no longer ${fit} left out`);
  }
  if (parts.length) say(`${parts.join("; ")}.`);
}

/** Changes an earlier page never saved: replay them, or ask when that could undo others' work. */
function restorePending() {
  const { ops, tabs, conflict } = sync.earlier();
  if (!ops.length) return;
  const status = data.annotation.status;
  if (status !== "draft") {
    sync.forget(tabs);
    showAlert(`${plural(ops.length, "unsaved change")} could not be saved: this annotation is ${status} now, so it no longer accepts changes.`);
    return;
  }
  if (!conflict) {
    announceReplay(sync.replay(ops, tabs));
    return;
  }
  blocked = true;
  const version = data.annotation.version;
  const were = ops.length === 1 ? "was" : "were";
  showAlert(
    `${plural(ops.length, "change")} made on this article earlier in this browser ${were} never saved, and the annotation has been changed elsewhere since (version ${version}). Applying them now may undo some of those changes.`,
    [
      {
        label: `Apply my ${plural(ops.length, "change")}`,
        primary: true,
        run: () => {
          blocked = false;
          hideAlert();
          announceReplay(sync.replay(ops, tabs));
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

view.mount();
performance.mark("annotate:render-start");
store.load(data.annotation);
void doc.offsetHeight; // finish layout inside the measured time
performance.mark("annotate:render-end");
performance.measure("annotate:render", "annotate:render-start", "annotate:render-end");
laidOutWidth = doc.clientWidth;

if (data.annotation.review_comment && store.editable) {
  showAlert(`Sent back by ${data.annotation.reviewer || "the reviewer"}: “${data.annotation.review_comment}”`, [
    { label: "OK", run: hideAlert },
  ]);
}
applyStatus();
restorePending();
queue.start();
// The text with every span is on screen; the list of spans (a thousand buttons on a long
// article) is built right after that first frame rather than before it.
requestAnimationFrame(() =>
  setTimeout(() => {
    performance.mark("annotate:list-start");
    panel.renderSpans();
    panel.select(store.selected, null);
    void root.offsetHeight;
    performance.mark("annotate:list-end");
    performance.measure("annotate:list", "annotate:list-start", "annotate:list-end");
    root.dataset.ready = "true";
    suggestions.load(); // after the page's own data; never in its way
  }),
);
