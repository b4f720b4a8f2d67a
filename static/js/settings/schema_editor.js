// Settings → Schema (labels/templates/labels/settings/schema.html): the schema as rows of span
// labels, relation types and their attributes, each added, edited, moved and removed with
// ordinary buttons and fields (so every step works from the keyboard). *Review change* sends
// the draft to the server, which answers what it would do to the annotations made so far, or
// every problem with the field it is about, shown next to that field; *Save* then saves it.
// Any edit after a review asks for a new review. Names are only ever set as text.

import { request } from "../api.js";
import { el } from "../dom.js";
import { errorPlace, fromSchema, move, newAttribute, newLabel, newRelation, toPayload } from "./schema_model.js";

const root = document.querySelector("[data-schema-editor]");
const config = JSON.parse(document.getElementById("schema-editor-data").textContent);
const draft = fromSchema(config.schema);

let items = new Map(); // key → label, relation or attribute
let lists = new Map(); // key → the array holding it
let reviewed = null; // the preview answer, while the draft is unchanged since
let pendingFocus = null; // [selector] to focus after the next render
let uid = 0;
let dirty = false; // edited since the page loaded, and not saved

// Leaving with unsaved edits asks first (the browser's own question).
window.addEventListener("beforeunload", (event) => {
  if (dirty) event.preventDefault();
});

const fieldId = () => `se-${++uid}`;

function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

// --- Building the rows ------------------------------------------------------------------------

/** A labelled input: {label, path, item, prop, ...attributes}. */
function field({ label, path, item, prop, type = "text", value, hint, options = [], className = "", ...attrs }) {
  const id = fieldId();
  const error = el("span", { className: "error", dataset: { errorFor: path }, id: `${id}-error` });
  let input;
  if (type === "textarea") {
    input = el("textarea", { id, rows: 3, ...attrs });
    input.value = value;
  } else if (type === "select") {
    input = el("select", { id, ...attrs }, ...options.map((o) => el("option", { value: o, text: o, selected: o === value })));
  } else if (type === "checkbox") {
    input = el("input", { id, type, checked: Boolean(value), ...attrs });
  } else {
    input = el("input", { id, type, value, ...attrs });
  }
  Object.assign(input.dataset, { item: item.key, prop, path });
  const describedBy = [hint ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(" ");
  input.setAttribute("aria-describedby", describedBy);
  const hintNode = hint ? el("span", { className: "muted small", id: `${id}-hint`, text: hint }) : null;
  if (type === "checkbox") {
    return el("div", { className: `se-field se-check ${className}` }, input, el("label", { for: id, text: label }), hintNode, error);
  }
  return el("div", { className: `se-field ${className}` }, el("label", { for: id, text: label }), input, hintNode, error);
}

/** Checkboxes of the span labels, for a relation's From/To or a span attribute's Labels. */
function labelChoices({ legend, path, item, prop }) {
  const error = el("span", { className: "error", dataset: { errorFor: path } });
  const boxes = draft.labels.map((label) => {
    const id = fieldId();
    const box = el("input", {
      id,
      type: "checkbox",
      value: label.key,
      checked: item[prop].includes(label.key),
      dataset: { item: item.key, refs: prop, path },
    });
    return el("span", { className: "se-chip" }, box, el("label", { for: id }, el("span", { dataset: { labelName: label.key }, text: label.name || "(no name yet)" })));
  });
  return el(
    "fieldset",
    { className: "se-choices" },
    el("legend", { text: legend }),
    boxes.length ? boxes : el("span", { className: "muted small", text: "Add a span label first." }),
    error,
  );
}

/** A button whose accessible name says which row it acts on, kept up to date on renames. */
function namedButton(item, template, fallback, props) {
  const button = el("button", { type: "button", "aria-label": template.replace("%", item.name || fallback), ...props });
  Object.assign(button.dataset, { named: item.key, template, fallback });
  return button;
}

function rowButtons(item, list, index, noun) {
  const fallback = `this ${noun}`;
  const up = namedButton(item, "Move % up", fallback, { className: "icon", title: "Move up", disabled: index === 0, text: "↑" });
  const down = namedButton(item, "Move % down", fallback, { className: "icon", title: "Move down", disabled: index === list.length - 1, text: "↓" });
  const remove = namedButton(item, "Remove %", fallback, { className: "danger", text: "Remove" });
  Object.assign(up.dataset, { action: "up", item: item.key });
  Object.assign(down.dataset, { action: "down", item: item.key });
  Object.assign(remove.dataset, { action: "remove", item: item.key });
  return el("div", { className: "se-row-actions" }, up, down, remove);
}

function attributeRow(attribute, list, index, path) {
  items.set(attribute.key, attribute);
  lists.set(attribute.key, list);
  const at = `${path}[${index}]`;
  const parts = [
    field({ label: "Attribute name", path: `${at}.name`, item: attribute, prop: "name", value: attribute.name, maxlength: 50, autocomplete: "off" }),
    field({ label: "Type", path: `${at}.type`, item: attribute, prop: "type", type: "select", value: attribute.type, options: config.attribute_types }),
    field({ label: "Required", path: `${at}.required`, item: attribute, prop: "required", type: "checkbox", value: attribute.required }),
  ];
  if (attribute.type === "choice") {
    parts.push(field({ label: "Choices", path: `${at}.choices`, item: attribute, prop: "choices", type: "textarea", value: attribute.choices, hint: "One per line.", className: "se-wide" }));
  } else if (attribute.type === "text") {
    parts.push(field({ label: "Max length", path: `${at}.max_length`, item: attribute, prop: "max_length", value: attribute.max_length, inputmode: "numeric" }));
  } else if (attribute.type === "span") {
    parts.push(el("div", { className: "se-wide" }, labelChoices({ legend: "Labels of the span it names", path: `${at}.labels`, item: attribute, prop: "labels" })));
  }
  return el(
    "li",
    { className: "se-attribute", dataset: { key: attribute.key } },
    el("div", { className: "se-fields" }, parts),
    rowButtons(attribute, list, index, "attribute"),
    el("span", { className: "error", dataset: { errorFor: at } }),
  );
}

function addAttributeButton(owner) {
  const button = namedButton(owner, "Add attribute to %", "this row", { text: "Add attribute" });
  Object.assign(button.dataset, { action: "add-attribute", item: owner.key });
  return button;
}

function attributesBlock(owner, path) {
  const at = `${path}.attributes`;
  return el(
    "div",
    { className: "se-attributes" },
    el("h5", { text: "Attributes" }),
    el("span", { className: "error", dataset: { errorFor: at } }),
    owner.attributes.length ? el("ul", {}, owner.attributes.map((a, i) => attributeRow(a, owner.attributes, i, at))) : el("p", { className: "muted small", text: "No attributes." }),
    addAttributeButton(owner),
  );
}

function count(n, one) {
  return n ? el("span", { className: "badge", text: plural(n, one) }) : el("span", { className: "muted small", text: `no ${one}s yet` });
}

/** The label's colour as a square (CSSOM, not a style attribute, which the CSP refuses). */
function swatch(label) {
  const node = el("span", { className: "se-swatch", "aria-hidden": "true", dataset: { swatch: label.key } });
  node.style.setProperty("background", label.color);
  return node;
}

function labelRow(label, index) {
  items.set(label.key, label);
  lists.set(label.key, draft.labels);
  const at = `span_labels[${index}]`;
  const stored = label.was ? config.span_counts[label.was] ?? 0 : 0;
  return el(
    "li",
    { className: "se-row", dataset: { key: label.key } },
    el(
      "div",
      { className: "se-row-head" },
      swatch(label),
      el("h4", {}, el("span", { dataset: { labelName: label.key }, text: label.name || "New label" })),
      label.was ? count(stored, "span") : el("span", { className: "badge", text: "new" }),
      label.was && label.was !== label.name ? el("span", { className: "muted small", dataset: { renamed: label.key }, text: `was ${label.was}` }) : el("span", { dataset: { renamed: label.key } }),
      rowButtons(label, draft.labels, index, "label"),
    ),
    el(
      "div",
      { className: "se-fields se-label-fields" },
      field({ label: "Label name", path: `${at}.name`, item: label, prop: "name", value: label.name, maxlength: 50, autocomplete: "off" }),
      field({ label: "Colour", path: `${at}.color`, item: label, prop: "color", type: "color", value: label.color }),
      field({ label: "Hotkey", path: `${at}.hotkey`, item: label, prop: "hotkey", value: label.hotkey, maxlength: 1, autocomplete: "off", className: "se-narrow", hint: "One key; empty for none." }),
      field({ label: "Description", path: `${at}.description`, item: label, prop: "description", value: label.description, className: "se-wide" }),
    ),
    el("span", { className: "error", dataset: { errorFor: at } }),
    attributesBlock(label, at),
  );
}

function relationRow(relation, index) {
  items.set(relation.key, relation);
  lists.set(relation.key, draft.relations);
  const at = `relations[${index}]`;
  const stored = relation.was ? config.relation_counts[relation.was] ?? 0 : 0;
  return el(
    "li",
    { className: "se-row", dataset: { key: relation.key } },
    el(
      "div",
      { className: "se-row-head" },
      el("h4", {}, el("span", { dataset: { relationName: relation.key }, text: relation.name || "New relation type" })),
      relation.was ? count(stored, "relation") : el("span", { className: "badge", text: "new" }),
      rowButtons(relation, draft.relations, index, "relation type"),
    ),
    el(
      "div",
      { className: "se-fields" },
      field({ label: "Relation name", path: `${at}.name`, item: relation, prop: "name", value: relation.name, maxlength: 50, autocomplete: "off" }),
      field({ label: "Description", path: `${at}.description`, item: relation, prop: "description", value: relation.description, className: "se-wide" }),
      el("div", { className: "se-wide se-ends" }, labelChoices({ legend: "From", path: `${at}.from`, item: relation, prop: "from" }), labelChoices({ legend: "To", path: `${at}.to`, item: relation, prop: "to" })),
    ),
    el("span", { className: "error", dataset: { errorFor: at } }),
    attributesBlock(relation, at),
  );
}

function render() {
  items = new Map();
  lists = new Map();
  const top = { key: "schema" };
  items.set("schema", draft);
  const form = el(
    "form",
    { className: "se-form", novalidate: true, dataset: { state: reviewed ? "reviewed" : "editing" } },
    el(
      "div",
      { className: "se-top" },
      field({ label: "Schema id", path: "id", item: top, prop: "id", value: draft.id, maxlength: 100, autocomplete: "off" }),
      field({ label: "Spans may overlap", path: "allow_overlap", item: top, prop: "allow_overlap", type: "checkbox", value: draft.allow_overlap, hint: "Off: a span may not overlap another." }),
      el("span", { className: "error", dataset: { errorFor: "version" } }),
    ),
    el(
      "section",
      { "aria-labelledby": "se-labels-heading" },
      el("h3", { id: "se-labels-heading", text: "Span labels" }),
      el("span", { className: "error", dataset: { errorFor: "span_labels" } }),
      el("ol", { className: "se-rows" }, draft.labels.map(labelRow)),
      el("button", { type: "button", dataset: { action: "add-label" }, text: "Add span label" }),
    ),
    el(
      "section",
      { "aria-labelledby": "se-relations-heading" },
      el("h3", { id: "se-relations-heading", text: "Relation types" }),
      el("span", { className: "error", dataset: { errorFor: "relations" } }),
      draft.relations.length ? el("ol", { className: "se-rows" }, draft.relations.map(relationRow)) : el("p", { className: "muted", text: "No relation types." }),
      el("button", { type: "button", dataset: { action: "add-relation" }, text: "Add relation type" }),
    ),
    el(
      "div",
      { className: "se-submit se-submit-bar" },
      el("button", { type: "submit", className: "primary", dataset: { action: "review" }, text: "Review change" }),
      el("span", { className: "muted small", dataset: { status: "" }, role: "status" }),
    ),
    el("section", { className: "se-review", dataset: { review: "" }, "aria-labelledby": "se-review-heading", hidden: true }),
  );
  root.replaceChildren(form);
  if (pendingFocus) {
    const target = root.querySelector(pendingFocus.find((s) => root.querySelector(`${s}:not([disabled])`)) ?? pendingFocus.at(-1));
    target?.focus();
    pendingFocus = null;
  }
}

// --- Editing ------------------------------------------------------------------------------------

function status(text, { error = false } = {}) {
  const node = root.querySelector("[data-status]");
  node.textContent = text;
  node.classList.toggle("error", error);
  node.classList.toggle("muted", !error);
}

function edited() {
  dirty = true;
  if (!reviewed) return;
  reviewed = null;
  const panel = root.querySelector("[data-review]");
  panel.hidden = true;
  panel.replaceChildren();
  root.querySelector("form").dataset.state = "editing";
  status("You changed the schema since the review: review the change again before saving.");
}

function structural(focus) {
  dirty = true;
  reviewed = null;
  pendingFocus = focus;
  render();
}

root.addEventListener("input", (event) => {
  const input = event.target;
  const item = items.get(input.dataset.item);
  if (!item || !input.dataset.prop) return;
  const prop = input.dataset.prop;
  if (input.type === "checkbox") item[prop] = input.checked;
  else item[prop] = input.value;
  if (prop === "name") {
    const selector = `[data-label-name="${item.key}"], [data-relation-name="${item.key}"]`;
    for (const node of root.querySelectorAll(selector)) node.textContent = input.value || "(no name yet)";
    for (const button of root.querySelectorAll(`[data-named="${item.key}"]`)) {
      button.setAttribute("aria-label", button.dataset.template.replace("%", input.value.trim() || button.dataset.fallback));
    }
    const renamed = root.querySelector(`[data-renamed="${item.key}"]`);
    if (renamed) renamed.textContent = item.was && item.was !== input.value.trim() ? `was ${item.was}` : "";
  }
  if (prop === "color") root.querySelector(`[data-swatch="${item.key}"]`)?.style.setProperty("background", input.value);
  if (prop === "type") {
    structural([`[data-item="${item.key}"][data-prop="type"]`]);
    return;
  }
  edited();
});

root.addEventListener("change", (event) => {
  const input = event.target;
  if (input.dataset.refs) {
    const item = items.get(input.dataset.item);
    const refs = item[input.dataset.refs];
    const at = refs.indexOf(input.value);
    if (input.checked && at < 0) refs.push(input.value);
    if (!input.checked && at >= 0) refs.splice(at, 1);
    edited();
  } else if (input.type === "checkbox" && input.dataset.prop) {
    // Checkboxes fire "input" too in current browsers; "change" covers the others.
    items.get(input.dataset.item)[input.dataset.prop] = input.checked;
    edited();
  }
});

root.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-action]");
  if (!button || button.type === "submit") return;
  const key = button.dataset.item;
  const action = button.dataset.action;
  if (action === "add-label") {
    const label = newLabel(draft);
    draft.labels.push(label);
    structural([`[data-item="${label.key}"][data-prop="name"]`]);
  } else if (action === "add-relation") {
    const relation = newRelation();
    draft.relations.push(relation);
    structural([`[data-item="${relation.key}"][data-prop="name"]`]);
  } else if (action === "add-attribute") {
    const attribute = newAttribute();
    items.get(key).attributes.push(attribute);
    structural([`[data-item="${attribute.key}"][data-prop="name"]`]);
  } else if (action === "up" || action === "down") {
    const list = lists.get(key);
    move(list, list.indexOf(items.get(key)), action === "up" ? -1 : 1);
    const other = action === "up" ? "down" : "up";
    structural([`[data-item="${key}"][data-action="${action}"]`, `[data-item="${key}"][data-action="${other}"]`]);
  } else if (action === "remove") {
    const list = lists.get(key);
    const removed = items.get(key);
    const index = list.indexOf(removed);
    list.splice(index, 1);
    const next = list[index] ?? list[index - 1];
    const addButton = list === draft.labels ? '[data-action="add-label"]' : list === draft.relations ? '[data-action="add-relation"]' : null;
    structural([next ? `[data-item="${next.key}"][data-prop="name"]` : addButton ?? '[data-action="review"]', '[data-action="review"]']);
    status(`Removed ${removed.name || "the row"}; nothing is saved until you review and save.`);
  }
});

// --- Review and save ---------------------------------------------------------------------------

function clearErrors() {
  for (const node of root.querySelectorAll("[data-error-for]")) node.replaceChildren();
  for (const node of root.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
}

/** Show each problem next to its field; those without a field in the editor above the buttons. */
function showErrors(errors) {
  clearErrors();
  const shown = new Set([...root.querySelectorAll("[data-error-for]")].map((n) => n.dataset.errorFor));
  const general = [];
  let first = null;
  for (const error of errors) {
    const place = errorPlace(error.field, shown);
    if (!place) {
      general.push(error.message);
      continue;
    }
    const node = root.querySelector(`[data-error-for="${CSS.escape(place)}"]`);
    node.append(el("span", { className: "se-error-line", text: error.message }));
    const input = root.querySelector(`[data-path="${CSS.escape(place)}"]`);
    if (input) input.setAttribute("aria-invalid", "true");
    first ??= input ?? node;
  }
  const n = errors.length;
  const summary = `${plural(n, "problem")} to fix${general.length ? ": " + general.join(" ") : "; each is shown next to its field."} Nothing was saved.`;
  status(summary, { error: true });
  if (first && first.focus && first.tagName !== "SPAN") first.focus();
}

function body(action, extra = {}) {
  const { schema, was } = toPayload(draft);
  return { action, schema, was, base: config.base, ...extra };
}

async function send(data) {
  try {
    return await request("POST", config.url, data);
  } catch {
    status("The server could not be reached; nothing was saved. Try again.", { error: true });
    return null;
  }
}

function showReview(answer) {
  const panel = root.querySelector("[data-review]");
  const form = root.querySelector("form");
  if (!answer.changed) {
    panel.hidden = true;
    status("Nothing changed: this is the schema as it is saved.");
    return;
  }
  reviewed = answer;
  form.dataset.state = "reviewed";
  const effects = answer.effects.map((effect) => {
    const id = fieldId();
    const line = el("li", { className: `se-effect${effect.consent ? " se-effect-danger" : ""}`, dataset: { effect: effect.code } }, el("span", { id, text: effect.message }));
    if (effect.consent) {
      const box = el("input", { type: "checkbox", id: `${id}-consent`, dataset: { consent: effect.consent }, "aria-describedby": id });
      line.append(el("span", { className: "se-consent" }, box, el("label", { for: `${id}-consent`, text: "Delete them" })));
    }
    return line;
  });
  panel.replaceChildren(
    el("h3", { id: "se-review-heading", text: "What this change does" }),
    el("ul", { className: "se-effects" }, effects),
    el("div", { className: "se-submit" }, el("button", { type: "button", className: "primary", dataset: { save: "" }, text: "Save" }), el("span", { className: "muted small", text: `The project will be at schema version ${answer.version}.` })),
  );
  panel.hidden = false;
  status("Review the change below, then save it.");
  panel.querySelector("h3").setAttribute("tabindex", "-1");
  panel.querySelector("h3").focus();
}

root.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors();
  status("Checking the change…");
  const answer = await send(body("preview"));
  if (!answer) return;
  if (answer.status === 200) showReview(answer.body);
  else showErrors(answer.body?.errors ?? [{ field: "", message: `The server answered ${answer.status}.` }]);
});

root.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-save]");
  if (!button || !reviewed) return;
  const consent = [...root.querySelectorAll("[data-consent]:checked")].map((box) => box.dataset.consent);
  button.disabled = true;
  status("Saving…");
  const answer = await send(body("save", { consent }));
  button.disabled = false;
  if (!answer) return;
  if (answer.status === 200) {
    root.querySelector("form").dataset.state = "saved";
    dirty = false;
    window.location.assign(answer.body.location);
  } else {
    showErrors(answer.body?.errors ?? [{ field: "", message: `The server answered ${answer.status}.` }]);
  }
});

render();
