// Drawing the review page: the status line, the notice and the annotators' layers, the text
// with every item marked, the list of items, the selected item's detail (versions, boundaries,
// label and attributes for gold), the relations and the gold relations. Everything is drawn
// again from the state (review/model.js) after each answer of the server. Article text, names
// and attribute values go into the page as text only (textContent).

import { attributeControl } from "../attributes.js";
import { el } from "../dom.js";
import { attributesText, excerpt } from "../format.js";
import { assignLanes, laneCount } from "../lanes.js";
import { selectionToSpan, spanToUtf16 } from "../offsets.js";
import { registry as speakers, shownValue } from "../speakers-registry.js";
import { fitsSpanAttribute, missingAttributes, relationType, spanLabel } from "../schema.js";
import {
  PROVENANCE_LABELS,
  agreementBadge,
  chosenIndex,
  currentItem,
  describeAgreement,
  goldSpan,
  itemText,
  runs,
  shortestFirst,
  target,
} from "./model.js";

/** A speaker attribute's value as a name (attributesText's `shown`). */
const speakerNamed = (name, value) => (name === "speaker" ? shownValue(value) : value);

const LANE_PX = 4; // px between two underlines on the same words

/** Agreement markers at the start of each span: a shape, not a colour, tells them apart. */
const MARKS = { unanimous: "", majority: "≈", disputed: "≠", single: "1", reviewer: "+" };
const MARK_NAMES = {
  unanimous: "no marker: all agree",
  majority: "majority",
  disputed: "disputed",
  single: "one annotator",
  reviewer: "added by you",
};

function markOf(item) {
  if (item.kind === "gold") return "reviewer";
  const c = item.candidate;
  if (c.agreement === "unanimous" || c.agreement === "majority") return c.agreement;
  return c.versions.length > 1 ? "disputed" : "single";
}

/** "5 disagreements (2 majority, 2 disputed, 1 one annotator)": every candidate that is not
 * agreed by all, broken down by the badges the list shows. */
function disagreements(counts) {
  const n = counts.disputed;
  const by = counts.by_agreement;
  const parts = [
    [by.majority, "majority"],
    [by.disputed, "disputed"],
    [by.one_annotator, "one annotator"],
  ]
    .filter(([count]) => count > 0)
    .map(([count, name]) => `${count} ${name}`);
  const noun = n === 1 ? "disagreement" : "disagreements";
  return parts.length ? `${n} ${noun} (${parts.join(", ")})` : `${n} ${noun}`;
}

const statusBadge = (status) => el("span", { className: `badge st-${status}` }, status);

/** Who put a gold span that resolves no candidate there: an import, or the reviewer. */
const goldOrigin = (gold) => (gold.origin === "imported" ? "imported" : "added by reviewer");

function itemClass(item) {
  if (item.kind === "gold") return "it-reviewer";
  const c = item.candidate;
  return `it-${c.status} ag-${c.agreement}${c.disputed ? " is-disputed" : ""}`;
}

export class ReviewView {
  #ui;
  #state;

  /** `ui`: the page's elements by data-hook; `state`: the page's state (see review.js). */
  constructor(ui, state) {
    this.#ui = ui;
    this.#state = state;
    // Versions that differ by speaker name the speakers, once the registry has loaded.
    speakers.addEventListener("change", () => {
      if (this.#state.review) this.drawDetail();
    });
    speakers.load();
  }

  tell(message, kind = "info") {
    const status = this.#ui.status;
    status.textContent = message;
    status.dataset.kind = kind;
    status.setAttribute("role", kind === "error" ? "alert" : "status");
  }

  /** Draw everything for the review in the state. */
  draw() {
    this.drawNotice();
    this.drawLayers();
    this.drawLegend();
    this.drawText();
    this.drawItems();
    this.drawDetail();
    this.drawRelations();
    this.#ui.text.dataset.version = this.#state.review.version; // the version drawn (tests wait on it)
  }

  drawNotice() {
    const r = this.#state.review;
    const needed = r.project.annotators_per_article;
    let message = "";
    if (r.submitted === 0) {
      message = "No annotation of this article has been submitted yet. You can still mark spans for the gold layer yourself.";
    } else if (!r.ready) {
      message = `Only ${r.submitted} of the ${needed} annotations this project asks for are submitted: you are reviewing what there is so far.`;
    }
    if (r.gold && r.gold.status === "reviewed") {
      // Imported gold is reviewed without a reviewer.
      const by = r.gold.reviewer_name ? `Marked reviewed by ${r.gold.reviewer_name}` : "Imported as reviewed gold";
      message = `${message} ${by}; changes you make are saved to the reviewed gold layer.`.trim();
    }
    this.#ui.notice.textContent = message;
    this.#ui.notice.hidden = message === "";
    const c = r.counts;
    this.#ui.counts.textContent = `${c.open} open · ${c.accepted} accepted · ${c.rejected} rejected · ${disagreements(c)}`;
  }

  drawLayers() {
    const layers = this.#state.review.layers;
    const list = el("ul", { className: "layer-list" });
    for (const layer of layers) {
      const canReturn = ["submitted", "skipped", "reviewed"].includes(layer.status);
      list.append(
        el(
          "li",
          { dataset: { layer: layer.annotator } },
          el("strong", {}, layer.name),
          " ",
          el("span", { className: `badge status-${layer.status}` }, layer.status),
          layer.spans !== null ? ` ${layer.spans} span${layer.spans === 1 ? "" : "s"}` : "",
          layer.skip_reason ? el("span", { className: "comment" }, ` skipped: “${layer.skip_reason}”`) : "",
          layer.review_comment && layer.status === "draft"
            ? el("span", { className: "comment" }, ` sent back: “${layer.review_comment}”`)
            : "",
          canReturn
            ? el("button", { type: "button", className: "link", dataset: { action: "return", annotation: layer.id } }, "Send back…")
            : "",
        ),
      );
    }
    if (!layers.length) list.append(el("li", { className: "empty" }, "Nobody has started this article."));
    this.#ui.layers.replaceChildren(list);
  }

  /** UTF-16 ranges of the items; the selected one covers its draft boundaries too. */
  #ranges() {
    const state = this.#state;
    return state.items.map((item) => {
      let span = item;
      if (item.key === state.selected && state.draft) {
        span = { start: Math.min(item.start, state.draft.start), end: Math.max(item.end, state.draft.end) };
      }
      return { key: item.key, ...spanToUtf16(state.index, span) };
    });
  }

  /** The colour of span label `label` in the project's schema (grey for an unknown one). */
  #colour(label) {
    const definition = spanLabel(this.#state.review.project.schema, label);
    return definition?.color || "#6b7280";
  }

  /**
   * The text with every item underlined in its label's colour — one underline per item, each at
   * its own depth (lanes.js), so two labels on the same words stay two lines — and a marker at
   * the start of each item saying how far the annotators agree (MARKS; never the colour).
   */
  drawText() {
    const state = this.#state;
    const text = state.review.article.text;
    const byKey = new Map(state.items.map((item) => [item.key, item]));
    const lanes = assignLanes(state.items);
    const depth = Math.max(1, laneCount(lanes));
    this.#ui.text.style.setProperty("--review-lanes", String(depth));
    const selected = currentItem(state);
    const focus = selected ? target(state, selected) : null;
    const focusRange = state.draft || focus;
    const fu = focusRange ? spanToUtf16(state.index, focusRange) : null;
    const related = this.#relatedKeys();
    const fragment = document.createDocumentFragment();
    const allRanges = this.#ranges();
    if (fu) allRanges.push({ key: "@focus", ...fu });
    const started = new Set();
    for (const run of runs(text.length, allRanges)) {
      const piece = text.slice(run.start, run.end);
      const keys = run.keys.filter((k) => k !== "@focus");
      const node = el("span", { className: "seg", dataset: { u16: run.start } }, piece);
      if (keys.length) {
        // Clicks pick the innermost item; all of them are named in the tooltip.
        const items = keys.map((k) => byKey.get(k)).sort(shortestFirst);
        node.className = `seg mark st-${items[0].kind === "gold" ? "reviewer" : items[0].status}`;
        node.dataset.items = keys.join(" ");
        if (keys.includes(state.selected) || keys.some((k) => related.has(k))) node.classList.add("is-selected");
        const layers = [...items].sort((a, b) => lanes.get(a.key) - lanes.get(b.key));
        const paint = (item) => {
          const colour = this.#colour(item.label);
          return item.status === "rejected" ? `color-mix(in srgb, ${colour} 30%, transparent)` : colour;
        };
        Object.assign(node.style, {
          backgroundImage: layers.map((item) => `linear-gradient(${paint(item)}, ${paint(item)})`).join(", "),
          backgroundSize: layers.map(() => "100% 3px").join(", "),
          backgroundPosition: layers.map((item) => `0 calc(100% - ${(depth - 1 - lanes.get(item.key)) * LANE_PX}px)`).join(", "),
        });
        // Spans all annotators agree on carry no marker: the others stand out.
        const starting = items.filter((item) => !started.has(item.key) && markOf(item) !== "unanimous");
        for (const item of items) started.add(item.key);
        if (starting.length) {
          node.dataset.marks = starting.map((item) => MARKS[markOf(item)]).join("");
          node.dataset.agreement = markOf(starting.at(-1)); // the innermost one's colour
        }
        node.title = items
          .map((item) =>
            item.kind === "gold"
              ? `${item.label} — added by reviewer`
              : `${item.label} — ${describeAgreement(item.candidate, state.review.submitted)} (${item.status})`,
          )
          .join("\n");
      }
      if (run.keys.includes("@focus")) node.classList.add("is-focus");
      fragment.append(node);
    }
    this.#ui.text.replaceChildren(fragment);
  }

  /** Keys of the items at the two ends of the selected relation candidate. */
  #relatedKeys() {
    const key = this.#state.relation;
    const rc = key ? this.#state.review.relation_candidates.find((c) => c.key === key) : null;
    return new Set(rc ? [rc.from, rc.to] : []);
  }

  /** The legend under the text: each label's colour, and what the markers mean. */
  drawLegend() {
    const legend = this.#ui.legend;
    if (!legend) return;
    const labels = this.#state.review.project.schema.span_labels.map((l) => {
      const line = el("span", { className: "legend-line" });
      line.style.setProperty("--c", l.color); // through the CSSOM: the page's CSP allows no style attributes
      return el("span", { className: "legend-label" }, line, l.name);
    });
    const marks = Object.entries(MARK_NAMES).map(([kind, name]) =>
      el("span", { className: "legend-mark" }, el("span", { className: "mark-symbol", dataset: { agreement: kind } }, MARKS[kind]), ` ${name}`),
    );
    legend.replaceChildren(...labels, el("br"), ...marks, " — struck through: rejected; shaded: accepted. Hover a span for who marked it.");
  }

  drawItems() {
    const state = this.#state;
    const list = document.createDocumentFragment();
    for (const item of state.items) {
      const agreement =
        item.kind === "gold"
          ? el("span", { className: "badge ag-reviewer" }, goldOrigin(item.gold))
          : [
              el("span", { className: `badge ag-${item.candidate.agreement}` }, agreementBadge(item.candidate)),
              " ",
              describeAgreement(item.candidate, state.review.submitted),
            ];
      // A gold span may lack a required attribute (imported from a tool without it, or made
      // required later): Mark reviewed asks for it, so the list says so.
      const inGold = item.kind === "gold" ? item.gold : item.candidate.gold_span ? goldSpan(state.review, item.candidate.gold_span) : null;
      const missing = inGold ? missingAttributes(state.review.project.schema, inGold.label, inGold.attrs) : [];
      const li = el(
        "li",
        {
          className: `item ${itemClass(item)}${item.key === state.selected ? " is-selected" : ""}`,
          dataset: { item: item.key },
          "aria-current": item.key === state.selected ? "true" : null,
        },
        el("span", { className: "item-label" }, item.label),
        " ",
        el("span", { className: "item-text" }, `“${excerpt(itemText(item), 60)}”`),
        el(
          "div",
          { className: "item-meta small" },
          agreement,
          " ",
          statusBadge(item.status),
          missing.length ? " " : "",
          missing.length ? el("span", { className: "missing" }, `needs ${missing.map((a) => a.name).join(", ")}`) : "",
        ),
      );
      list.append(li);
    }
    this.#ui.items.replaceChildren(list);
    if (!state.items.length) this.#ui.items.append(el("li", { className: "empty" }, "No spans to review."));
  }

  /** The label and attribute controls for a gold span labelled `label` holding `attrs`. */
  #attributeControls(label, attrs) {
    const definition = spanLabel(this.#state.review.project.schema, label);
    const box = el("div", { className: "attr-controls" });
    for (const attribute of definition ? definition.attributes : []) {
      const id = `attr-${attribute.name}`;
      const value = attrs ? attrs[attribute.name] : undefined;
      const dataset = { attr: attribute.name, kind: attribute.type };
      const control = attributeControl(attribute, { id, value, dataset, options: this.#goldOptions(attribute) });
      box.append(el("label", { for: id }, attribute.name, attribute.required ? " *" : ""), control);
    }
    return box;
  }

  /** The gold spans a span attribute may name, as <select> options. */
  #goldOptions(attribute) {
    if (attribute.type !== "span") return undefined;
    const gold = this.#state.review.gold;
    return (gold ? gold.spans : []).filter((s) => fitsSpanAttribute(attribute, s.label)).map((s) => [String(s.id), this.#goldLabel(s.id)]);
  }

  #versions(c) {
    const state = this.#state;
    const versions = el("ol", { className: "versions" });
    c.versions.forEach((v, i) => {
      const chosen = i === chosenIndex(c, state.version);
      versions.append(
        el(
          "li",
          { className: `version${chosen ? " is-chosen" : ""}`, dataset: { version: i } },
          el("div", {}, el("strong", {}, v.annotators.join(", ")), ` [${v.start}, ${v.end})`),
          el("div", { className: "version-text" }, `“${excerpt(v.text, 200)}”`),
          el("div", { className: "small muted" }, v.label, " · ", attributesText(v.attrs, speakerNamed)),
          el(
            "button",
            { type: "button", dataset: { action: "accept", span: v.spans[0] } },
            c.versions.length > 1 ? "Accept this version" : "Accept",
            chosen ? " " : "",
            chosen ? el("kbd", {}, "a") : "",
          ),
        ),
      );
    });
    return versions;
  }

  drawDetail() {
    const state = this.#state;
    const item = currentItem(state);
    if (!item) {
      this.#ui.detail.replaceChildren(el("p", { className: "hint" }, "Select a span in the text or the list (j / k: next / previous disagreement)."));
      return;
    }
    const box = el("div", { className: "detail", dataset: { item: item.key } });
    box.append(el("h2", {}, item.label, " ", statusBadge(item.status)));
    if (item.kind === "candidate") {
      const c = item.candidate;
      box.append(el("p", { className: "agreement" }, el("span", { className: `badge ag-${c.agreement}` }, agreementBadge(c)), " ", describeAgreement(c, state.review.submitted)));
      box.append(this.#versions(c));
      if (c.versions.length > 1) box.append(el("p", { className: "hint" }, el("kbd", {}, "v"), " picks the version ", el("kbd", {}, "a"), " accepts."));
      box.append(el("button", { type: "button", className: "danger", dataset: { action: "reject", span: c.versions[0].spans[0] } }, "Reject ", el("kbd", {}, "r")));
    }
    const span = target(state, item);
    const gold = item.kind === "gold" ? item.gold : item.candidate.gold_span ? goldSpan(state.review, item.candidate.gold_span) : null;
    const edit = el("div", { className: "gold-edit" });
    const range = state.draft || span;
    const markedBy = gold && (gold.agreed_by.length ? ` marked by ${gold.agreed_by.join(", ")}` : " marked by no annotator exactly so");
    edit.append(
      el("h3", {}, gold ? "In gold" : "Edit before accepting"),
      gold ? el("p", { className: "small" }, el("span", { className: `badge prov-${gold.provenance}` }, PROVENANCE_LABELS[gold.provenance] || "no provenance"), markedBy) : "",
      el("p", { className: "boundaries", dataset: { hook: "boundaries" } }, this.boundariesText(range)),
      el(
        "div",
        { className: "nudges", role: "group", "aria-label": "Boundaries" },
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
      el("div", { className: "field" }, el("label", { for: "gold-label" }, "Label"), labelSelect),
      state.pending ? el("p", { className: "hint", role: "alert" }, `Set the required attributes to make this a ${label}.`) : "",
      this.#attributeControls(label, attrs),
    );
    if (gold) {
      edit.append(el("button", { type: "button", dataset: { action: "remove-gold", span: gold.id } }, "Remove from gold"));
    }
    box.append(edit);
    this.#ui.detail.replaceChildren(box);
  }

  boundariesText(range, note = "") {
    const state = this.#state;
    const u = spanToUtf16(state.index, range);
    return `[${range.start}, ${range.end}) “${excerpt(state.review.article.text.slice(u.start, u.end), 200)}”${note}`;
  }

  /** Show nudged boundaries that are not saved yet. */
  showDraft() {
    this.drawText();
    const shown = this.#ui.detail.querySelector('[data-hook="boundaries"]');
    if (shown) shown.textContent = this.boundariesText(this.#state.draft, " (saving…)");
  }

  /** Scroll the selected relation's row into view. */
  revealRelation(key) {
    const row = this.#ui.relations.querySelector(`[data-relation="${key}"]`);
    if (row) row.scrollIntoView({ block: "nearest" });
    const end = this.#ui.text.querySelector(".seg.is-selected"); // its first end in the text
    if (end) end.scrollIntoView({ block: "nearest" });
  }

  /** Scroll the selected item into view, in the text and in the list. */
  reveal(key) {
    const mark = this.#ui.text.querySelector(".seg.is-selected");
    const panel = this.#ui.detail.closest(".review-panel");
    if (panel && matchMedia("(max-width: 1000px)").matches) {
      // The panel is a drawer over the bottom of the screen (app.css): the span goes to the
      // middle of what is left above it, and the drawer shows its detail, at the top.
      if (mark) mark.scrollIntoView({ block: "center" });
      panel.scrollTop = 0;
      return;
    }
    if (mark) mark.scrollIntoView({ block: "nearest" });
    const row = this.#ui.items.querySelector(`[data-item="${key}"]`);
    if (row) row.scrollIntoView({ block: "nearest" });
  }

  #describeEnd(key) {
    const item = this.#state.items.find((i) => i.key === key);
    if (!item) return key;
    return `${item.label} “${excerpt(itemText(item), 30)}”`;
  }

  #goldLabel(id) {
    const span = goldSpan(this.#state.review, id);
    return span ? `${span.label} “${excerpt(span.text, 30)}”` : `span ${id}`;
  }

  /** A control for one attribute of a gold relation (attributed_to's cue: a gold span). */
  #goldRelationField(rel, attribute) {
    const id = `gold-rel-${rel.id}-${attribute.name}`;
    const dataset = { goldRelation: rel.id, goldRelationAttr: attribute.name, kind: attribute.type };
    const control = attributeControl(attribute, { id, value: rel.attrs[attribute.name], dataset, options: this.#goldOptions(attribute) });
    return el("span", { className: "gold-relation-attr" }, el("label", { for: id }, attribute.name), " ", control);
  }

  drawRelations() {
    const r = this.#state.review;
    const list = document.createDocumentFragment();
    for (const rc of r.relation_candidates) {
      const top = rc.versions[0];
      const chosen = rc.key === this.#state.relation;
      list.append(
        el(
          "li",
          {
            className: `rel it-${rc.status} ag-${rc.agreement}${chosen ? " is-selected" : ""}`,
            dataset: { relation: rc.key },
            "aria-current": chosen ? "true" : null,
          },
          el("div", {}, this.#describeEnd(rc.from), " → ", el("strong", {}, rc.label), " → ", this.#describeEnd(rc.to)),
          el(
            "div",
            { className: "small" },
            el("span", { className: `badge ag-${rc.agreement}` }, rc.agreement === "unanimous" ? "all agree" : rc.agreement),
            " ",
            rc.versions.map((v) => v.annotators.join(", ")).join(" vs "),
            " ",
            statusBadge(rc.status),
          ),
          el("button", { type: "button", dataset: { action: "accept-relation", relation: top.relations[0] } }, "Accept", chosen ? " " : "", chosen ? el("kbd", {}, "a") : ""),
          " ",
          el("button", { type: "button", className: "danger", dataset: { action: "reject-relation", relation: top.relations[0] } }, "Reject", chosen ? " " : "", chosen ? el("kbd", {}, "x") : ""),
        ),
      );
    }
    if (!r.relation_candidates.length) list.append(el("li", { className: "empty" }, "The annotators drew no relations."));
    this.#ui.relations.replaceChildren(list);
    this.#ui.goldRelations.replaceChildren(this.#goldRelations());
  }

  #goldRelations() {
    const r = this.#state.review;
    const gold = el("div");
    const ul = el("ul", { className: "gold-relations" });
    for (const rel of r.gold ? r.gold.relations : []) {
      const fields = (relationType(r.project.schema, rel.label)?.attributes || []).map((attribute) => this.#goldRelationField(rel, attribute));
      const remove = el("button", { type: "button", className: "link", dataset: { action: "remove-gold-relation", relation: rel.id } }, "Remove");
      ul.append(el("li", {}, this.#goldLabel(rel.from), " → ", el("strong", {}, rel.label), " → ", this.#goldLabel(rel.to), " ", ...fields, " ", remove));
    }
    gold.append(ul);
    const spans = r.gold ? r.gold.spans : [];
    if (spans.length < 2) return gold;
    const from = el("select", { id: "rel-from", dataset: { field: "rel-from" } });
    const to = el("select", { id: "rel-to", dataset: { field: "rel-to" } });
    for (const s of spans) {
      from.append(el("option", { value: s.id }, this.#goldLabel(s.id)));
      to.append(el("option", { value: s.id }, this.#goldLabel(s.id)));
    }
    const type = el("select", { id: "rel-type", dataset: { field: "rel-type" } });
    for (const t of r.project.schema.relations) type.append(el("option", { value: t.name }, t.name));
    gold.append(
      el(
        "form",
        { className: "add-relation", dataset: { form: "add-relation" } },
        el("label", { for: "rel-from" }, "From"),
        from,
        el("label", { for: "rel-type" }, "relation"),
        type,
        el("label", { for: "rel-to" }, "to"),
        to,
        el("button", { type: "submit" }, "Link in gold"),
      ),
    );
    return gold;
  }

  /** Show (or, with null, hide) the bar that adds the selected text to gold. */
  showAddBar(span) {
    const ui = this.#ui;
    this.#state.selection = span;
    ui.addBar.hidden = !span;
    if (!span) return;
    ui.addText.textContent = `“${excerpt(span.text, 80)}” [${span.start}, ${span.end})`;
    if (!ui.addLabel.options.length) {
      for (const l of this.#state.review.project.schema.span_labels) {
        ui.addLabel.append(el("option", { value: l.name }, l.hotkey ? `${l.name} (${l.hotkey})` : l.name));
      }
    }
  }

  #offsetOf(node, offset) {
    const text = this.#ui.text;
    if (node === text) {
      const child = text.childNodes[offset];
      return child ? Number(child.dataset.u16) : this.#state.review.article.text.length;
    }
    const seg = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    if (!seg || !seg.dataset || seg.dataset.u16 === undefined) return null;
    return Number(seg.dataset.u16) + (node.nodeType === Node.TEXT_NODE ? offset : 0);
  }

  /** The text selected in the article as a span {start, end, text} (code points), or null. */
  readSelection() {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return null;
    const range = selection.getRangeAt(0);
    const text = this.#ui.text;
    if (!text.contains(range.startContainer) || !text.contains(range.endContainer)) return null;
    const start = this.#offsetOf(range.startContainer, range.startOffset);
    const end = this.#offsetOf(range.endContainer, range.endOffset);
    if (start === null || end === null || start >= end) return null;
    return selectionToSpan(this.#state.index, this.#state.review.article.text, start, end);
  }
}
