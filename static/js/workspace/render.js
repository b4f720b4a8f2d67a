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
// The bars sit in bands of the overlay, one per CHUNK_PX of its height (plain positioned boxes
// covering it, so a bar's place and stacking are as if it were the overlay's own child): a
// change lays out its band's few dozen boxes, where one overlay holding every bar, ghost box
// and label — 5,000 on a long article with its suggestions — made each change's layout take
// 13-18 ms instead of about 1 (measured in Chromium on the bench's article).

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

const CHUNK_PX = 400; // px of the overlay's height per band of bars

const HALO = 3; // px of white stroke around an arc's label (app.css .arc-label)

const TRACK_STEP = 4; // px between two arcs running along the same gap
const END_STEP = 9; // px between two arc ends on one span: more than an arrowhead is wide
const ARROW = 7; // px: the arrowhead's length and width

function arrowDefs() {
  const defs = document.createElementNS(SVG, "defs");
  const marker = document.createElementNS(SVG, "marker");
  const size = String(ARROW);
  for (const [k, v] of Object.entries({ id: "arrow", viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: size, markerHeight: size, markerUnits: "userSpaceOnUse", orient: "auto-start-reverse" })) {
    marker.setAttribute(k, v);
  }
  const tip = document.createElementNS(SVG, "path");
  tip.setAttribute("d", "M 0 0 L 10 5 L 0 10 z");
  marker.append(tip);
  defs.append(marker);
  return defs;
}

/** An SVG path through `points` ([x, y] each) with its corners rounded off. */
export function roundedPath(points, radius = 4) {
  let d = `M ${points[0][0]} ${points[0][1]}`;
  for (let i = 1; i < points.length - 1; i++) {
    const [px, py] = points[i - 1];
    const [x, y] = points[i];
    const [nx, ny] = points[i + 1];
    const inLength = Math.hypot(x - px, y - py) || 1;
    const outLength = Math.hypot(nx - x, ny - y) || 1;
    const r = Math.min(radius, inLength / 2, outLength / 2);
    const [ax, ay] = [x - ((x - px) / inLength) * r, y - ((y - py) / inLength) * r];
    const [bx, by] = [x + ((nx - x) / outLength) * r, y + ((ny - y) / outLength) * r];
    d += ` L ${ax} ${ay} Q ${x} ${y} ${bx} ${by}`;
  }
  const [lx, ly] = points.at(-1);
  return `${d} L ${lx} ${ly}`;
}

/**
 * Where each arc leaves and meets its spans (x1, x2 on every arc): the ends on one span spread
 * along it in the order of where their other ends are, and on one line at least END_STEP apart,
 * so that arrowheads never overlap.
 */
export function spreadEnds(arcs) {
  const ends = new Map(); // span's rect → [{arc, which, other}]
  const add = (rect, arc, which, other) => {
    if (!ends.has(rect)) ends.set(rect, []);
    ends.get(rect).push({ arc, which, other });
  };
  for (const arc of arcs) {
    add(arc.from, arc, "x1", arc.to.x);
    add(arc.to, arc, "x2", arc.from.x);
  }
  const byLine = new Map(); // rounded y → [{x, arc, which}]
  for (const [r, list] of ends) {
    list.sort((a, b) => a.other - b.other);
    const n = list.length;
    const fits = r.w >= 12 + (n - 1) * END_STEP;
    list.forEach((end, i) => {
      const x = fits ? r.x + 6 + i * END_STEP : r.x + r.w / 2 + (i - (n - 1) / 2) * END_STEP;
      const line = Math.round(r.y);
      if (!byLine.has(line)) byLine.set(line, []);
      byLine.get(line).push({ x, end });
    });
  }
  for (const list of byLine.values()) {
    list.sort((a, b) => a.x - b.x);
    let last = -Infinity;
    for (const item of list) {
      item.x = Math.max(item.x, last + END_STEP);
      last = item.x;
      item.end.arc[item.end.which] = item.x;
    }
  }
}

/**
 * The x nearest to `x` (within [min, max] where possible) at which a label `width` × `height`
 * centred at (x, y) overlaps none of the `placed` ones ([left, right, top, bottom] each).
 */
export function freeSpot(placed, x, y, width, height, [min, max]) {
  const clashes = (at) =>
    placed.some(([l, r, t, b]) => at - width / 2 < r && at + width / 2 > l && y - height / 2 < b && y + height / 2 > t);
  const hi = Math.max(min, max);
  const at0 = Math.min(Math.max(x, min), hi);
  for (let step = 0; step < 400; step++) {
    const at = at0 + Math.ceil(step / 2) * 6 * (step % 2 ? -1 : 1);
    if (at >= min && at <= hi && !clashes(at)) return at;
  }
  return at0;
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
  #bands = new Map(); // band number (top / CHUNK_PX) → its element in the overlay
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

  /** The band that holds marks whose top is at `y` px; a missing one is made and appended to
   * `parent` (the overlay, or the fragment renderAll fills). */
  #band(y, parent) {
    const n = Math.max(0, Math.floor(y / CHUNK_PX));
    let band = this.#bands.get(n);
    if (!band) {
      band = document.createElement("div");
      band.className = "bars";
      band.style.cssText = "position: absolute; inset: 0;";
      this.#bands.set(n, band);
      parent.append(band);
    }
    return band;
  }

  /** Put `marks` (bars, ghost boxes and names, their style.top set) in their bands. */
  #place(marks, parent = this.#overlay) {
    for (const mark of marks) this.#band(parseFloat(mark.style.top) || 0, parent).append(mark);
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
    this.#bands.clear();
    spans.forEach((span, i) => {
      const bars = this.#makeBars(span, measured[i], this.#lanes.get(span.key));
      this.#bars.set(span.key, bars);
      this.#rects.set(span.key, measured[i]);
      this.#place(bars, fragment);
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
    this.#place(bars);
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

  /**
   * Draw relations as arcs that run in the gaps between the lines, never across the text: from
   * the top of one span up into the gap above its line, along the gap, and down onto the other
   * span, its arrowhead pointing at it. Between spans on different lines the arc goes down the
   * page in the margin beside the text. Arcs along the same gap take different tracks, and the
   * ends meeting one span are spread along it, so no two arrowheads fall on each other.
   */
  drawArcs(relations) {
    const arcs = this.#arcs;
    arcs.replaceChildren();
    if (relations.length === 0) return;
    arcs.append(arrowDefs());
    const drawn = relations
      .map((relation) => ({
        relation,
        from: (this.#rects.get(relation.from) || [])[0],
        to: (this.#rects.get(relation.to) || [])[0],
      }))
      .filter((arc) => arc.from && arc.to);
    const pitch = parseFloat(getComputedStyle(this.#textEl).lineHeight) || 0;
    const laneSpace = FIRST_LANE + this.#capacity * LANE_STEP + 1;
    // The gap above a line: from under the lanes of the line before to the tops of its glyphs.
    const gapOf = (r) => ({ top: r.y + r.h - pitch + laneSpace, bottom: r.y - 1 });
    spreadEnds(drawn);
    const textBox = this.#textEl.getBoundingClientRect();
    const origin = this.#overlay.getBoundingClientRect();
    const left = textBox.left - origin.left; // the text column within the overlay
    const right = textBox.right - origin.left;
    const tracks = new Map(); // gap (rounded top) → [[from x, to x, track]] taken
    const track = (gap, a, b) => {
      const key = Math.round(gap.bottom);
      const taken = tracks.get(key) || [];
      tracks.set(key, taken);
      const [lo, hi] = a < b ? [a, b] : [b, a];
      let k = 0;
      while (taken.some(([l, h, t]) => t === k && lo < h + 4 && hi > l - 4)) k++;
      taken.push([lo, hi, k]);
      const room = Math.max(0, Math.floor((gap.bottom - gap.top - 8) / TRACK_STEP));
      return gap.bottom - 5 - Math.min(k, room) * TRACK_STEP;
    };
    const margins = { left: 0, right: 0 }; // vertical runs already in each margin
    // [left, right, top, bottom] of the labels drawn so far, by gap: labels stay inside their
    // gap, so only those of the same gap can clash (and a long article's many stay cheap).
    const placedIn = new Map();
    for (const arc of drawn) {
      const { from, to, x1, x2 } = arc;
      const y1 = from.y - 1;
      const y2 = to.y - 1;
      let d;
      let run; // the horizontal stretch that carries the label: [x from, x to, y]
      if (Math.abs(from.y - to.y) < 2) {
        const gap = gapOf(from);
        const t = track(gap, x1, x2);
        d = roundedPath([[x1, y1], [x1, t], [x2, t], [x2, y2]]);
        run = [x1, x2, t, gap];
      } else {
        const side = x1 + x2 - 2 * left <= 2 * right - x1 - x2 ? "left" : "right";
        const room = side === "left" ? left : this.#overlay.clientWidth - right;
        const n = margins[side]++;
        const step = Math.max(2, Math.min(4, (room - 8) / 6));
        const mx = side === "left" ? left - 6 - (n % 6) * step : right + 6 + (n % 6) * step;
        const [g1, g2] = [gapOf(from), gapOf(to)];
        const t1 = track(g1, x1, mx);
        const t2 = track(g2, mx, x2);
        d = roundedPath([[x1, y1], [x1, t1], [mx, t1], [mx, t2], [x2, t2], [x2, y2]]);
        run = from.y < to.y ? [x1, mx, t1, g1] : [mx, x2, t2, g2];
      }
      const path = document.createElementNS(SVG, "path");
      path.setAttribute("d", d);
      path.setAttribute("class", "arc");
      path.setAttribute("marker-end", "url(#arrow)");
      path.dataset.relation = arc.relation.key ?? "";
      const label = document.createElementNS(SVG, "text");
      label.setAttribute("class", "arc-label");
      label.setAttribute("text-anchor", "middle");
      label.setAttribute("dominant-baseline", "central");
      label.textContent = arc.relation.label;
      arcs.append(path, label);
      // The text's size, before it is placed, and its white halo (app.css: a 3px stroke).
      const box = label.getBBox();
      const width = box.width + 2 * HALO + 4; // and a little air between two names
      const height = box.height;
      const [a, b, along, gap] = run;
      // On its arc, but inside the gap: a label never covers the text.
      const y = Math.max(Math.min(along, gap.bottom - height / 2), Math.min(gap.top + height / 2, (gap.top + gap.bottom) / 2));
      const key = Math.round(gap.bottom);
      if (!placedIn.has(key)) placedIn.set(key, []);
      const placed = placedIn.get(key);
      const x = freeSpot(placed, (a + b) / 2, y, width, height, [left + width / 2, right - width / 2]);
      label.setAttribute("x", String(x));
      label.setAttribute("y", String(y));
      placed.push([x - width / 2, x + width / 2, y - height / 2, y + height / 2]);
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
