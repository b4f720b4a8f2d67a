// The attribute editor: the controls that show and change one attribute of a span or a relation
// (choice, boolean, text, span), for the workspace's editor and relation dialog and for the
// review page's gold layer. Values go in as properties and option text as text, never as HTML.

import { el } from "./dom.js";
import { enhanceSpeakerInput, registry, shownValue, speakerValue, suggestedSpeaker } from "./speakers-registry.js";

export { registry, shownValue, speakerValue };

/** An attribute's name as its field is titled: "quote_type (required)". */
export function fieldTitle(attribute) {
  return `${attribute.name}${attribute.required ? " (required)" : ""}`;
}

function select({ id, dataset, disabled }, value, options) {
  const control = el("select", { id, dataset, disabled }, el("option", { value: "", text: "—" }));
  for (const [optionValue, shown] of options) {
    control.append(el("option", { value: optionValue, selected: String(value ?? "") === optionValue, text: shown }));
  }
  return control;
}

function checkbox({ id, dataset, disabled }, value) {
  return el("input", { type: "checkbox", id, checked: value === true, disabled, dataset });
}

function textInput({ id, dataset, disabled }, value, maxLength) {
  return el("input", { type: "text", id, value: value ?? "", maxlength: maxLength, disabled, dataset });
}

/**
 * The control for one attribute holding `value`: a <select> for a choice or a span attribute
 * ("—" first, then `options` as [value, shown]: by default the choices; a span attribute's
 * are the spans it may name, which the caller knows), a checkbox for a boolean, a text field
 * for text. `dataset` says what the control edits. A text field takes the attribute's
 * max_length unless `maxLength` says otherwise (null: no limit).
 */
export function attributeControl(attribute, { id, value, dataset, options, disabled = false, maxLength = attribute.max_length }) {
  const where = { id, dataset, disabled };
  // A speaker attribute outside the workspace's editor (the review page's gold): a menu of the
  // registry's speakers, by id.
  if (attribute.type === "speaker") return select(where, value, registry.choices());
  if (attribute.type === "choice" || attribute.type === "span") {
    return select(where, value, options ?? (attribute.choices || []).map((choice) => [choice, choice]));
  }
  if (attribute.type === "boolean") return checkbox(where, value);
  return textInput(where, value, maxLength);
}

/** A control with its label above it, in a `.field` box. */
export function labelledField(id, title, control, ...after) {
  return el("div", { className: "field" }, el("label", { for: id, text: title }), control, ...after);
}

/**
 * The workspace editor's field for attribute `attribute` of a span, holding `value`: radio
 * buttons for a choice ("—" first unless required; marked while a required one is unset), a
 * labelled checkbox for a boolean, a text field that Enter saves for anything else. Every
 * input carries data-attr with the attribute's name.
 */
export function attributeField(attribute, value, { readOnly = false, span = null } = {}) {
  const id = `attr-${attribute.name}`;
  const where = { id, dataset: { attr: attribute.name }, disabled: readOnly };
  if (attribute.type === "choice") {
    const group = el("fieldset", { className: "choices", dataset: where.dataset }, el("legend", { text: fieldTitle(attribute) }));
    for (const choice of attribute.required ? attribute.choices : ["", ...attribute.choices]) {
      const input = el("input", {
        type: "radio",
        name: id,
        value: choice,
        checked: (value ?? "") === choice,
        disabled: readOnly,
        dataset: where.dataset,
      });
      group.append(el("label", { className: "choice" }, input, el("span", { text: choice || "—" })));
    }
    if (attribute.required && (value === undefined || value === null)) group.classList.add("missing-value");
    return group;
  }
  if (attribute.type === "boolean") {
    return el("div", { className: "field" }, el("label", {}, checkbox(where, value), ` ${fieldTitle(attribute)}`));
  }
  if (attribute.type === "speaker") return speakerField(attribute, value, where, span);
  const input = textInput(where, value, attribute.max_length ? String(attribute.max_length) : null);
  return labelledField(id, fieldTitle(attribute), input, el("span", { className: "hint", text: "Enter saves" }));
}

/** What a control holds: a checkbox's state, a field's text without surrounding spaces. */
export function controlValue(control) {
  return control.type === "checkbox" ? control.checked : control.value.trim();
}

/**
 * A speaker attribute's field: a text field with its own type-ahead list of the registry's
 * speakers (speakers-registry.js: enhanceSpeakerInput); it shows the linked speaker's name,
 * data-kind="speaker" says that its text is to be read with speakerValue.
 */
function speakerField(attribute, value, { id, dataset, disabled }, span) {
  const input = el("input", {
    type: "text",
    id,
    autocomplete: "off",
    disabled,
    dataset: { ...dataset, kind: "speaker" },
  });
  // Typing replaces the linked name rather than adding to it.
  input.addEventListener("focus", () => input.select());
  const usage = "Type a name or alias (↓ lists the speakers); Enter saves";
  let suggestion = null; // the hint of the suggested speaker, true only while the field is empty
  // Before the type-ahead's own listener, which may then say which speaker Enter takes.
  input.addEventListener("input", () => {
    if (suggestion) hint.textContent = input.value.trim() ? usage : suggestion;
  });
  const list = enhanceSpeakerInput(input, value);
  registry.load();
  const hint = el("span", { className: "hint", text: usage });
  // An unlinked Source shows the speaker the suggester guesses; Enter in the empty field takes it.
  if (!disabled && (value === undefined || value === null)) {
    suggestedSpeaker(span).then((guess) => {
      if (!guess || input.value.trim()) return;
      input.dataset.suggested = String(guess.speaker);
      input.placeholder = `Suggested: ${guess.name}`;
      suggestion = `Suggested: ${guess.name} (${Math.round(guess.confidence * 100)}%) — Enter takes it`;
      hint.textContent = suggestion;
    });
  }
  return labelledField(id, fieldTitle(attribute), input, hint, list);
}
