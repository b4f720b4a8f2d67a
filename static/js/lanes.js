// Lanes for overlapping spans: each span is drawn as an underline at a fixed depth ("lane")
// below the text, and two spans that share a character never share a lane, so nested and
// overlapping spans stay visible and clickable one by one.
//
// Spans here are {key, start, end} with code-point offsets, half-open. Pure functions: no DOM.

/** Text order: by start, longer first (the outer span before the nested one), then key. */
export function compareSpans(a, b) {
  return a.start - b.start || b.end - a.end || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

export function overlaps(a, b) {
  return a.start < b.end && b.start < a.end;
}

/**
 * A lane for every span: Map key → lane (0 = right under the text).
 *
 * Greedy interval partitioning in text order, which uses as many lanes as the deepest point of
 * overlap needs and no more; an outer span gets a lower lane than the spans nested in it.
 */
export function assignLanes(spans) {
  const sorted = [...spans].sort(compareSpans);
  const laneEnds = [];
  const lanes = new Map();
  for (const span of sorted) {
    let lane = laneEnds.findIndex((end) => end <= span.start);
    if (lane === -1) {
      lane = laneEnds.length;
      laneEnds.push(span.end);
    } else {
      laneEnds[lane] = span.end;
    }
    lanes.set(span.key, lane);
  }
  return lanes;
}

/**
 * The lowest lane free for `span` given the lanes already handed out (Map key → lane) to
 * `others`. Used when one span is added, so that no other span moves.
 */
export function freeLane(span, others, lanes) {
  const taken = new Set();
  for (const other of others) {
    if (other.key !== span.key && overlaps(span, other) && lanes.has(other.key)) {
      taken.add(lanes.get(other.key));
    }
  }
  let lane = 0;
  while (taken.has(lane)) lane++;
  return lane;
}

/** Number of lanes in use (highest lane + 1), 0 for none. */
export function laneCount(lanes) {
  let max = -1;
  for (const lane of lanes.values()) if (lane > max) max = lane;
  return max + 1;
}

/**
 * Position at which `item` goes into `sorted` (kept in `compare` order) — binary search, so
 * adding one span to a list of thousands stays cheap.
 */
export function insertionIndex(sorted, item, compare = compareSpans) {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(sorted[mid], item) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
