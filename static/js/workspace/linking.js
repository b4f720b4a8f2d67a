// Linking spans: with a span selected, `l` starts choosing the relation's target among the
// spans the schema allows (Tab / arrows / j k move, Enter or a click chooses, Esc cancels).
// When several relation types fit the pair, or the type has attributes (attributed_to's cue),
// a dialog asks; otherwise the relation is created at once. The same dialog changes a
// relation's attributes later (`edit`). The relation is then made or changed through the
// sync (saved like every edit). User text only via textContent.

import { attributeControl, controlValue, fieldTitle, labelledField } from "../attributes.js";
import { el } from "../dom.js";
import { quoted } from "../format.js";
import { allowedRelations, fitsSpanAttribute, linkTargetLabels, relationType, whyNotLinked } from "../schema.js";
import { cueOptions, nearestCue } from "./cues.js";

const FORWARD = ["Tab", "ArrowRight", "ArrowDown", "j"];
const BACKWARD = ["ArrowLeft", "ArrowUp", "k"];

export class Linker {
  #store;
  #schema;
  #view;
  #dialog;
  #form;
  #say;
  #sync;
  #canEdit;
  #changed;
  #done;
  #text;
  #index;
  #state = null; // {from, candidates: [keys], at}
  #draft = null; // {from, to, relation} while the dialog is open (relation: key when editing)

  /**
   * sync (sync.js) makes and changes relations; canEdit() → false (and says why) when changes
   * are not allowed; changed() is called whenever the candidates or the current one change (to
   * redraw); done(fromKey) after the dialog closed with a relation; say(message, {error})
   * reports. text and index (OffsetIndex) are the article's, for the cue choices' context.
   */
  constructor({ store, schema, view, dialog, sync, canEdit, say, changed, done, text, index }) {
    this.#text = text;
    this.#index = index;
    this.#store = store;
    this.#schema = schema;
    this.#view = view;
    this.#dialog = dialog;
    this.#form = dialog.querySelector("[data-relation-form]");
    this.#say = say;
    this.#sync = sync;
    this.#canEdit = canEdit;
    this.#changed = changed;
    this.#done = done;
    this.#form.addEventListener("change", (event) => {
      if (event.target.name === "relation-type") this.#renderAttributes();
    });
    // Enter links from anywhere in the dialog, a cue's select included; a button keeps its own
    // Enter (Cancel cancels), and a text area takes Enter as a new line unless Ctrl is held.
    dialog.addEventListener("keydown", (event) => {
      const t = event.target;
      const own = t.tagName === "BUTTON" || (t.tagName === "TEXTAREA" && !event.ctrlKey && !event.metaKey);
      if (event.key === "Enter" && !own) {
        event.preventDefault();
        dialog.close("link");
      }
    });
    dialog.addEventListener("close", () => this.#closed());
  }

  get active() {
    return this.#state !== null;
  }

  get candidates() {
    return this.#state ? this.#state.candidates : [];
  }

  get current() {
    return this.#state ? this.#state.candidates[this.#state.at] : null;
  }

  /** Start choosing a target for the span `fromKey`; false (with a message) if it cannot. */
  start(fromKey) {
    const store = this.#store;
    if (!fromKey) {
      this.#say("Select a Quote, Claim or Stance first (click it, or Tab to it), then press l.");
      return false;
    }
    const from = store.span(fromKey);
    const targets = linkTargetLabels(this.#schema, from.label);
    if (targets.size === 0) {
      this.#say(whyNotLinked(this.#schema, from.label, ""), { error: true });
      return false;
    }
    const candidates = store.sorted
      .filter((s) => s.key !== fromKey && targets.has(s.label))
      .map((s) => s.key);
    if (candidates.length === 0) {
      const needed = [...targets].join(" or ");
      this.#say(`There is nothing to link this ${from.label} to yet: mark a ${needed} first.`, {
        error: true,
      });
      return false;
    }
    let at = 0;
    let best = Infinity;
    candidates.forEach((candidate, i) => {
      const distance = Math.abs(store.span(candidate).start - from.start);
      if (distance < best) [best, at] = [distance, i];
    });
    this.#state = { from: fromKey, candidates, at };
    this.move(0);
    return true;
  }

  move(delta) {
    const state = this.#state;
    const n = state.candidates.length;
    state.at = (state.at + delta + n) % n;
    const key = state.candidates[state.at];
    this.#view.reveal(key);
    this.#changed();
    const from = quoted(this.#store.span(state.from));
    this.#say(
      `Link ${from} to ${state.at + 1} of ${n}: ${quoted(this.#store.span(key))}. ` +
        "Tab or arrows choose, Enter links, Esc cancels.",
    );
  }

  cancel() {
    this.#state = null;
    this.#changed();
  }

  /** Link to `toKey` (clicked or chosen); says why when the schema does not allow it. */
  choose(toKey) {
    const from = this.#store.span(this.#state.from);
    const to = this.#store.span(toKey);
    if (!to) return;
    if (toKey === from.key) {
      this.#say("A relation needs two different spans; choose another one.", { error: true });
      return;
    }
    const why = whyNotLinked(this.#schema, from.label, to.label);
    if (why) {
      this.#say(`Cannot link: ${why}`, { error: true });
      return;
    }
    const types = allowedRelations(this.#schema, from.label, to.label);
    this.cancel();
    if (types.length === 1 && !(types[0].attributes || []).length) {
      this.#create(from.key, to.key, types[0].name, {});
    } else {
      this.#open(from, to, types);
    }
  }

  /** Keyboard while choosing; true when the key was used. */
  onKey(event) {
    if (event.key === "Escape") {
      this.cancel();
      this.#say("Linking cancelled.");
    } else if (FORWARD.includes(event.key) || BACKWARD.includes(event.key)) {
      const back = event.shiftKey || BACKWARD.includes(event.key);
      this.move(back ? -1 : 1);
    } else if (event.key === "Enter" || event.key === " ") {
      this.choose(this.current);
    } else {
      return false;
    }
    return true;
  }

  #create(from, to, label, attrs) {
    if (!this.#canEdit()) return;
    if (this.#store.findRelation(label, from, to)) {
      this.#say(`These two spans are already linked by ${label}.`, { error: true });
      return;
    }
    this.#sync.createRelation(from, to, label, attrs);
    this.#say(`Linked ${quoted(this.#store.span(from))} → ${label} → ${quoted(this.#store.span(to))}.`);
  }

  #update(key, attrs) {
    if (!this.#canEdit()) return;
    const relation = this.#store.relation(key);
    if (!relation) return;
    this.#sync.updateRelation(key, attrs);
    this.#say(`Changed the ${relation.label} link.`);
  }

  /** Change the attributes of relation `key` in the dialog; its type and ends stay. */
  edit(key) {
    const relation = this.#store.relation(key);
    if (!relation) return;
    const type = relationType(this.#schema, relation.label);
    if (!(type?.attributes || []).length) {
      this.#say(`A ${relation.label} link has nothing to change: delete it to link otherwise.`);
      return;
    }
    this.#open(this.#store.span(relation.from), this.#store.span(relation.to), [type], relation);
  }

  #open(from, to, types, relation = null) {
    this.#draft = { from, to, relation: relation?.key ?? null };
    this.#form.querySelector("h2").textContent = relation ? `Change the ${relation.label} link` : "Link";
    this.#form.querySelector("button[value=link]").firstChild.textContent = relation ? "Save " : "Link ";
    this.#form.querySelector("[data-relation-pair]").textContent =
      `${quoted(from)} → ${quoted(to)}`;
    const fieldset = this.#form.querySelector("[data-relation-types]");
    fieldset.replaceChildren(fieldset.querySelector("legend"));
    types.forEach((type, i) => {
      const description = type.description ? ` — ${type.description}` : "";
      fieldset.append(
        el(
          "label",
          { className: "choice" },
          el("input", { type: "radio", name: "relation-type", value: type.name, checked: i === 0 }),
          " ",
          el("strong", { text: type.name }),
          el("span", { className: "muted small", text: description }),
        ),
      );
    });
    this.#renderAttributes();
    for (const input of relation ? this.#form.querySelectorAll("[data-relation-attr]") : []) {
      const value = relation.attrs[input.dataset.relationAttr];
      if (input.type === "checkbox") input.checked = Boolean(value);
      else if (value !== undefined && value !== null) input.value = String(value);
    }
    this.#dialog.returnValue = "";
    this.#dialog.showModal();
    const first = relation ? this.#form.querySelector("[data-relation-attr]") : null;
    (first || fieldset.querySelector("input:checked")).focus();
  }

  #renderAttributes() {
    const box = this.#form.querySelector("[data-relation-attrs]");
    const chosen = this.#form.querySelector("input[name=relation-type]:checked")?.value;
    const type = relationType(this.#schema, chosen);
    box.replaceChildren(...(type?.attributes || []).map((a) => this.#attributeInput(a)));
  }

  #attributeInput(attribute) {
    const { from, to, relation } = this.#draft;
    const id = `relation-attr-${attribute.name}`;
    let options;
    let value;
    if (attribute.type === "span") {
      // In text order, each with its context; a new link starts on the cue nearest the pair,
      // a link being changed on the cue it has (or "—").
      const fits = this.#store.sorted.filter((s) => fitsSpanAttribute(attribute, s.label));
      options = cueOptions(fits, this.#text, this.#index);
      value = relation
        ? this.#store.relation(relation)?.attrs[attribute.name]
        : nearestCue(fits, from, to, this.#text, this.#index);
    }
    // The dialog never limited a text's length: the server says when one is too long.
    const control = attributeControl(attribute, { id, value, dataset: { relationAttr: attribute.name }, options, maxLength: null });
    if (attribute.type !== "span") return labelledField(id, fieldTitle(attribute), control);
    // The chosen cue's context again, wrapped: a narrow select cuts its text off.
    const shown = el("span", { className: "hint cue-context", dataset: { cueContext: "" } });
    const show = () => (shown.textContent = control.value ? control.selectedOptions[0].textContent : "");
    control.addEventListener("change", show);
    show();
    return labelledField(id, fieldTitle(attribute), control, shown);
  }

  #closed() {
    const draft = this.#draft;
    this.#draft = null;
    if (!draft || this.#dialog.returnValue !== "link") {
      this.#say("Linking cancelled.");
      return;
    }
    const label = this.#form.querySelector("input[name=relation-type]:checked")?.value;
    const attrs = {};
    for (const input of this.#form.querySelectorAll("[data-relation-attr]")) {
      const value = controlValue(input);
      if (value !== "" && value !== false) attrs[input.dataset.relationAttr] = value;
    }
    if (draft.relation) this.#update(draft.relation, attrs);
    else this.#create(draft.from.key, draft.to.key, label, attrs);
    this.#done(draft.from.key);
  }
}
