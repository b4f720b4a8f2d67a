// The annotation workspace (labels/templates/labels/annotate.html): marking spans, editing
// attributes, linking, saving. Builds the page from workspace/ — the store (what the
// annotation holds), the view (text and span bars), the panel (lists and editor), the sync
// and its save queue (what still has to reach the server), the linker, the suggestions and
// the analyst's commands — and wires them to the keyboard and the mouse.

import { excerpt, quoted } from "./format.js";
import { OffsetIndex, selectionToSpan } from "./offsets.js";
import { hotkeys, spanLabel } from "./schema.js";
import { workspaceActions } from "./workspace/actions.js";
import { linkOffer } from "./workspace/fastpath.js";
import { keydownListener } from "./workspace/keyboard.js";
import { Linker } from "./workspace/linking.js";
import { Panel, labelTag } from "./workspace/panel.js";
import { GuidelinesNotice } from "./workspace/guidelines_notice.js";
import { DocView } from "./workspace/render.js";
import { Store } from "./workspace/store.js";
import { nudgeSpan, snapSelectionToWords } from "./workspace/snapping.js";
import { SuggestionsUI } from "./workspace/suggestions_ui.js";
import { Sync } from "./workspace/sync.js";

performance.mark("annotate:start");

const data = JSON.parse(document.getElementById("workspace-data").textContent);
const schema = data.schema;
const text = data.article.text;
const index = new OffsetIndex(text);

const root = document.querySelector("[data-ws]");
const doc = root.querySelector("[data-doc]");
const dialogs = Object.fromEntries([...document.querySelectorAll("dialog[data-dialog]")].map((d) => [d.dataset.dialog, d]));
const guidelinesNotice = new GuidelinesNotice(root.querySelector("[data-guidelines-notice]"));
function openDialog(name) {
  dialogs[name].showModal();
  if (name === "guidelines") guidelinesNotice.read();
}

const styles = new Map(data.labels.map((l, index) => [l.name, { color: l.color, pattern: l.pattern, index }]));
const styleOf = (label) => styles.get(label) || { color: "#6b7280", pattern: 0, index: Infinity };
data.labels.forEach((l, i) => document.documentElement.style.setProperty(`--label-${i}`, l.color));
const labelKeys = hotkeys(schema, data.reserved_hotkeys);

let hoveredRelation = null;
let showAllArcs = false;

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
  index, // line numbers in the span list
  styleOf,
  list: root.querySelector("[data-span-list]"),
  count: root.querySelector("[data-span-count]"),
  editor: root.querySelector("[data-editor]"),
  relationList: root.querySelector("[data-relation-list]"),
  relationCount: root.querySelector("[data-relation-count]"),
  on: {
    pick: (key) => (linker.active ? linker.choose(key) : act.selectSpan(key)),
    focus: (key) => {
      if (!linker.active && store.selected !== key) act.selectSpan(key);
    },
    label: (key, label) => {
      if (act.canEdit()) sync.setLabel(key, label);
    },
    attribute: (key, name, value) => {
      if (act.canEdit()) sync.setAttribute(key, name, value);
    },
    link: startLink,
    remove: (key) => act.deleteSpan(key),
    hover: hoverRelation,
    editRelation,
    deleteRelation,
  },
});
const sync = new Sync({ store, schema, annotation: data.annotation, text, index, storage: localStorage, session: sessionStorage });
const queue = sync.queue;
const act = workspaceActions({ data, store, sync, view, index, root, doc, dialogs }); // also the save indicator
const say = act.say;
addEventListener("online", () => queue.retryNow());

// --- drawing what the store holds ------------------------------------------------------------

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
  view.drawArcs(showAllArcs ? store.relations : [...mine, ...(hovered && !mine.includes(hovered) ? [hovered] : [])]);
  for (const row of root.querySelectorAll("[data-relation-list] [data-relation]")) {
    row.classList.toggle("hovered", row.dataset.relation === hoveredRelation);
  }
}

store.addEventListener("change", (event) => {
  const d = event.detail;
  // Many changes at once (accepting every suggestion): drawn once, at the end.
  if (store.batching && d.type !== "batch-start") return;
  switch (d.type) {
    case "batch-end":
      view.renderAll();
      panel.renderSpans();
      panel.select(store.selected, null);
      panel.renderRelations();
      refreshEmphasis();
      break;
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
      if (d.before && d.before.start !== undefined) {
        // New boundaries (a nudge, an undo): drawn and listed at its new place.
        view.removeSpan(d.key);
        view.addSpan(d.span);
        panel.removeSpan(d.key);
        panel.addSpan(d.span);
        if (store.selected === d.key) panel.select(d.key, null);
        refreshEmphasis();
      }
      view.updateSpan(d.span);
      panel.updateSpan(d.span);
      if (store.selected === d.key) panel.refreshEditor();
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
      if (!store.editable) suggestions.close();
      act.showStatus();
      panel.renderEditor();
      panel.renderRelations();
      break;
  }
});

// --- linking and suggestions -------------------------------------------------------------------

const linker = new Linker({
  store,
  schema,
  view,
  text,
  index,
  dialog: dialogs.relation,
  sync,
  canEdit: act.canEdit,
  say,
  changed: refreshEmphasis,
  done: (fromKey) => {
    act.selectSpan(fromKey, { reveal: false });
    doc.focus({ preventScroll: true });
  },
});

const suggestions = new SuggestionsUI({
  store,
  view,
  queue,
  section: root.querySelector("[data-suggestions]"),
  articleId: data.article.id,
  annotationId: data.annotation.id,
  say,
  canEdit: act.canEdit,
  relayout: () => {
    view.renderAll();
    refreshEmphasis();
  },
  labelTag: (label) => labelTag(label, styleOf(label)),
  record: (fn) => sync.history.record(fn), // an accept is undone as one action
});

// Undoing an accept takes the spans away: once the server agrees, their suggestions are
// offered again.
sync.history.addEventListener("applied", async (event) => {
  if (!event.detail.changes.some((c) => c.type === "span-removed" && c.span.origin === "suggested")) return;
  if (await queue.whenSaved()) suggestions.load();
});

function startLink() {
  if (!act.canEdit()) return;
  doc.focus({ preventScroll: true });
  linker.start(store.selected);
}

function editRelation(key) {
  if (act.canEdit()) linker.edit(key);
}

function deleteRelation(key) {
  if (act.deleteRelation(key) && hoveredRelation === key) hoveredRelation = null;
}

function hoverRelation(key) {
  if (hoveredRelation === key) return;
  hoveredRelation = key;
  refreshEmphasis();
}

function toggleArcs() {
  showAllArcs = !showAllArcs;
  root.querySelector("[data-action=toggle-arcs]").setAttribute("aria-pressed", String(showAllArcs));
  refreshEmphasis();
  say(showAllArcs ? "Showing every relation." : "Showing the relations of the selected span.");
}

// --- marking an attribution by hand: the offered link ---------------------------------------------

// The spans marked on this page, oldest first; a new one that can be linked with the newest of
// them that fits is offered the link (fastpath.js): Enter makes it while the new span is the
// selected one (selecting another span, or marking another, drops the offer).
const marked = [];
let offer = null; // {from, to, label, attrs, span: the new span's key}

function markSelection(label) {
  offer = null;
  const added = act.markSelection(label);
  if (!added) return;
  offer = linkOffer({ schema, store, text, index, added, recent: marked });
  marked.push(added.key);
  if (marked.length > 20) marked.shift();
  if (!offer) return;
  offer.span = added.key;
  const other = store.span(offer.from === added.key ? offer.to : offer.from);
  const cue = Object.values(offer.attrs).map((key) => ` with the cue ${quoted(store.span(key), 30)}`).join("");
  const next = emptyFirstAttribute(added) ? `, then choose its ${emptyFirstAttribute(added)}` : "";
  say(`Marked ${quoted(added)}. Enter links it to ${quoted(other)} (${offer.label}${cue})${next}; l links otherwise.`, { span: added.key });
}

/** The name of `span`'s first attribute when it is an unset choice (the one Enter moves to). */
function emptyFirstAttribute(span) {
  const first = (spanLabel(schema, span.label)?.attributes || [])[0];
  return first && first.type === "choice" && !span.attrs[first.name] ? first.name : "";
}

/** Make the offered link (Enter); false when there is none for the selected span. */
function acceptLinkOffer() {
  const taken = offer;
  offer = null;
  if (!taken || store.selected !== taken.span || !act.canEdit()) return false;
  const [from, to] = [store.span(taken.from), store.span(taken.to)];
  if (!from || !to || store.findRelation(taken.label, taken.from, taken.to)) return false;
  sync.createRelation(taken.from, taken.to, taken.label, taken.attrs);
  const added = store.span(taken.span);
  const cue = Object.values(taken.attrs).map((key) => ` (cue ${quoted(store.span(key), 30)})`).join("");
  const next = emptyFirstAttribute(added);
  say(`Linked ${quoted(from)} → ${taken.label} → ${quoted(to)}${cue}.${next ? ` Choose its ${next} (arrow keys); Esc goes back to the text.` : ""}`, { span: added.key });
  if (next) panel.focusFirstField();
  return true;
}

// --- keyboard and mouse --------------------------------------------------------------------------

const page = {
  ...act, // say, step, deleteSpan, goNext
  markSelection,
  acceptLinkOffer,
  nudgeSpan: (key, edge, direction, unit) => {
    if (act.canEdit()) nudgeSpan({ store, sync, index, text, say }, key, edge, direction, unit);
  },
  startLink,
  editRelation,
  deleteRelation,
  toggleArcs,
  showDialog: (name) => openDialog(name),
  clear: () => {
    getSelection().removeAllRanges();
    store.select(null);
    act.hideAlertIfInformational();
    say("");
  },
};
document.addEventListener("keydown", keydownListener({ doc, view, index, store, panel, linker, suggestions, labelKeys, page }), true);

function clickedSpan(key) {
  if (suggestions.owns(key)) {
    if (!linker.active) suggestions.select(key, { reveal: false });
    return;
  }
  if (linker.active) linker.choose(key);
  else act.selectSpan(key, { reveal: false });
}

root.querySelector("[data-overlay]").addEventListener("click", (event) => {
  const bar = event.target.closest(".bar");
  if (bar) clickedSpan(bar.dataset.key);
});
// Pointing at a part of a suggested attribution shows its three parts as one.
root.querySelector("[data-overlay]").addEventListener("mouseover", (event) => {
  const key = event.target.closest(".bar")?.dataset.key;
  suggestions.hover(key && suggestions.owns(key) ? key : null);
});
root.querySelector("[data-overlay]").addEventListener("mouseleave", () => suggestions.hover(null));

let lastPick = null; // {place, key} of the last click on the text
doc.addEventListener("mouseup", (event) => {
  if (event.button !== 0 || event.target.closest(".bar")) return;
  // A drag takes whole words (one that ends mid-word takes the word); Alt+drag exact characters.
  if (!event.altKey) snapSelectionToWords(view, text);
  setTimeout(() => {
    if (view.selectedRange()) return; // a text selection for a new span
    const offset = view.offsetAt(event.clientX, event.clientY);
    const covering = offset === null ? [] : store.spansAt(offset);
    if (linker.active) {
      const candidate = covering.find((s) => linker.candidates.includes(s.key)) || covering[0];
      if (candidate) linker.choose(candidate.key);
      return;
    }
    covering.push(...suggestions.at(offset)); // after the spans: a click selects a span first
    const place = covering.map((s) => s.key).join(" ");
    if (covering.length === 0) {
      lastPick = null;
      store.select(null);
      suggestions.select(null);
      return;
    }
    // A click takes the innermost span there; another click on the same place (the same spans
    // under the pointer, the last pick still selected) goes one level out, then round again.
    const selected = store.selected ?? suggestions.selected;
    const again = lastPick && lastPick.place === place && lastPick.key === selected;
    const at = again ? covering.findIndex((s) => s.key === selected) : -1;
    const key = covering[(at + 1) % covering.length].key;
    clickedSpan(key);
    lastPick = { place, key };
  });
});

let hintFrame = 0;
document.addEventListener("selectionchange", () => {
  if (hintFrame || linker.active) return;
  hintFrame = requestAnimationFrame(() => {
    hintFrame = 0;
    const range = view.selectedRange();
    if (!range || !store.editable) return;
    const span = selectionToSpan(index, text, range.start, range.end);
    if (span) say(`“${excerpt(span.text, 50)}” — press a label key (${[...labelKeys.keys()].join(", ")}) or click a label.`);
  });
});

// The label buttons (the label bar on a touch screen) mark the selected text. A finger's tap
// may clear the text selection before the click arrives: the button holds the selection it
// found when the pointer went down and puts it back.
let heldRange = null;
for (const button of root.querySelectorAll(".label-btn")) {
  button.querySelector(".label-swatch").style.setProperty("--c", button.dataset.color);
  button.addEventListener("pointerdown", () => {
    const selection = getSelection();
    heldRange = selection.rangeCount && !selection.isCollapsed ? selection.getRangeAt(0).cloneRange() : null;
  });
  button.addEventListener("mousedown", (event) => event.preventDefault()); // keep the text selection
  button.addEventListener("click", () => {
    const selection = getSelection();
    if (heldRange && selection.isCollapsed) {
      selection.removeAllRanges();
      selection.addRange(heldRange);
    }
    heldRange = null;
    markSelection(button.dataset.label);
  });
}

root.addEventListener("click", (event) => {
  const action = event.target.closest("[data-action]")?.dataset.action;
  if (action === "guidelines") openDialog("guidelines");
  if (action === "shortcuts") dialogs.shortcuts.showModal();
  if (action === "submit") act.submit();
  if (action === "skip") act.openSkip();
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

view.mount();
performance.mark("annotate:render-start");
store.load(data.annotation);
void doc.offsetHeight; // finish layout inside the measured time
performance.mark("annotate:render-end");
performance.measure("annotate:render", "annotate:render-start", "annotate:render-end");
laidOutWidth = doc.clientWidth;

act.showOpeningNotices(); // the reviewer's comment, the status, changes an earlier page left unsaved
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
