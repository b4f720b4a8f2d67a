// A quote's quote_type from its quotation marks, as the server infers it on import
// (labels/interop/quotations.py; both are tested against static/js/tests/quotation_cases.json):
// - direct: the span is one quotation (it opens with a mark and closes with the matching one),
//   or the inside of one whose marks stand just outside it;
// - mixed: it contains a quotation but is more than one ("He called the plan “dead on arrival”");
// - indirect: no quotation in or around it.
// Offsets here are UTF-16 (JavaScript string) positions; the marks are all one unit long or two
// apostrophes, so the rule is the same as the server's over code points.

export const DIRECT = "direct";
export const INDIRECT = "indirect";
export const MIXED = "mixed";

// Opening mark -> the marks that close it. Longer marks first: '' is one mark, not two.
const PAIRS = new Map([
  ["''", ["''"]],
  ["“", ["”"]],
  ["„", ["“", "”"]],
  ["«", ["»"]],
  ["»", ["«"]],
  ["‘", ["’"]],
  ["‚", ["‘", "’"]],
  ["‹", ["›"]],
  ["「", ["」"]],
  ["『", ["』"]],
  ['"', ['"']],
  ["'", ["'"]],
]);
const byLength = (a, b) => b.length - a.length;
const OPENERS = [...PAIRS.keys()].sort(byLength);
const CLOSERS = [...new Set([...PAIRS.values()].flat())].sort(byLength);
// Marks that also serve as apostrophes or as their own closing mark: they open only where a
// word starts and close only where one ends.
const AMBIGUOUS = new Set(["'", "''", '"', "’", "‘"]);
const SPACE = " \t\n\u00a0\u202f\u2009";
const TRAILING = ".,;:!?…";
const ALNUM = /[\p{L}\p{N}]/u;

/**
 * "direct", "mixed" or "indirect" for the span text.slice(start, end) (UTF-16 offsets); the
 * text around the span decides whether a span without marks of its own is inside a quotation.
 */
export function inferQuoteType(text, start, end) {
  while (start < end && SPACE.includes(text[start])) start++;
  while (end > start && SPACE.includes(text[end - 1])) end--;
  const span = text.slice(start, end);
  if (!span) return INDIRECT;
  if (isOneQuotation(span) || isInsideQuotation(text, start, end)) return DIRECT;
  if (containsQuotation(span)) return MIXED;
  return INDIRECT;
}

const markAt = (text, i, marks) => marks.find((m) => text.startsWith(m, i)) ?? null;
const isAlnum = (c) => c !== undefined && ALNUM.test(c);
const wordBefore = (text, i) => i > 0 && isAlnum(text[i - 1]);
const wordAfter = (text, i) => i < text.length && isAlnum(text[i]);
const wordAfterSpace = (text, i) => i < text.length && !SPACE.includes(text[i]);

function opens(text, i, mark) {
  if (AMBIGUOUS.has(mark)) return !wordBefore(text, i) && wordAfterSpace(text, i + mark.length);
  return true;
}

function closes(text, i, mark) {
  if (AMBIGUOUS.has(mark)) return !wordAfter(text, i + mark.length) && i > 0 && !SPACE.includes(text[i - 1]);
  return true;
}

/** [position, length] of the first mark from `start` on that closes `opener`, or null. */
function closingAt(text, opener, start) {
  const closers = CLOSERS.filter((c) => PAIRS.get(opener).includes(c));
  for (let i = start; i < text.length; i++) {
    const mark = markAt(text, i, closers);
    if (mark !== null && closes(text, i, mark)) return [i, mark.length];
  }
  return null;
}

function isOneQuotation(span) {
  const opener = markAt(span, 0, OPENERS);
  if (opener === null || !opens(span, 0, opener)) return false;
  const closing = closingAt(span, opener, opener.length);
  if (closing === null) return false;
  const [position, length] = closing;
  const rest = span.slice(position + length);
  return position > opener.length && [...rest].every((c) => TRAILING.includes(c));
}

function isInsideQuotation(text, start, end) {
  let before = start;
  while (before > 0 && SPACE.includes(text[before - 1])) before--;
  const opener = OPENERS.find((m) => before >= m.length && text.startsWith(m, before - m.length)) ?? null;
  if (opener === null || !opens(text, before - opener.length, opener)) return false;
  let after = end;
  // A full stop or comma the writer put inside the marks: “We will win,” he said.
  while (after < text.length && (SPACE.includes(text[after]) || TRAILING.includes(text[after]))) after++;
  const mark = markAt(text, after, CLOSERS.filter((c) => PAIRS.get(opener).includes(c)));
  if (mark === null || !closes(text, after, mark)) return false;
  return closingAt(text.slice(0, end), opener, start) === null;
}

function containsQuotation(span) {
  let i = 0;
  while (i < span.length) {
    const opener = markAt(span, i, OPENERS);
    if (opener !== null && opens(span, i, opener)) {
      const closing = closingAt(span, opener, i + opener.length);
      if (closing !== null && closing[0] > i + opener.length) return true;
      i += opener.length;
      continue;
    }
    i++;
  }
  return false;
}
