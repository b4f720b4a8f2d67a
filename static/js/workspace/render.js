// Drawing spans over the article text.
//
// The text is one text node, laid out by the browser (white-space: pre-wrap) and never touched
// again. Spans are drawn in an overlay on top of it: one thin bar per line fragment of a span,
// under the text, at the span's lane (lanes.js), so nested and overlapping spans each have a
// bar of their own to see and click. Bars carry the label's colour *and* a per-label pattern,
// and the selected span gets a chip with its label name.
//
// Performance: rendering everything reads the geometry of all spans first (Range
// getClientRects, one layout for all) and only then writes the bars, in one fragment; adding a
// span measures that span alone and appends its bars. The line height leaves room for the
// lanes in use; only when a new span needs a deeper lane is everything laid out again.

import { excerpt } from "../format.js";
import { assignLanes, freeLane, laneCount } from "../lanes.js";
import { spanToUtf16 } from "../offsets.js";

const SVG = "http://www.w3.org/2000/svg";
const LANE_STEP = 4; // px: a 3px bar and a 1px gap
const FIRST_LANE = 1; // px between the glyphs and the first bar
const MIN_LANES = 1;
const SPARE_LANES = 1; // room for one more level of nesting before everything moves
const PATTERNS = 5;
const LABEL_CLASSES = 12; // app.css colours .lab-0 … .lab-11 from --label-N on the document

const HALO = 3; // px of white stroke around an arc's label (app.css .arc-label)

/**
 * The baseline nearest to `y` (alternately above and below, not moved past the top) at which a
 * label `height` high spanning [left, right] overlaps none of the `placed` ones ([left, right,
 * y] each): two arcs whose tops meet would otherwise print their names on top of each other.
 */
export function freeLine(placed, left, right, y, height) {
  const clashes = (at) =>
    placed.some(([l, r, py]) => Math.abs(py - at) < height && left < r && right > l);
  for (let step = 0; step < 40; step++) {
    const at = y + Math.ceil(step / 2) * height * (step % 2 ? -1 : 1);
    if ((step === 0 || at >= height / 2) && !clashes(at)) return at;
  }
  return y;
}

export class DocView {
  #doc;
  #textEl;
  #overlay;
  #arcs;
  #text;
  #index;
  #styleOf;
  #node = null;
  #range = document.createRange();
  #lanes = new Map();
  #bars = new Map(); // key → [bar elements]
  #rects = new Map(); // key → [{x, y, w, h}] in overlay coordinates
  #capacity = 0;
  #decor = []; // tints and chips of the selected / highlighted spans
  #classed = new Map(); // class name → Set of keys carrying it
  #spans = () => [];

  /**
   * doc: the positioned element holding textEl (the text) and overlay (the bars);
   * arcs: an <svg> over both for relation arcs; index: OffsetIndex of `text`;
   * styleOf(label) → {color, pattern}; spans() → the current spans in text order.
   */
  constructor({ doc, textEl, overlay, arcs, text, index, styleOf, spans }) {
    this.#doc = doc;
    this.#textEl = textEl;
    this.#overlay = overlay;
    this.#arcs = arcs;
    this.#text = text;
    this.#index = index;
    this.#styleOf = styleOf;
    this.#spans = spans;
  }

  get textNode() {
    return this.#node;
  }

  /** UTF-16 [start, end) of the DOM selection within the text, clamped to it; null if none. */
  selectedRange() {
    const selection = getSelection();
    if (!selection.rangeCount || selection.isCollapsed) return null;
    const range = selection.getRangeAt(0);
    const node = this.#node;
    const whole = document.createRange();
    whole.selectNodeContents(node);
    if (whole.comparePoint(range.endContainer, range.endOffset) < 0 || whole.comparePoint(range.startContainer, range.startOffset) > 0) {
      return null; // the selection does not touch the text
    }
    const length = this.#text.length;
    const clamp = (container, offset) => {
      if (container === node) return offset;
      const where = whole.comparePoint(container, offset);
      if (where < 0) return 0;
      if (where > 0) return length;
      return container.contains(node) && offset > 0 ? length : 0;
    };
    const start = clamp(range.startContainer, range.startOffset);
    const end = clamp(range.endContainer, range.endOffset);
    return start < end ? { start, end } : null;
  }

  /** Put the article text in the page: one text node, set once. */
  mount() {
    this.#node = document.createTextNode(this.#text);
    this.#textEl.replaceChildren(this.#node);
  }

  #setCapacity(lanes) {
    const capacity = Math.max(MIN_LANES, lanes + SPARE_LANES);
    if (capacity === this.#capacity) return false;
    this.#capacity = capacity;
    this.#doc.style.setProperty("--lane-space", `${FIRST_LANE + capacity * LANE_STEP + 1}px`);
    return true;
  }

  /** Client rects of a span, as {x, y, w, h} relative to `origin` (a DOMRect). Reads only. */
  #measure(span, origin) {
    const { start, end } = spanToUtf16(this.#index, span);
    this.#range.setStart(this.#node, start);
    this.#range.setEnd(this.#node, end);
    const out = [];
    for (const r of this.#range.getClientRects()) {
      if (r.width < 0.5) continue; // the empty box of a line break
      out.push({ x: r.left - origin.left, y: r.top - origin.top, w: r.width, h: r.height });
    }
    return out;
  }

  #makeBars(span, rects, lane) {
    const { color, pattern, index } = this.#styleOf(span.label);
    const title = `${span.label}: ${excerpt(span.text, 60)}`;
    const className =
      (index < LABEL_CLASSES ? `bar pat-${pattern % PATTERNS} lab-${index}` : `bar pat-${pattern % PATTERNS}`) +
      (span.ghost ? " ghost" : "");
    const bars = rects.map((r) => {
      const bar = document.createElement("div");
      bar.className = className;
      bar.dataset.key = span.key;
      bar.title = title;
      const s = bar.style;
      s.left = `${r.x}px`;
      s.top = `${r.y + r.h + FIRST_LANE + lane * LANE_STEP}px`;
      s.width = `${Math.max(r.w, 2)}px`;
      if (!(index < LABEL_CLASSES)) s.setProperty("--c", color);
      return bar;
    });
    if (span.ghost) bars.push(...ghostMarks(span, rects, color));
    for (const [name, keys] of this.#classed) {
      if (keys.has(span.key)) for (const bar of bars) bar.classList.add(name);
    }
    return bars;
  }

  /** Lay out every span from scratch (first render, resize, or a new deepest lane). */
  renderAll() {
    const spans = this.#spans();
    this.#lanes = assignLanes(spans);
    this.#setCapacity(laneCount(this.#lanes));
    const origin = this.#overlay.getBoundingClientRect(); // the one layout
    const measured = spans.map((span) => this.#measure(span, origin));
    const fragment = document.createDocumentFragment();
    this.#bars.clear();
    this.#rects.clear();
    spans.forEach((span, i) => {
      const bars = this.#makeBars(span, measured[i], this.#lanes.get(span.key));
      this.#bars.set(span.key, bars);
      this.#rects.set(span.key, measured[i]);
      fragment.append(...bars);
    });
    this.#overlay.replaceChildren(fragment);
    this.#redecorate();
  }

  /** Draw one new span without moving the others. */
  addSpan(span) {
    const lane = freeLane(span, this.#spans(), this.#lanes);
    if (lane >= this.#capacity) {
      this.renderAll(); // needs a taller line: everything moves
      return;
    }
    this.#lanes.set(span.key, lane);
    const rects = this.#measure(span, this.#overlay.getBoundingClientRect());
    const bars = this.#makeBars(span, rects, lane);
    this.#bars.set(span.key, bars);
    this.#rects.set(span.key, rects);
    this.#overlay.append(...bars);
  }

  removeSpan(key) {
    for (const bar of this.#bars.get(key) || []) bar.remove();
    this.#bars.delete(key);
    this.#rects.delete(key);
    this.#lanes.delete(key);
    for (const keys of this.#classed.values()) keys.delete(key);
  }

  /** A span's label changed: new colour, pattern and title, same place. */
  updateSpan(span) {
    const old = this.#bars.get(span.key);
    if (!old) return;
    const bars = this.#makeBars(span, this.#rects.get(span.key), this.#lanes.get(span.key));
    old.forEach((bar, i) => bar.replaceWith(bars[i]));
    this.#bars.set(span.key, bars);
    this.#redecorate();
  }

  /** Give exactly `keys` the CSS class `name` on their bars (selected, candidate, …). */
  setClass(name, keys) {
    const next = new Set(keys);
    const previous = this.#classed.get(name) || new Set();
    for (const key of previous) {
      if (!next.has(key)) for (const bar of this.#bars.get(key) || []) bar.classList.remove(name);
    }
    for (const key of next) {
      if (!previous.has(key)) for (const bar of this.#bars.get(key) || []) bar.classList.add(name);
    }
    this.#classed.set(name, next);
  }

  #emphasis = { tinted: [], chips: [] };

  /**
   * Tint the text of `tinted` spans and put a label chip on `chips` (keys). Replaces what
   * was emphasised before.
   */
  emphasise({ tinted = [], chips = [] }) {
    this.#emphasis = { tinted, chips };
    this.#redecorate();
  }

  #redecorate() {
    for (const el of this.#decor) el.remove();
    this.#decor = [];
    const fragment = document.createDocumentFragment();
    const spansByKey = new Map(this.#spans().map((s) => [s.key, s]));
    for (const key of new Set(this.#emphasis.tinted)) {
      const span = spansByKey.get(key);
      if (!span) continue;
      const { color } = this.#styleOf(span.label);
      for (const r of this.#rects.get(key) || []) {
        const tint = document.createElement("div");
        tint.className = "tint";
        Object.assign(tint.style, { left: `${r.x}px`, top: `${r.y}px`, width: `${r.w}px`, height: `${r.h}px` });
        tint.style.setProperty("--c", color);
        this.#decor.push(tint);
        fragment.append(tint);
      }
    }
    for (const key of new Set(this.#emphasis.chips)) {
      const span = spansByKey.get(key);
      const first = (this.#rects.get(key) || [])[0];
      if (!span || !first) continue;
      const chip = document.createElement("div");
      chip.className = "chip";
      chip.textContent = span.label;
      chip.style.left = `${first.x}px`;
      chip.style.top = `${first.y}px`;
      chip.style.setProperty("--c", this.#styleOf(span.label).color);
      this.#decor.push(chip);
      fragment.append(chip);
    }
    this.#overlay.prepend(fragment);
  }

  /** Draw relations as arcs from the start of one span to the start of the other. */
  drawArcs(relations) {
    const arcs = this.#arcs;
    arcs.replaceChildren();
    if (relations.length === 0) return;
    const defs = document.createElementNS(SVG, "defs");
    const marker = document.createElementNS(SVG, "marker");
    for (const [k, v] of Object.entries({ id: "arrow", viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" })) {
      marker.setAttribute(k, v);
    }
    const tip = document.createElementNS(SVG, "path");
    tip.setAttribute("d", "M 0 0 L 10 5 L 0 10 z");
    marker.append(tip);
    defs.append(marker);
    arcs.append(defs);
    const fanned = new Map(); // arcs already leaving each span: later ones rise higher
    const placed = []; // [left, right, y] of the labels drawn so far
    for (const relation of relations) {
      const from = (this.#rects.get(relation.from) || [])[0];
      const to = (this.#rects.get(relation.to) || [])[0];
      if (!from || !to) continue;
      const x1 = from.x + Math.min(from.w / 2, 10);
      const spot = `${Math.round(from.x)}:${Math.round(from.y)}`; // spans on the same words too
      const n = fanned.get(spot) || 0;
      fanned.set(spot, n + 1);
      const x2 = to.x + Math.min(to.w / 2, 10);
      const y1 = from.y + 2;
      const y2 = to.y + 2;
      const lift = 16 + 12 * n + Math.min(48, Math.abs(x2 - x1) / 8 + Math.abs(y2 - y1) / 6);
      const top = Math.max(4, Math.min(y1, y2) - lift);
      const path = document.createElementNS(SVG, "path");
      path.setAttribute("d", `M ${x1} ${y1} C ${x1} ${top}, ${x2} ${top}, ${x2} ${y2}`);
      path.setAttribute("class", "arc");
      path.setAttribute("marker-end", "url(#arrow)");
      const label = document.createElementNS(SVG, "text");
      const x = (x1 + x2) / 2;
      label.setAttribute("x", String(x));
      label.setAttribute("class", "arc-label");
      label.setAttribute("text-anchor", "middle");
      label.textContent = relation.label;
      arcs.append(path, label);
      // The text's size, before it is placed, and its white halo (app.css: a 3px stroke).
      const box = label.getBBox();
      const [left, right] = [x - box.width / 2 - HALO, x + box.width / 2 + HALO];
      const y = freeLine(placed, left, right, top + (Math.min(y1, y2) - top) * 0.25 - 2, box.height + 2 * HALO);
      label.setAttribute("y", String(y));
      placed.push([left, right, y]);
    }
  }

  /** Scroll so that the span is in view. */
  reveal(key) {
    const bar = (this.#bars.get(key) || [])[0];
    if (bar) bar.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  /**
   * The code-point offset of the character under the viewport point (x, y), or null when the
   * point is not over the text.
   */
  offsetAt(x, y) {
    let node = null;
    let offset = 0;
    if (document.caretPositionFromPoint) {
      const position = document.caretPositionFromPoint(x, y);
      if (position) ({ offsetNode: node, offset } = position);
    } else if (document.caretRangeFromPoint) {
      const range = document.caretRangeFromPoint(x, y);
      if (range) ({ startContainer: node, startOffset: offset } = range);
    }
    if (node !== this.#node) return null;
    // The caret lands on the boundary nearest to x: the character under the point is the one
    // after it or the one before it, whichever box holds the point.
    for (const u of [offset, offset - 1]) {
      if (u < 0 || u >= this.#text.length) continue;
      this.#range.setStart(this.#node, u);
      this.#range.setEnd(this.#node, u + 1);
      for (const r of this.#range.getClientRects()) {
        if (x >= r.left - 1 && x <= r.right + 1 && y >= r.top - 1 && y <= r.bottom + 1) {
          return this.#index.toCodePoint(u);
        }
      }
    }
    return null;
  }
}

/**
 * A suggestion (ghost span, suggestions_ui.js) is drawn with a dashed, unfilled box around its
 * text and its label name above it, besides its (hollow) bar in the lanes. Neither takes the
 * mouse: clicks and drags reach the text as before.
 */
function ghostMarks(span, rects, color) {
  const marks = rects.map((r) => {
    const box = document.createElement("div");
    box.className = "ghost-box";
    Object.assign(box.style, { left: `${r.x}px`, top: `${r.y}px`, width: `${r.w}px`, height: `${r.h}px` });
    box.style.setProperty("--c", color);
    return box;
  });
  if (rects.length) {
    const name = document.createElement("div");
    name.className = "ghost-label";
    name.textContent = span.label;
    name.style.left = `${rects[0].x}px`;
    name.style.top = `${rects[0].y}px`;
    name.style.setProperty("--c", color);
    marks.push(name);
  }
  return marks;
}
