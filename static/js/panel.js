// The side panel: the selected span's editor, every span in text order, every relation.
// User text (span text, label names, attribute values) only ever goes in through textContent.

import { excerpt } from "./render.js";
import { attributeSummary, missingAttributes, relationType, spanLabel } from "./schema.js";

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "className") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name === "checked" || name === "disabled" || name === "value") node[name] = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

/** A label name with its swatch (colour and pattern), as in the palette. */
export function labelTag(label, style) {
  const swatch = el("span", { className: `label-swatch pat-${style.pattern % 5}`, "aria-hidden": "true" });
  swatch.style.setProperty("--c", style.color);
  return el("span", { className: "tag" }, swatch, el("span", { className: "tag-name", text: label }));
}

export class Panel {
  #store;
  #styleOf;
  #list;
  #count;
  #editor;
  #relationList;
  #relationCount;
  #items = new Map(); // span key → <li>
  #built = false; // the list is built once after the text is drawn (renderSpans)

  constructor({ store, styleOf, list, count, editor, relationList, relationCount }) {
    this.#store = store;
    this.#styleOf = styleOf;
    this.#list = list;
    this.#count = count;
    this.#editor = editor;
    this.#relationList = relationList;
    this.#relationCount = relationCount;
  }

  #item(span) {
    const schema = this.#store.schema;
    const missing = missingAttributes(schema, span.label, span.attrs);
    const summary = attributeSummary(schema, span.label, span.attrs);
    const button = el(
      "button",
      { type: "button", className: "span-item", dataset: { key: span.key } },
      labelTag(span.label, this.#styleOf(span.label)),
      el("span", { className: "excerpt", text: `“${excerpt(span.text, 70)}”` }),
      summary ? el("span", { className: "attrs", text: summary }) : null,
      missing.length
        ? el("span", { className: "missing", text: `needs ${missing.map((a) => a.name).join(", ")}` })
        : null,
    );
    const li = el("li", { dataset: { key: span.key } }, button);
    if (this.#store.selected === span.key) li.classList.add("selected");
    return li;
  }

  renderSpans() {
    this.#built = true;
    this.#items.clear();
    const fragment = document.createDocumentFragment();
    for (const span of this.#store.sorted) {
      const li = this.#item(span);
      this.#items.set(span.key, li);
      fragment.append(li);
    }
    this.#list.replaceChildren(fragment);
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
    this.#list.insertBefore(li, next ? this.#items.get(next.key) || null : null);
    this.#items.set(span.key, li);
    this.#updateCount();
  }

  removeSpan(key) {
    if (!this.#built) return;
    this.#items.get(key)?.remove();
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
      fields.push(this.#attributeField(span, attribute, readOnly));
    }
    const actions = el(
      "div",
      { className: "editor-actions" },
      el("button", { type: "button", dataset: { action: "link" }, disabled: readOnly }, "Link to… ", el("kbd", { text: "l" })),
      el("button", { type: "button", className: "danger", dataset: { action: "delete" }, disabled: readOnly }, "Delete ", el("kbd", { text: "Del" })),
    );
    this.#editor.replaceChildren(head, ...fields, actions);
  }

  #attributeField(span, attribute, readOnly) {
    const value = span.attrs[attribute.name];
    const id = `attr-${attribute.name}`;
    const required = attribute.required ? " (required)" : "";
    if (attribute.type === "choice") {
      const choices = attribute.required ? attribute.choices : ["", ...attribute.choices];
      const group = el("fieldset", { className: "choices", dataset: { attr: attribute.name } });
      group.append(el("legend", { text: `${attribute.name}${required}` }));
      for (const choice of choices) {
        const input = el("input", {
          type: "radio",
          name: id,
          value: choice,
          checked: (value ?? "") === choice,
          disabled: readOnly,
          dataset: { attr: attribute.name },
        });
        group.append(el("label", { className: "choice" }, input, el("span", { text: choice || "—" })));
      }
      if (attribute.required && (value === undefined || value === null)) group.classList.add("missing-value");
      return group;
    }
    if (attribute.type === "boolean") {
      const input = el("input", { type: "checkbox", id, checked: value === true, disabled: readOnly, dataset: { attr: attribute.name } });
      return el("div", { className: "field" }, el("label", {}, input, ` ${attribute.name}${required}`));
    }
    const input = el("input", {
      type: "text",
      id,
      value: value ?? "",
      maxlength: attribute.max_length ? String(attribute.max_length) : null,
      disabled: readOnly,
      dataset: { attr: attribute.name },
    });
    return el(
      "div",
      { className: "field" },
      el("label", { for: id, text: `${attribute.name}${required}` }),
      input,
      el("span", { className: "hint", text: "Enter saves" }),
    );
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
