// The fast path of an attribution marked by hand (docs/workspace.md, "Marking an attribution by
// hand"): a new Quote's quote_type is pre-filled from its quotation marks, and a new span that
// can be linked with the one marked just before it (a Source after its Quote, or a Quote after
// its Source) is offered the link — the relation the link dialog would choose first, with the
// cue nearest the pair — for one Enter. Pure functions over the schema, the store's spans
// (code-point offsets) and the article text; no DOM.

import { inferQuoteType } from "../quotations.js";
import { allowedRelations, fitsSpanAttribute, spanLabel } from "../schema.js";
import { nearestCue } from "./cues.js";

/** The attribute the quotation marks decide, and the values they decide between. */
export const QUOTE_TYPE = "quote_type";

/**
 * The attributes a new `label` span over text.slice(start16, end16) (UTF-16) starts with:
 * {quote_type} when the label has a quote_type choice that offers the inferred value, else {}.
 */
export function prefilledAttributes(schema, label, text, start16, end16) {
  const attribute = (spanLabel(schema, label)?.attributes || []).find((a) => a.name === QUOTE_TYPE && a.type === "choice");
  if (!attribute) return {};
  const value = inferQuoteType(text, start16, end16);
  return (attribute.choices || []).includes(value) ? { [QUOTE_TYPE]: value } : {};
}

/**
 * The link to offer for the span `added` just marked: with `recent`, the keys of the spans
 * marked before it in this session (oldest first), the newest of them that it may be linked
 * with (either way round), with no line break between the two and neither linked to the
 * other yet, the relation's source not yet having a link of that type. null when there is none
 * or the relation has an attribute the offer cannot fill (then `l` and the dialog remain).
 * The offer: {from, to, label, attrs} — attrs.cue (or the type's span attribute) the nearest
 * cue, when there is one.
 */
export function linkOffer({ schema, store, text, index, added, recent }) {
  for (let i = recent.length - 1; i >= 0; i--) {
    const other = store.span(recent[i]);
    if (!other || other.key === added.key) continue;
    const pair = orient(schema, added, other);
    if (!pair) continue;
    const { from, to, type } = pair;
    if (store.relationsOf(added.key).some((r) => r.from === other.key || r.to === other.key)) continue;
    if (store.relationsOf(from.key).some((r) => r.from === from.key && r.label === type.name)) continue;
    const [lo, hi] = from.start < to.start ? [from, to] : [to, from];
    if (lo.end < hi.start && text.slice(index.toUtf16(lo.end), index.toUtf16(hi.start)).includes("\n")) continue;
    const attrs = {};
    for (const attribute of type.attributes || []) {
      if (attribute.type !== "span") {
        if (attribute.required) return null;
        continue;
      }
      const fits = store.sorted.filter((s) => fitsSpanAttribute(attribute, s.label));
      const cue = nearestCue(fits, from, to, text, index);
      if (cue) attrs[attribute.name] = cue;
    }
    return { from: from.key, to: to.key, label: type.name, attrs };
  }
  return null;
}

/** {from, to, type} with the relation type the link dialog would pick first, or null. */
function orient(schema, a, b) {
  for (const [from, to] of [[a, b], [b, a]]) {
    const types = allowedRelations(schema, from.label, to.label);
    if (types.length) return { from, to, type: types[0] };
  }
  return null;
}
