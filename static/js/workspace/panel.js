// The side panel: the selected span's editor, every span in text order, every relation.
// User text (span text, label names, attribute values) only ever goes in through textContent.
// The panel listens to its own lists and editor and says what the analyst asked for through
// the `on` callbacks; the page decides what happens.

import { attributeField, registry as speakers, shownValue, speakerValue } from "../attributes.js";
import { el } from "../dom.js";
import { excerpt, excerptEnds } from "../format.js";
import { attributeSummary, missingAttributes, relationType, spanLabel } from "../schema.js";
import { ChunkedList } from "./chunked.js";

/** A label name with its swatch (colour and pattern), as in the palette. */
export function labelTag(label, style) {
  const swatch = el("span", { className: `label-swatch pat-${style.pattern % 5}`, "aria-hidden": "true" });
  swatch.style.setProperty("--c", style.color);
  return el("span", { className: "tag" }, swatch, el("span", { className: "tag-name", text: label }));
}

export class Panel {
  #store;
  #index;
  #styleOf;
  #list;
  #count;
  #editor;
  #relationList;
  #relationCount;
  #rows; // the list, in chunks of rows (chunked.js)
  #items = new Map(); // span key → its row
  #built = false; // the list is built once after the text is drawn (renderSpans)

  /**
   * `on` says what the analyst did: pick(key) clicked a span in the list, focus(key) moved
   * the focus onto one; label(key, label) and attribute(key, name, value) changed the
   * selected span in the editor (value null: cleared), link() and remove(key) pressed its
   * buttons; hover(relationKey or null) points at a relation, editRelation(key) and
   * deleteRelation(key) pressed a relation's buttons.
   */
  constructor({ store, index, styleOf, list, count, editor, relationList, relationCount, on }) {
    this.#store = store;
    this.#index = index;
    this.#styleOf = styleOf;
    this.#list = list;
    this.#rows = new ChunkedList(list);
    this.#count = count;
    this.#editor = editor;
    this.#relationList = relationList;
    this.#relationCount = relationCount;
    this.#listen(on);
    // Speaker names arrive after the first drawing: the list shows them once they are known.
    speakers.addEventListener("change", () => this.#renameSpeakers());
  }

  #listen(on) {
    const store = this.#store;
    const spanOf = (event) => event.target.closest(".span-item")?.dataset.key;
    this.#list.addEventListener("click", (event) => {
      const key = spanOf(event);
      if (key) on.pick(key);
    });
    this.#list.addEventListener("focusin", (event) => {
      const key = spanOf(event);
      if (key) on.focus(key);
    });
    // A Speaker field's text becomes a speaker id (or a new speaker, on a second Enter).
    const saveSpeaker = (key, input, create) =>
      speakerValue(input, { create }).then((id) => {
        if (id !== undefined) on.attribute(key, input.dataset.attr, id);
      });
    this.#editor.addEventListener("change", (event) => {
      const t = event.target;
      const key = store.selected;
      if (!key) return;
      if (t.dataset.field === "label") on.label(key, t.value);
      else if (t.type === "radio") on.attribute(key, t.dataset.attr, t.value || null);
      else if (t.type === "checkbox") on.attribute(key, t.dataset.attr, t.checked);
      else if (t.dataset.kind === "speaker") saveSpeaker(key, t, false);
      else if (t.dataset.attr) on.attribute(key, t.dataset.attr, t.value.trim() || null);
    });
    this.#editor.addEventListener("keydown", (event) => {
      const t = event.target;
      if (event.key === "Enter" && t.dataset.kind === "speaker" && store.selected) saveSpeaker(store.selected, t, true);
      else if (event.key === "Enter" && t.tagName === "INPUT" && t.type === "text" && store.selected) {
        on.attribute(store.selected, t.dataset.attr, t.value.trim() || null);
      }
    });
    this.#editor.addEventListener("click", (event) => {
      const action = event.target.closest("[data-action]")?.dataset.action;
      if (action === "link") on.link();
      if (action === "delete" && store.selected) on.remove(store.selected);
    });
    const relations = this.#relationList;
    const relationOf = (event) => event.target.closest("[data-relation]")?.dataset.relation || null;
    relations.addEventListener("mouseover", (event) => on.hover(relationOf(event)));
    relations.addEventListener("mouseleave", () => on.hover(null));
    relations.addEventListener("focusin", (event) => on.hover(relationOf(event)));
    relations.addEventListener("focusout", () => on.hover(null));
    relations.addEventListener("click", (event) => {
      const button = event.target.closest("[data-action=delete-relation], [data-action=edit-relation]");
      if (button?.dataset.action === "delete-relation") on.deleteRelation(button.dataset.relation);
      if (button?.dataset.action === "edit-relation") on.editRelation(button.dataset.relation);
    });
  }

  #item(span) {
    const schema = this.#store.schema;
    const missing = missingAttributes(schema, span.label, span.attrs);
    const summary = attributeSummary(schema, span.label, span.attrs, (a, v) => (a.type === "speaker" ? shownValue(v) : v));
    const button = el(
      "button",
      { type: "button", className: "span-item", dataset: { key: span.key } },
      labelTag(span.label, this.#styleOf(span.label)),
      el("span", { className: "excerpt", text: `“${excerptEnds(span.text, 70)}”` }),
      el("span", { className: "where", text: `line ${this.#index.lineOf(span.start)}` }),
      summary ? el("span", { className: "attrs", text: summary }) : null,
      missing.length
        ? el("span", { className: "missing", text: `needs ${missing.map((a) => a.name).join(", ")}` })
        : null,
    );
    const li = el("div", { className: "row", role: "listitem", dataset: { key: span.key } }, button);
    if (this.#store.selected === span.key) li.classList.add("selected");
    return li;
  }

  /** Redraw, in place, only the rows of spans that link to a speaker (its name is now known). */
  #renameSpeakers() {
    if (!this.#built) return;
    const schema = this.#store.schema;
    for (const span of this.#store.sorted) {
      const linked = (spanLabel(schema, span.label)?.attributes || []).some((a) => a.type === "speaker" && span.attrs[a.name] != null);
      const li = this.#items.get(span.key);
      if (!linked || !li) continue;
      const fresh = this.#item(span);
      li.replaceWith(fresh);
      this.#items.set(span.key, fresh);
    }
  }

  renderSpans() {
    this.#built = true;
    this.#items.clear();
    const rows = this.#store.sorted.map((span) => {
      const li = this.#item(span);
      this.#items.set(span.key, li);
      return li;
    });
    this.#rows.replace(rows);
    this.#updateCount();
  }

  #updateCount() {
    this.#count.textContent = String(this.#store.sorted.length);
  }

  addSpan(span) {
    if (!this.#built) return;
    const li = this.#item(span);
    const at = this.#store.sorted.indexOf(span);
    const next = this.#store.sorted[at + 1];
    this.#rows.insert(li, next ? this.#items.get(next.key) || null : null);
    this.#items.set(span.key, li);
    this.#updateCount();
  }

  removeSpan(key) {
    if (!this.#built) return;
    const li = this.#items.get(key);
    if (li) this.#rows.remove(li);
    this.#items.delete(key);
    this.#updateCount();
  }

  updateSpan(span) {
    const old = this.#items.get(span.key);
    if (!old) return;
    const hadFocus = old.contains(document.activeElement);
    const li = this.#item(span);
    old.replaceWith(li);
    this.#items.set(span.key, li);
    if (hadFocus) li.querySelector("button").focus();
  }

  select(key, previous) {
    if (previous) this.#items.get(previous)?.classList.remove("selected");
    const li = key ? this.#items.get(key) : null;
    if (li) {
      li.classList.add("selected");
      // Next frame: scrolling now would force a layout in the middle of the change.
      requestAnimationFrame(() => li.isConnected && li.scrollIntoView({ block: "nearest" }));
    }
  }

  focusItem(key) {
    this.#items.get(key)?.querySelector("button")?.focus();
  }

  /** The editor of the selected span (or a hint when none is selected). */
  renderEditor() {
    const store = this.#store;
    const span = store.selected ? store.span(store.selected) : null;
    if (!span) {
      this.#editor.replaceChildren(
        el("p", { className: "hint", text: "Select text and press a label key, or click a span (Tab, j / k walk through them). Press ? for every shortcut." }),
      );
      return;
    }
    const schema = store.schema;
    const readOnly = !store.editable;
    const head = el(
      "div",
      { className: "editor-head" },
      labelTag(span.label, this.#styleOf(span.label)),
      el("q", { className: "editor-text", text: excerpt(span.text, 90) }),
      el("span", { className: "muted small mono", text: `${span.start}–${span.end}` }),
    );
    const fields = [];
    const labelSelect = el("select", { id: "editor-label", dataset: { field: "label" }, disabled: readOnly });
    for (const label of schema.span_labels) {
      labelSelect.append(el("option", { value: label.name, text: label.name }));
    }
    labelSelect.value = span.label;
    fields.push(el("div", { className: "field" }, el("label", { for: "editor-label", text: "Label" }), labelSelect));
    const definition = spanLabel(schema, span.label);
    for (const attribute of definition?.attributes || []) {
      fields.push(attributeField(attribute, span.attrs[attribute.name], { readOnly, span }));
    }
    const actions = el(
      "div",
      { className: "editor-actions" },
      el("button", { type: "button", dataset: { action: "link" }, disabled: readOnly }, "Link to… ", el("kbd", { text: "l" })),
      el("button", { type: "button", className: "danger", dataset: { action: "delete" }, disabled: readOnly }, "Delete ", el("kbd", { text: "Del" })),
    );
    this.#editor.replaceChildren(head, ...fields, actions);
  }

  /** renderEditor, putting the focus back on the same field, so arrow keys keep working. */
  refreshEditor() {
    const editor = this.#editor;
    const active = document.activeElement;
    const had = editor.contains(active)
      ? { attr: active.dataset.attr, field: active.dataset.field, value: active.type === "radio" ? active.value : null }
      : null;
    this.renderEditor();
    if (!had) return;
    const selector = had.field
      ? `[data-field="${had.field}"]`
      : had.value !== null
        ? `input[data-attr="${CSS.escape(had.attr)}"][value="${CSS.escape(had.value)}"]`
        : `[data-attr="${CSS.escape(had.attr)}"]:not(fieldset)`;
    editor.querySelector(selector)?.focus();
  }

  /** Focus the first attribute field of the editor (the `a` key). */
  focusFirstField() {
    const checked = this.#editor.querySelector("input[data-attr]:checked");
    const first = checked || this.#editor.querySelector("[data-attr]:not(fieldset)");
    if (first) first.focus();
    return Boolean(first);
  }

  renderRelations() {
    const store = this.#store;
    const order = new Map(store.sorted.map((s, i) => [s.key, i]));
    const relations = store.relations.sort(
      (a, b) => (order.get(a.from) ?? 0) - (order.get(b.from) ?? 0) || (order.get(a.to) ?? 0) - (order.get(b.to) ?? 0),
    );
    const fragment = document.createDocumentFragment();
    for (const relation of relations) {
      const from = store.span(relation.from);
      const to = store.span(relation.to);
      if (!from || !to) continue;
      const cue = relation.attrs.cue ? store.span(relation.attrs.cue) : null;
      const relationButton = (action, className, name, title, text) =>
        el("button", {
          type: "button",
          className,
          dataset: { action, relation: relation.key },
          "aria-label": name,
          title,
          disabled: !store.editable,
          text,
        });
      const row = el(
        "li",
        { className: "relation", tabindex: "0", dataset: { relation: relation.key } },
        el(
          "span",
          { className: "relation-text" },
          labelTag(from.label, this.#styleOf(from.label)),
          el("span", { className: "excerpt", text: ` “${excerpt(from.text, 40)}” ` }),
          el("span", { className: "relation-label", text: `→ ${relation.label} →` }),
          labelTag(to.label, this.#styleOf(to.label)),
          el("span", { className: "excerpt", text: ` “${excerpt(to.text, 40)}”` }),
          cue ? el("span", { className: "attrs", text: ` cue: “${excerpt(cue.text, 30)}”` }) : null,
        ),
        (relationType(store.schema, relation.label)?.attributes || []).length
          ? relationButton("edit-relation", "icon", `Change relation ${relation.label}`, "Change its attributes (Enter)", "✎")
          : null,
        relationButton("delete-relation", "icon danger", `Delete relation ${relation.label}`, "Delete relation", "×"),
      );
      fragment.append(row);
    }
    this.#relationList.replaceChildren(fragment);
    this.#relationCount.textContent = String(this.#relationList.children.length);
  }
}
