// The review page (labels/templates/labels/review.html): every annotator's submitted spans on
// one text, grouped into candidates, and the gold layer the reviewer builds from them
// (docs/review.md). Builds the page from review/ — the model (what the review holds), the view
// (drawing) and the actions (one at a time, saved at once) — and wires them to the keyboard
// and the mouse through delegated listeners on data-* hooks.

import { controlValue } from "./attributes.js";
import { hotkeys } from "./schema.js";
import { reviewActions } from "./review/actions.js";
import { currentItem, itemForSpan, linkedSpan, shortestFirst, stepTo } from "./review/model.js";
import { ReviewView } from "./review/view.js";

const config = JSON.parse(document.getElementById("review-config").textContent);
const $ = (hook) => document.querySelector(`[data-hook="${hook}"]`);

const ui = {
  text: $("text"),
  status: $("status"),
  notice: $("notice"),
  layers: $("layers"),
  detail: $("detail"),
  items: $("items"),
  counts: $("counts"),
  relations: $("relations"),
  goldRelations: $("gold-relations"),
  addBar: $("add-bar"),
  addLabel: $("add-label"),
  addText: $("add-text"),
  returnDialog: $("return-dialog"),
  returnForm: $("return-form"),
  returnWho: $("return-who"),
  returnComment: $("return-comment"),
  help: $("help"),
  legend: $("legend"),
};

const state = {
  review: null,
  index: null, // OffsetIndex of the article text
  items: [],
  selected: null, // item key
  relation: null, // relation candidate key: the relation the keys act on (no item is selected then)
  version: 0, // index of the version that "a" accepts
  draft: null, // {start, end} in code points: boundaries being nudged, not saved yet
  pending: null, // {label, attrs}: a new label that needs its required attributes before saving
  selection: null, // {start, end, text} of a text selection to add as a span
  returnTo: null, // annotation id to send back
};

const view = new ReviewView(ui, state);
const actions = reviewActions({ state, view, reviewUrl: config.review_url });

function openReturn(annotationId) {
  const layer = state.review.layers.find((l) => l.id === annotationId);
  state.returnTo = annotationId;
  ui.returnWho.textContent = layer ? layer.name : "";
  ui.returnComment.value = "";
  ui.returnDialog.showModal();
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-action], [data-nudge]");
  if (button) {
    const { action, span, relation } = button.dataset;
    if (button.dataset.nudge) actions.nudgeSelected(button.dataset.nudge, Number(button.dataset.dir));
    else if (action === "accept") actions.accept(Number(span));
    else if (action === "reject") actions.write("reject/", { span: Number(span) }, "Rejected.");
    else if (action === "accept-relation") actions.write("relations/accept/", { relation: Number(relation) }, "Relation accepted.");
    else if (action === "reject-relation") actions.write("relations/reject/", { relation: Number(relation) }, "Relation rejected.");
    else if (action === "remove-gold") actions.write(`spans/${span}/`, {}, "Removed from gold.", "DELETE");
    else if (action === "remove-gold-relation") actions.write(`relations/${relation}/`, {}, "Relation removed.", "DELETE");
    else if (action === "accept-agreed") actions.acceptAgreed();
    else if (action === "mark-reviewed") actions.markReviewed();
    else if (action === "add-span") actions.addSpan(ui.addLabel.value);
    else if (action === "cancel-add") view.showAddBar(null);
    else if (action === "toggle-help") ui.help.hidden = !ui.help.hidden;
    else if (action === "return") openReturn(Number(button.dataset.annotation));
    else if (action === "cancel-return") ui.returnDialog.close();
    return;
  }
  const row = event.target.closest("[data-item]");
  if (row && ui.items.contains(row)) {
    actions.select(row.dataset.item);
    return;
  }
  const relationRow = event.target.closest("[data-relation]");
  if (relationRow && ui.relations.contains(relationRow)) {
    actions.selectRelation(relationRow.dataset.relation);
    return;
  }
  const seg = event.target.closest(".seg.mark");
  if (seg && ui.text.contains(seg) && window.getSelection().isCollapsed) {
    // Repeated clicks on overlapping spans cycle through them, innermost first.
    const byLength = seg.dataset.items
      .split(" ")
      .map((k) => state.items.find((i) => i.key === k))
      .sort(shortestFirst)
      .map((i) => i.key);
    const at = byLength.indexOf(state.selected);
    actions.select(byLength[(at + 1) % byLength.length], { scroll: false });
  }
});

document.addEventListener("change", (event) => {
  const relationField = event.target.closest("[data-gold-relation-attr]");
  if (relationField) {
    const value = controlValue(relationField);
    const kept = relationField.dataset.kind === "span" && value !== "" ? Number(value) : value; // a gold span's id
    actions.setRelationAttribute(Number(relationField.dataset.goldRelation), relationField.dataset.goldRelationAttr, kept);
    return;
  }
  const field = event.target.closest("[data-field], [data-attr]");
  if (!field || !ui.detail.contains(field)) return;
  if (field.dataset.field === "label") actions.setLabel(field.value);
  else if (field.dataset.attr) actions.setAttribute(field.dataset.attr, field.dataset.kind === "boolean" ? field.checked : field.value);
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.dataset.form === "add-relation") {
    event.preventDefault();
    const data = {
      label: form.querySelector("#rel-type").value,
      from: Number(form.querySelector("#rel-from").value),
      to: Number(form.querySelector("#rel-to").value),
      attrs: {},
    };
    actions.write("relations/", data, "Linked in gold.");
  }
});

ui.text.addEventListener("mouseup", () => {
  view.showAddBar(view.readSelection());
});

ui.returnForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const comment = ui.returnComment.value;
  const id = state.returnTo;
  const layer = state.review.layers.find((l) => l.id === id);
  ui.returnDialog.close();
  actions.sendBack(id, comment, layer ? layer.version : null);
});

const labelKeys = () => hotkeys(state.review.project.schema);

document.addEventListener("keydown", (event) => {
  if (!state.review || event.metaKey) return;
  if (event.target instanceof Element && event.target.closest("input, select, textarea, dialog")) return;
  const key = event.key;
  // Alt+←/→ move the start by a word, with Shift the end, with Ctrl by a character: as in the
  // workspace.
  if (event.altKey && (key === "ArrowLeft" || key === "ArrowRight")) {
    if (!currentItem(state)) return;
    actions.nudgeSelected(event.shiftKey ? "end" : "start", key === "ArrowLeft" ? -1 : 1, event.ctrlKey ? "character" : "word");
    event.preventDefault();
    return;
  }
  if (event.ctrlKey || event.altKey) return;
  const onRelation = actions.currentRelation() !== null;
  let handled = true;
  if (state.selection && labelKeys().has(key)) actions.addSpan(labelKeys().get(key));
  else if (key === "j" || key === "k") actions.select(actions.nextDisagreement(key === "j" ? 1 : -1));
  else if (key === "n") actions.select(stepTo(state.items, state.selected, 1));
  else if (key === "p") actions.select(stepTo(state.items, state.selected, -1));
  else if (key === "]" || key === "[") actions.selectRelation(actions.nextRelation(key === "]" ? 1 : -1));
  else if (key === "a" && onRelation) actions.acceptRelation();
  else if (key === "a") actions.acceptSelected();
  else if (key === "A") actions.acceptAgreed();
  // r, and as in the workspace x (reject a suggestion) and Delete / Backspace (delete a span).
  else if (["r", "x", "Delete", "Backspace"].includes(key) && onRelation) actions.rejectRelation();
  else if (["r", "x", "Delete", "Backspace"].includes(key)) actions.rejectSelected();
  else if (key === "M") actions.markReviewed();
  else if (key === "v") actions.nextVersion();
  else if (key === "ArrowLeft" || key === "ArrowRight") {
    if (!currentItem(state)) return;
    actions.nudgeSelected(event.shiftKey ? "end" : "start", key === "ArrowLeft" ? -1 : 1);
  } else if (key === "Escape") {
    view.showAddBar(null);
    actions.select(null, { scroll: false });
  } else if (key === "?") ui.help.hidden = !ui.help.hidden;
  else if (labelKeys().has(key) && currentItem(state)) actions.setLabel(labelKeys().get(key));
  else handled = false;
  if (handled) event.preventDefault();
});

window.addEventListener("beforeunload", () => actions.flushDraft());

// A link to one span (#span-<id>: the Speakers page's "who said what") selects it as a click
// would, scrolled into view with its detail in the panel; so does a later change of the hash.
function selectLinkedSpan() {
  const id = linkedSpan(window.location.hash);
  if (id === null || !state.review) return;
  const key = itemForSpan(state.items, id);
  if (key !== null) {
    actions.select(key);
    // Come from elsewhere, the reader needs the text around it: the span to the middle.
    ui.text.querySelector(".seg.is-selected")?.scrollIntoView({ block: "center" });
    view.tell("Selected the span the link points to. j / k step through the disagreements; ? lists every key.");
  } else {
    view.tell("The span this link points to is not on this page: it was deleted, or the annotation it belongs to is not submitted yet.", "error");
    ui.status.scrollIntoView({ block: "nearest" });
  }
}

window.addEventListener("hashchange", selectLinkedSpan);

actions.load().then(selectLinkedSpan);
