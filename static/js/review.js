// The review page: every annotator's submitted spans on one text, grouped into candidates, and
// the gold layer the reviewer builds from them (docs/review.md).
//
// The server holds every rule (labels/review.py). Each action is saved at once and answered
// with the whole review as it now stands, which the page draws again; actions run one at a
// time, each carrying the gold layer's version, and a 409 reloads the review and says so.
// Article text, names and attribute values go into the page as text only (textContent).

import { OffsetIndex, selectionToSpan, spanToUtf16 } from "./offsets.js";
import {
  PROVENANCE_LABELS,
  agreementBadge,
  describeAgreement,
  nudge,
  reviewItems,
  runs,
  stepTo,
} from "./review_model.js";

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
};

const state = {
  review: null,
  index: null, // OffsetIndex of the article text
  items: [],
  selected: null, // item key
  version: 0, // index of the version that "a" accepts
  draft: null, // {start, end} in code points: boundaries being nudged, not saved yet
  pending: null, // {label, attrs}: a new label that needs its required attributes before saving
  selection: null, // {start, end, text} of a text selection to add as a span
  returnTo: null, // annotation id to send back
};

let draftTimer = null; // pending save of nudged boundaries

// ---------------------------------------------------------------------------------------------
// Talking to the server

function tell(message, kind = "info") {
  ui.status.textContent = message;
  ui.status.dataset.kind = kind;
  ui.status.setAttribute("role", kind === "error" ? "alert" : "status");
}

async function call(method, url, data) {
  const init = {
    method,
    credentials: "same-origin",
    headers: { Accept: "application/json", "X-CSRFToken": config.csrf_token },
  };
  if (data !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(data);
  }
  const response = await fetch(url, init);
  const body = await response.json().catch(() => null);
  return { status: response.status, body };
}

let queue = Promise.resolve();

/** Run `action` after the ones before it; `action` returns {method, url, data, done, gold}
 * (gold: false for a request that is not a write to the gold layer) or null. */
function act(action, busyMessage = "Saving…") {
  queue = queue.then(async () => {
    const request = action();
    if (!request) return;
    tell(busyMessage);
    let answer;
    try {
      // Gold writes carry the gold layer's version; sending an annotation back does not.
      const data = request.gold === false ? request.data : { ...request.data, version: state.review.version };
      answer = await call(request.method, request.url, data);
    } catch {
      tell("Could not reach the server; nothing was saved. Try again.", "error");
      return;
    }
    const { status, body } = answer;
    if (status >= 200 && status < 300) {
      show(body);
      tell(request.done || "All changes saved.");
    } else if (status === 409) {
      await load();
      tell("Someone else changed this review meanwhile; this is the latest version.", "error");
    } else {
      const errors = (body && body.errors) || [];
      tell(errors.map((e) => e.message).join(" ") || `The server answered ${status}.`, "error");
    }
  });
  return queue;
}

async function load() {
  const { status, body } = await call("GET", config.review_url);
  if (status !== 200) {
    tell("Could not load the review.", "error");
    return;
  }
  show(body);
  if (!state.selected) tell("j / k step through the disagreements; ? lists every key.");
}

const url = (path) => `${config.review_url}${path}`;

// ---------------------------------------------------------------------------------------------
// Drawing

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "dataset") Object.assign(node.dataset, value);
    else if (name === "class") node.className = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function snippet(text, max = 80) {
  const flat = text.replace(/\s+/g, " ");
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function goldSpan(id) {
  return state.review.gold ? state.review.gold.spans.find((s) => s.id === id) : undefined;
}

function currentItem() {
  return state.items.find((item) => item.key === state.selected) || null;
}

/** The span the boundary keys and the label/attribute controls act on for an item. */
function target(item) {
  if (!item) return null;
  if (item.kind === "gold") return item.gold;
  if (item.candidate.gold_span) return goldSpan(item.candidate.gold_span);
  return item.candidate.versions[Math.min(state.version, item.candidate.versions.length - 1)];
}

function show(review) {
  const textChanged = !state.review || state.review.article.text !== review.article.text;
  state.review = review;
  if (textChanged) state.index = new OffsetIndex(review.article.text);
  state.items = reviewItems(review);
  if (state.selected && !currentItem()) {
    // A reviewer's span that now resolves a candidate is shown as that candidate.
    const id = state.selected.startsWith("g") ? Number(state.selected.slice(1)) : null;
    const candidate = review.candidates.find((c) => id !== null && c.gold_span === id);
    state.selected = candidate ? candidate.key : null;
  }
  if (draftTimer === null) state.draft = null; // else more nudges are waiting to be saved
  state.pending = null;
  drawNotice();
  drawLayers();
  drawText();
  drawItems();
  drawDetail();
  drawRelations();
  ui.text.dataset.version = review.version; // the version drawn (tests wait on it)
}

function drawNotice() {
  const r = state.review;
  const needed = r.project.annotators_per_article;
  let message = "";
  if (r.submitted === 0) {
    message = "No annotation of this article has been submitted yet. You can still mark spans for the gold layer yourself.";
  } else if (!r.ready) {
    message = `Only ${r.submitted} of the ${needed} annotations this project asks for are submitted: you are reviewing what there is so far.`;
  }
  if (r.gold && r.gold.status === "reviewed") {
    message = `${message} Marked reviewed by ${r.gold.reviewer_name}; changes you make are saved to the reviewed gold layer.`.trim();
  }
  ui.notice.textContent = message;
  ui.notice.hidden = message === "";
  const c = r.counts;
  ui.counts.textContent = `${c.open} open · ${c.accepted} accepted · ${c.rejected} rejected · ${c.disputed} disputed`;
}

function drawLayers() {
  const list = el("ul", { class: "layer-list" });
  for (const layer of state.review.layers) {
    const canReturn = ["submitted", "skipped", "reviewed"].includes(layer.status);
    list.append(
      el(
        "li",
        { dataset: { layer: layer.annotator } },
        el("strong", {}, layer.name),
        " ",
        el("span", { class: `badge status-${layer.status}` }, layer.status),
        layer.spans !== null ? ` ${layer.spans} span${layer.spans === 1 ? "" : "s"}` : "",
        layer.skip_reason ? el("span", { class: "comment" }, ` skipped: “${layer.skip_reason}”`) : "",
        layer.review_comment && layer.status === "draft"
          ? el("span", { class: "comment" }, ` sent back: “${layer.review_comment}”`)
          : "",
        canReturn
          ? el(
              "button",
              { type: "button", class: "link", dataset: { action: "return", annotation: layer.id } },
              "Send back…",
            )
          : "",
      ),
    );
  }
  if (!state.review.layers.length) list.append(el("li", { class: "empty" }, "Nobody has started this article."));
  ui.layers.replaceChildren(list);
}

function ranges() {
  const out = [];
  const index = state.index;
  for (const item of state.items) {
    let span = item;
    if (item.key === state.selected && state.draft) span = { start: Math.min(item.start, state.draft.start), end: Math.max(item.end, state.draft.end) };
    const u = spanToUtf16(index, span);
    out.push({ key: item.key, ...u });
  }
  return out;
}

function itemClass(item) {
  if (item.kind === "gold") return "it-reviewer";
  const c = item.candidate;
  return `it-${c.status} ag-${c.agreement}${c.disputed ? " is-disputed" : ""}`;
}

function drawText() {
  const text = state.review.article.text;
  const byKey = new Map(state.items.map((item) => [item.key, item]));
  const selected = currentItem();
  const focus = selected ? target(selected) : null;
  const focusRange = state.draft || focus;
  const fu = focusRange ? spanToUtf16(state.index, focusRange) : null;
  const fragment = document.createDocumentFragment();
  const allRanges = ranges();
  if (fu) allRanges.push({ key: "@focus", ...fu });
  for (const run of runs(text.length, allRanges)) {
    const piece = text.slice(run.start, run.end);
    const keys = run.keys.filter((k) => k !== "@focus");
    const node = el("span", { class: "seg", dataset: { u16: run.start } }, piece);
    if (keys.length) {
      // The innermost item shows; all of them are named in the tooltip.
      const items = keys.map((k) => byKey.get(k)).sort((a, b) => (a.end - a.start) - (b.end - b.start));
      node.className = `seg mark ${itemClass(items[0])}`;
      node.dataset.items = keys.join(" ");
      if (keys.includes(state.selected)) node.classList.add("is-selected");
      node.title = items
        .map((item) => (item.kind === "gold" ? `${item.label} — added by reviewer` : `${item.label} — ${describeAgreement(item.candidate, state.review.submitted)} (${item.status})`))
        .join("\n");
    }
    if (run.keys.includes("@focus")) node.classList.add("is-focus");
    fragment.append(node);
  }
  ui.text.replaceChildren(fragment);
}

function statusBadge(status) {
  return el("span", { class: `badge st-${status}` }, status);
}

function drawItems() {
  const list = document.createDocumentFragment();
  for (const item of state.items) {
    const li = el(
      "li",
      {
        class: `item ${itemClass(item)}${item.key === state.selected ? " is-selected" : ""}`,
        dataset: { item: item.key },
        "aria-current": item.key === state.selected ? "true" : null,
      },
      el("span", { class: "item-label" }, item.label),
      " ",
      el("span", { class: "item-text" }, `“${snippet(item.kind === "gold" ? item.gold.text : item.candidate.versions[0].text, 60)}”`),
      el(
        "div",
        { class: "item-meta small" },
        item.kind === "gold"
          ? el("span", { class: "badge ag-reviewer" }, "added by reviewer")
          : [el("span", { class: `badge ag-${item.candidate.agreement}` }, agreementBadge(item.candidate)), " ", describeAgreement(item.candidate, state.review.submitted)],
        " ",
        statusBadge(item.status),
      ),
    );
    list.append(li);
  }
  ui.items.replaceChildren(list);
  if (!state.items.length) ui.items.append(el("li", { class: "empty" }, "No spans to review."));
}

function attrsText(attrs) {
  const parts = Object.entries(attrs || {}).filter(([, v]) => v !== null && v !== "");
  return parts.length ? parts.map(([k, v]) => `${k}: ${v}`).join(", ") : "no attributes";
}

function labelSchema(name) {
  return state.review.project.schema.span_labels.find((l) => l.name === name);
}

/**
 * The control for one attribute holding `value`: a select (choices, or the gold spans it may
 * name), a checkbox or a text field; null for a type it does not know. `dataset` says what the
 * control edits; its `kind` is the attribute's type.
 */
function attributeControl(attribute, value, id, dataset) {
  dataset = { ...dataset, kind: attribute.type };
  if (attribute.type === "choice" || attribute.type === "span") {
    const options =
      attribute.type === "span"
        ? (state.review.gold ? state.review.gold.spans : [])
            .filter((s) => !attribute.labels?.length || attribute.labels.includes(s.label))
            .map((s) => [String(s.id), goldLabel(s.id)])
        : attribute.choices.map((c) => [c, c]);
    const control = el("select", { id, dataset }, el("option", { value: "" }, "—"));
    for (const [optionValue, shown] of options) {
      control.append(el("option", { value: optionValue, selected: String(value ?? "") === optionValue }, shown));
    }
    return control;
  }
  if (attribute.type === "boolean") return el("input", { id, type: "checkbox", checked: value === true, dataset });
  if (attribute.type === "text") {
    return el("input", { id, type: "text", value: value || "", maxlength: attribute.max_length, dataset });
  }
  return null;
}

function attributeControls(span) {
  const definition = labelSchema(span.label);
  const box = el("div", { class: "attr-controls" });
  for (const attribute of definition ? definition.attributes : []) {
    const id = `attr-${attribute.name}`;
    const value = span.attrs ? span.attrs[attribute.name] : undefined;
    const control = attributeControl(attribute, value, id, { attr: attribute.name });
    if (control) box.append(el("label", { for: id }, attribute.name, attribute.required ? " *" : ""), control);
  }
  return box;
}

function drawDetail() {
  const item = currentItem();
  if (!item) {
    ui.detail.replaceChildren(el("p", { class: "hint" }, "Select a span in the text or the list (j / k: next / previous disagreement)."));
    return;
  }
  const box = el("div", { class: "detail", dataset: { item: item.key } });
  box.append(el("h2", {}, item.label, " ", statusBadge(item.status)));
  if (item.kind === "candidate") {
    const c = item.candidate;
    box.append(el("p", { class: "agreement" }, el("span", { class: `badge ag-${c.agreement}` }, agreementBadge(c)), " ", describeAgreement(c, state.review.submitted)));
    const versions = el("ol", { class: "versions" });
    c.versions.forEach((v, i) => {
      const chosen = i === Math.min(state.version, c.versions.length - 1);
      versions.append(
        el(
          "li",
          { class: `version${chosen ? " is-chosen" : ""}`, dataset: { version: i } },
          el("div", {}, el("strong", {}, v.annotators.join(", ")), ` [${v.start}, ${v.end})`),
          el("div", { class: "version-text" }, `“${snippet(v.text, 200)}”`),
          el("div", { class: "small muted" }, v.label, " · ", attrsText(v.attrs)),
          el("button", { type: "button", dataset: { action: "accept", span: v.spans[0] } }, c.versions.length > 1 ? "Accept this version" : "Accept", chosen ? " " : "", chosen ? el("kbd", {}, "a") : ""),
        ),
      );
    });
    box.append(versions);
    if (c.versions.length > 1) box.append(el("p", { class: "hint" }, el("kbd", {}, "v"), " picks the version ", el("kbd", {}, "a"), " accepts."));
    box.append(el("button", { type: "button", class: "danger", dataset: { action: "reject", span: c.versions[0].spans[0] } }, "Reject ", el("kbd", {}, "r")));
  }
  const span = target(item);
  const gold = item.kind === "gold" ? item.gold : item.candidate.gold_span ? goldSpan(item.candidate.gold_span) : null;
  const edit = el("div", { class: "gold-edit" });
  const range = state.draft || span;
  edit.append(
    el("h3", {}, gold ? "In gold" : "Edit before accepting"),
    gold ? el("p", { class: "small" }, el("span", { class: `badge prov-${gold.provenance}` }, PROVENANCE_LABELS[gold.provenance] || "no provenance"), gold.agreed_by.length ? ` marked by ${gold.agreed_by.join(", ")}` : " marked by no annotator exactly so") : "",
    el("p", { class: "boundaries", dataset: { hook: "boundaries" } }, boundariesText(range)),
    el(
      "div",
      { class: "nudges", role: "group", "aria-label": "Boundaries" },
      el("button", { type: "button", dataset: { nudge: "start", dir: -1 }, title: "Start one character left (←)" }, "◀ start"),
      el("button", { type: "button", dataset: { nudge: "start", dir: 1 }, title: "Start one character right (→)" }, "start ▶"),
      el("button", { type: "button", dataset: { nudge: "end", dir: -1 }, title: "End one character left (Shift+←)" }, "◀ end"),
      el("button", { type: "button", dataset: { nudge: "end", dir: 1 }, title: "End one character right (Shift+→)" }, "end ▶"),
    ),
  );
  const label = state.pending ? state.pending.label : span.label;
  const labelSelect = el("select", { id: "gold-label", dataset: { field: "label" } });
  for (const l of state.review.project.schema.span_labels) {
    labelSelect.append(el("option", { value: l.name, selected: l.name === label }, l.name));
  }
  const attrs = state.pending ? state.pending.attrs : span.attrs;
  edit.append(
    el("div", { class: "field" }, el("label", { for: "gold-label" }, "Label"), labelSelect),
    state.pending ? el("p", { class: "hint", role: "alert" }, `Set the required attributes to make this a ${label}.`) : "",
    attributeControls({ label, attrs }),
  );
  if (gold) {
    edit.append(el("button", { type: "button", dataset: { action: "remove-gold", span: gold.id } }, "Remove from gold"));
  }
  box.append(edit);
  ui.detail.replaceChildren(box);
}

function boundariesText(range, note = "") {
  const u = spanToUtf16(state.index, range);
  return `[${range.start}, ${range.end}) “${snippet(state.review.article.text.slice(u.start, u.end), 200)}”${note}`;
}

function describeEnd(key) {
  const item = state.items.find((i) => i.key === key);
  if (!item) return key;
  const text = item.kind === "gold" ? item.gold.text : item.candidate.versions[0].text;
  return `${item.label} “${snippet(text, 30)}”`;
}

function goldLabel(id) {
  const span = goldSpan(id);
  return span ? `${span.label} “${snippet(span.text, 30)}”` : `span ${id}`;
}

/** A control for one attribute of a gold relation (attributed_to's cue: a gold span). */
function goldRelationField(rel, attribute) {
  const id = `gold-rel-${rel.id}-${attribute.name}`;
  const dataset = { goldRelation: rel.id, goldRelationAttr: attribute.name };
  const control = attributeControl(attribute, rel.attrs[attribute.name], id, dataset);
  return control && el("span", { class: "gold-relation-attr" }, el("label", { for: id }, attribute.name), " ", control);
}

function drawRelations() {
  const r = state.review;
  const list = document.createDocumentFragment();
  for (const rc of r.relation_candidates) {
    const top = rc.versions[0];
    list.append(
      el(
        "li",
        { class: `rel it-${rc.status} ag-${rc.agreement}`, dataset: { relation: rc.key } },
        el("div", {}, describeEnd(rc.from), " → ", el("strong", {}, rc.label), " → ", describeEnd(rc.to)),
        el("div", { class: "small" }, el("span", { class: `badge ag-${rc.agreement}` }, rc.agreement === "unanimous" ? "all agree" : rc.agreement), " ", rc.versions.map((v) => v.annotators.join(", ")).join(" vs "), " ", statusBadge(rc.status)),
        el("button", { type: "button", dataset: { action: "accept-relation", relation: top.relations[0] } }, "Accept"),
        " ",
        el("button", { type: "button", class: "danger", dataset: { action: "reject-relation", relation: top.relations[0] } }, "Reject"),
      ),
    );
  }
  if (!r.relation_candidates.length) list.append(el("li", { class: "empty" }, "The annotators drew no relations."));
  ui.relations.replaceChildren(list);

  const gold = el("div");
  const relations = r.gold ? r.gold.relations : [];
  const ul = el("ul", { class: "gold-relations" });
  for (const rel of relations) {
    const type = r.project.schema.relations.find((t) => t.name === rel.label);
    const fields = (type?.attributes || []).map((attribute) => goldRelationField(rel, attribute));
    ul.append(el("li", {}, goldLabel(rel.from), " → ", el("strong", {}, rel.label), " → ", goldLabel(rel.to), " ", ...fields, " ", el("button", { type: "button", class: "link", dataset: { action: "remove-gold-relation", relation: rel.id } }, "Remove")));
  }
  gold.append(ul);
  const spans = r.gold ? r.gold.spans : [];
  if (spans.length >= 2) {
    const from = el("select", { id: "rel-from", dataset: { field: "rel-from" } });
    const to = el("select", { id: "rel-to", dataset: { field: "rel-to" } });
    for (const s of spans) {
      from.append(el("option", { value: s.id }, goldLabel(s.id)));
      to.append(el("option", { value: s.id }, goldLabel(s.id)));
    }
    const type = el("select", { id: "rel-type", dataset: { field: "rel-type" } });
    for (const t of r.project.schema.relations) type.append(el("option", { value: t.name }, t.name));
    gold.append(
      el(
        "form",
        { class: "add-relation", dataset: { form: "add-relation" } },
        el("label", { for: "rel-from" }, "From"), from,
        el("label", { for: "rel-type" }, "relation"), type,
        el("label", { for: "rel-to" }, "to"), to,
        el("button", { type: "submit" }, "Link in gold"),
      ),
    );
  }
  ui.goldRelations.replaceChildren(gold);
}

// ---------------------------------------------------------------------------------------------
// Actions

function select(key, { scroll = true } = {}) {
  flushDraft();
  if (key !== state.selected) {
    state.version = 0;
    state.pending = null;
  }
  state.selected = key;
  drawText();
  drawItems();
  drawDetail();
  if (scroll && key) {
    const mark = ui.text.querySelector(".seg.is-selected");
    if (mark) mark.scrollIntoView({ block: "nearest" });
    const row = ui.items.querySelector(`[data-item="${key}"]`);
    if (row) row.scrollIntoView({ block: "nearest" });
  }
}

/** The next undecided disagreement; once all are decided, the next disagreement. */
function nextDisagreement(step) {
  const open = stepTo(state.items, state.selected, step, (i) => i.disputed && i.status === "open");
  return open ?? stepTo(state.items, state.selected, step, (i) => i.disputed);
}

function accept(spanId, changes = {}) {
  act(() => ({ method: "POST", url: url("accept/"), data: { span: spanId, ...changes }, done: "Accepted." }));
}

function saveChanges(item, changes) {
  if (item.kind === "gold" || item.candidate.gold_span) {
    const id = item.kind === "gold" ? item.gold.id : item.candidate.gold_span;
    act(() => ({ method: "PATCH", url: url(`spans/${id}/`), data: changes }));
  } else {
    accept(target(item).spans[0], changes);
  }
}

function flushDraft() {
  clearTimeout(draftTimer);
  draftTimer = null;
  const item = currentItem();
  const draft = state.draft;
  if (!item || !draft) return;
  const span = target(item);
  if (draft.start === span.start && draft.end === span.end) {
    state.draft = null;
    return;
  }
  const u = spanToUtf16(state.index, draft);
  saveChanges(item, { start: draft.start, end: draft.end, text: state.review.article.text.slice(u.start, u.end) });
}

function nudgeSelected(edge, direction) {
  const item = currentItem();
  if (!item) return;
  const span = state.draft || target(item);
  const moved = nudge(state.review.article.text, spanToUtf16(state.index, span), edge, direction);
  if (!moved) return;
  state.draft = { start: state.index.toCodePoint(moved.start), end: state.index.toCodePoint(moved.end) };
  drawText();
  const shown = ui.detail.querySelector('[data-hook="boundaries"]');
  if (shown) shown.textContent = boundariesText(state.draft, " (saving…)");
  clearTimeout(draftTimer);
  draftTimer = setTimeout(flushDraft, 500);
}

function rejectSelected() {
  const item = currentItem();
  if (!item) return;
  if (item.kind === "gold") {
    act(() => ({ method: "DELETE", url: url(`spans/${item.gold.id}/`), data: {}, done: "Removed from gold." }));
  } else {
    act(() => ({ method: "POST", url: url("reject/"), data: { span: item.candidate.versions[0].spans[0] }, done: "Rejected." }));
  }
}

function acceptSelected() {
  const item = currentItem();
  if (!item || item.kind === "gold") return;
  flushDraft();
  const version = item.candidate.versions[Math.min(state.version, item.candidate.versions.length - 1)];
  accept(version.spans[0]);
}

function acceptAgreed() {
  flushDraft();
  act(() => ({ method: "POST", url: url("accept-agreed/"), data: {}, done: "Accepted every agreed span and relation." }));
}

function markReviewed() {
  flushDraft();
  act(() => ({ method: "POST", url: url("mark-reviewed/"), data: {}, done: "Marked reviewed." }));
}

/** The attributes of `attrs` that label `label` has too. */
function keptAttrs(attrs, label) {
  const definition = labelSchema(label);
  const names = new Set((definition ? definition.attributes : []).map((a) => a.name));
  return Object.fromEntries(Object.entries(attrs || {}).filter(([name]) => names.has(name)));
}

function missingRequired(attrs, label) {
  const definition = labelSchema(label);
  return (definition ? definition.attributes : []).some(
    (a) => a.required && (attrs[a.name] === undefined || attrs[a.name] === null || attrs[a.name] === ""),
  );
}

function setLabel(label) {
  const item = currentItem();
  if (!item) return;
  const span = target(item);
  const attrs = keptAttrs(span.attrs, label);
  if (missingRequired(attrs, label)) {
    state.pending = { label, attrs };
    drawDetail();
    return;
  }
  state.pending = null;
  if (label !== span.label) saveChanges(item, { label, attrs });
}

function setAttribute(name, value) {
  const item = currentItem();
  if (!item) return;
  const label = state.pending ? state.pending.label : target(item).label;
  const attrs = { ...(state.pending ? state.pending.attrs : target(item).attrs) };
  if (value === "" || value === null) delete attrs[name];
  else attrs[name] = value;
  if (state.pending) {
    if (missingRequired(attrs, label)) {
      state.pending = { label, attrs };
      return;
    }
    state.pending = null;
    saveChanges(item, { label, attrs });
    return;
  }
  saveChanges(item, { attrs });
}

function offsetOf(node, offset) {
  if (node === ui.text) {
    const child = ui.text.childNodes[offset];
    return child ? Number(child.dataset.u16) : state.review.article.text.length;
  }
  const seg = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
  if (!seg || !seg.dataset || seg.dataset.u16 === undefined) return null;
  return Number(seg.dataset.u16) + (node.nodeType === Node.TEXT_NODE ? offset : 0);
}

function readSelection() {
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed || !selection.rangeCount) return null;
  const range = selection.getRangeAt(0);
  if (!ui.text.contains(range.startContainer) || !ui.text.contains(range.endContainer)) return null;
  const start = offsetOf(range.startContainer, range.startOffset);
  const end = offsetOf(range.endContainer, range.endOffset);
  if (start === null || end === null || start >= end) return null;
  return selectionToSpan(state.index, state.review.article.text, start, end);
}

function showAddBar(span) {
  state.selection = span;
  ui.addBar.hidden = !span;
  if (!span) return;
  ui.addText.textContent = `“${snippet(span.text, 80)}” [${span.start}, ${span.end})`;
  if (!ui.addLabel.options.length) {
    for (const l of state.review.project.schema.span_labels) {
      ui.addLabel.append(el("option", { value: l.name }, l.hotkey ? `${l.name} (${l.hotkey})` : l.name));
    }
  }
}

function addSpan(label) {
  const span = state.selection;
  if (!span) return;
  showAddBar(null);
  window.getSelection().removeAllRanges();
  act(() => ({
    method: "POST",
    url: url("spans/"),
    data: { ...span, label, attrs: {}, client_id: crypto.randomUUID() },
    done: `Added a ${label} span to gold.`,
  }));
}

// ---------------------------------------------------------------------------------------------
// Events: delegated, through data-* hooks

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-action], [data-nudge]");
  if (button) {
    const { action } = button.dataset;
    if (button.dataset.nudge) nudgeSelected(button.dataset.nudge, Number(button.dataset.dir));
    else if (action === "accept") accept(Number(button.dataset.span));
    else if (action === "reject") act(() => ({ method: "POST", url: url("reject/"), data: { span: Number(button.dataset.span) }, done: "Rejected." }));
    else if (action === "accept-relation") act(() => ({ method: "POST", url: url("relations/accept/"), data: { relation: Number(button.dataset.relation) }, done: "Relation accepted." }));
    else if (action === "reject-relation") act(() => ({ method: "POST", url: url("relations/reject/"), data: { relation: Number(button.dataset.relation) }, done: "Relation rejected." }));
    else if (action === "remove-gold") act(() => ({ method: "DELETE", url: url(`spans/${button.dataset.span}/`), data: {}, done: "Removed from gold." }));
    else if (action === "remove-gold-relation") act(() => ({ method: "DELETE", url: url(`relations/${button.dataset.relation}/`), data: {}, done: "Relation removed." }));
    else if (action === "accept-agreed") acceptAgreed();
    else if (action === "mark-reviewed") markReviewed();
    else if (action === "add-span") addSpan(ui.addLabel.value);
    else if (action === "cancel-add") showAddBar(null);
    else if (action === "toggle-help") ui.help.hidden = !ui.help.hidden;
    else if (action === "return") openReturn(Number(button.dataset.annotation));
    else if (action === "cancel-return") ui.returnDialog.close();
    return;
  }
  const row = event.target.closest("[data-item]");
  if (row && ui.items.contains(row)) {
    select(row.dataset.item);
    return;
  }
  const seg = event.target.closest(".seg.mark");
  if (seg && ui.text.contains(seg) && window.getSelection().isCollapsed) {
    // Repeated clicks on overlapping spans cycle through them, innermost first.
    const keys = seg.dataset.items.split(" ");
    const byLength = keys
      .map((k) => state.items.find((i) => i.key === k))
      .sort((a, b) => (a.end - a.start) - (b.end - b.start))
      .map((i) => i.key);
    const at = byLength.indexOf(state.selected);
    select(byLength[(at + 1) % byLength.length], { scroll: false });
  }
});

document.addEventListener("change", (event) => {
  const relationField = event.target.closest("[data-gold-relation-attr]");
  if (relationField) {
    const id = Number(relationField.dataset.goldRelation);
    const rel = state.review.gold.relations.find((x) => x.id === id);
    const attrs = { ...rel.attrs };
    const kind = relationField.dataset.kind;
    const value = kind === "boolean" ? relationField.checked : relationField.value.trim();
    if (value === "" || value === false) delete attrs[relationField.dataset.goldRelationAttr];
    else attrs[relationField.dataset.goldRelationAttr] = kind === "span" ? Number(value) : value;
    act(() => ({ method: "PATCH", url: url(`relations/${id}/`), data: { attrs }, done: `Changed the ${rel.label} link.` }));
    return;
  }
  const field = event.target.closest("[data-field], [data-attr]");
  if (!field || !ui.detail.contains(field)) return;
  if (field.dataset.field === "label") setLabel(field.value);
  else if (field.dataset.attr) setAttribute(field.dataset.attr, field.dataset.kind === "boolean" ? field.checked : field.value);
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
    act(() => ({ method: "POST", url: url("relations/"), data, done: "Linked in gold." }));
  }
});

ui.text.addEventListener("mouseup", () => {
  showAddBar(readSelection());
});

function openReturn(annotationId) {
  const layer = state.review.layers.find((l) => l.id === annotationId);
  state.returnTo = annotationId;
  ui.returnWho.textContent = layer ? layer.name : "";
  ui.returnComment.value = "";
  ui.returnDialog.showModal();
}

ui.returnForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const comment = ui.returnComment.value;
  const id = state.returnTo;
  ui.returnDialog.close();
  act(() => ({ method: "POST", url: `/api/v1/annotations/${id}/return/`, data: { comment }, gold: false, done: "Sent back with your comment." }));
});

const HOTKEY_LABELS = () => new Map(state.review.project.schema.span_labels.filter((l) => l.hotkey).map((l) => [l.hotkey, l.name]));

document.addEventListener("keydown", (event) => {
  if (!state.review || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.target instanceof Element && event.target.closest("input, select, textarea, dialog")) return;
  const key = event.key;
  let handled = true;
  if (state.selection && HOTKEY_LABELS().has(key)) addSpan(HOTKEY_LABELS().get(key));
  else if (key === "j" || key === "k") select(nextDisagreement(key === "j" ? 1 : -1));
  else if (key === "n") select(stepTo(state.items, state.selected, 1));
  else if (key === "p") select(stepTo(state.items, state.selected, -1));
  else if (key === "a") acceptSelected();
  else if (key === "A") acceptAgreed();
  else if (key === "r") rejectSelected();
  else if (key === "M") markReviewed();
  else if (key === "v") {
    const item = currentItem();
    if (item && item.kind === "candidate") {
      state.version = (Math.min(state.version, item.candidate.versions.length - 1) + 1) % item.candidate.versions.length;
      drawText();
      drawDetail();
    }
  } else if (key === "ArrowLeft" || key === "ArrowRight") {
    if (!currentItem()) return;
    nudgeSelected(event.shiftKey ? "end" : "start", key === "ArrowLeft" ? -1 : 1);
  } else if (key === "Escape") {
    showAddBar(null);
    select(null, { scroll: false });
  } else if (key === "?") ui.help.hidden = !ui.help.hidden;
  else if (HOTKEY_LABELS().has(key) && currentItem()) setLabel(HOTKEY_LABELS().get(key));
  else handled = false;
  if (handled) event.preventDefault();
});

window.addEventListener("beforeunload", () => flushDraft());

load();
