// Span boundaries in the workspace: a mouse selection snaps to whole words (Alt+drag keeps the
// exact characters), and the selected span's start or end moves by a word or a character from
// the keyboard. The rules are boundaries.js's, shared with the review page; offsets are
// converted only by offsets.js.

import { nudge, snapToWords } from "../boundaries.js";
import { quoted } from "../format.js";
import { spanToUtf16 } from "../offsets.js";

/**
 * Widen the page's text selection to whole words, keeping the direction it was made in (so
 * Shift+arrows go on from the same end). Nothing happens when nothing, or something outside the
 * text, is selected. Returns true when the selection changed.
 */
export function snapSelectionToWords(view, text) {
  const range = view.selectedRange();
  if (!range) return false;
  const snapped = snapToWords(text, range.start, range.end);
  if (snapped.start === range.start && snapped.end === range.end) return false;
  const selection = getSelection();
  const node = view.textNode;
  const backwards =
    selection.anchorNode === node && selection.focusNode === node && selection.anchorOffset > selection.focusOffset;
  if (backwards) selection.setBaseAndExtent(node, snapped.end, node, snapped.start);
  else selection.setBaseAndExtent(node, snapped.start, node, snapped.end);
  return true;
}

/**
 * Move the `edge` ("start" or "end") of the span `key` one `unit` ("word" or "character") in
 * `direction` (-1 left, 1 right), saved like any edit (sync.updateSpan: queued, versioned,
 * undoable). Says why when it cannot move. `index` is the text's OffsetIndex.
 */
export function nudgeSpan({ store, sync, index, text, say }, key, edge, direction, unit) {
  const span = store.span(key);
  if (!span) return;
  const moved = nudge(text, spanToUtf16(index, span), edge, direction, unit);
  if (!moved) {
    say(`The ${edge} of ${quoted(span)} cannot move further that way.`, { error: true });
    return;
  }
  const start = index.toCodePoint(moved.start);
  const end = index.toCodePoint(moved.end, { side: "end" });
  const same = store.findSame(span.label, start, end);
  if (same && same.key !== key) {
    say(`There is already a ${span.label} on exactly that text.`, { error: true });
    return;
  }
  sync.updateSpan(key, { start, end, text: text.slice(moved.start, moved.end) });
  say(`${quoted(store.span(key))} — its ${edge} moved by a ${unit}.`, { span: key });
}
