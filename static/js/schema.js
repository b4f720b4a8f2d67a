// Reading a project's label schema (labels/schema/ describes it) in the browser: hotkeys,
// which relations a pair of spans allows, which attributes are still missing or refer to
// spans. The server checks everything again; these answers only let the page say "no" before
// asking it. Pure functions: no DOM.

export function spanLabel(schema, name) {
  return (schema.span_labels || []).find((label) => label.name === name) || null;
}

export function relationType(schema, name) {
  return (schema.relations || []).find((relation) => relation.name === name) || null;
}

/** Map hotkey → label name, leaving out keys the page keeps for its commands. */
export function hotkeys(schema, reserved = []) {
  const map = new Map();
  for (const label of schema.span_labels || []) {
    if (label.hotkey && !reserved.includes(label.hotkey)) map.set(label.hotkey, label.name);
  }
  return map;
}

/** Names of the span-valued attributes of relation type `relationLabel` (attributed_to's cue). */
export function spanRefNames(schema, relationLabel) {
  const attributes = relationType(schema, relationLabel)?.attributes || [];
  return attributes.filter((attribute) => attribute.type === "span").map((attribute) => attribute.name);
}

/** Whether a span labelled `label` may be the value of the span-valued `attribute`. */
export function fitsSpanAttribute(attribute, label) {
  return !attribute.labels?.length || attribute.labels.includes(label);
}

/** The attributes of `attrs` that a `label` span has too: what a change of label keeps. */
export function keptAttributes(schema, label, attrs) {
  const names = new Set((spanLabel(schema, label)?.attributes || []).map((attribute) => attribute.name));
  return Object.fromEntries(Object.entries(attrs || {}).filter(([name]) => names.has(name)));
}

/** Relation types that may start at a span labelled `fromLabel`. */
export function relationsFrom(schema, fromLabel) {
  return (schema.relations || []).filter((relation) => relation.from.includes(fromLabel));
}

/** Relation types allowed from a `fromLabel` span to a `toLabel` span, in schema order. */
export function allowedRelations(schema, fromLabel, toLabel) {
  return relationsFrom(schema, fromLabel).filter((relation) => relation.to.includes(toLabel));
}

/** Labels a `fromLabel` span can be linked to (empty: it cannot start a relation). */
export function linkTargetLabels(schema, fromLabel) {
  const labels = new Set();
  for (const relation of relationsFrom(schema, fromLabel)) {
    for (const label of relation.to) labels.add(label);
  }
  return labels;
}

function join(items, conjunction) {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} ${conjunction} ${items.at(-1)}`;
}

/**
 * Why a `fromLabel` span cannot be linked to a `toLabel` span, or null when some relation type
 * allows it. Worded like the server's refusal.
 */
export function whyNotLinked(schema, fromLabel, toLabel) {
  const from = relationsFrom(schema, fromLabel);
  if (from.length === 0) {
    const starts = [...new Set((schema.relations || []).flatMap((r) => r.from))];
    return `A ${fromLabel} cannot start a relation; relations start at ${join(starts, "or") || "no label"}.`;
  }
  if (from.some((relation) => relation.to.includes(toLabel))) return null;
  return from
    .map(
      (relation) =>
        `${relation.name} goes from ${join(relation.from, "or")} to ${join(relation.to, "or")}`,
    )
    .join("; ")
    .concat(`, not from ${fromLabel} to ${toLabel}.`);
}

/** Required attributes of a `label` span that `attrs` leaves empty. */
export function missingAttributes(schema, label, attrs) {
  const definition = spanLabel(schema, label);
  if (!definition) return [];
  return (definition.attributes || []).filter((attribute) => {
    const value = attrs?.[attribute.name];
    return attribute.required && (value === undefined || value === null || value === "");
  });
}

/** "quote_type: direct · target: EU" — the attributes in schema order, for lists. */
export function attributeSummary(schema, label, attrs, shown = (attribute, value) => value) {
  const definition = spanLabel(schema, label);
  const byName = new Map((definition?.attributes || []).map((a) => [a.name, a]));
  const names = [...byName.keys()];
  for (const name of Object.keys(attrs || {})) if (!names.includes(name)) names.push(name);
  const text = (name) => {
    const value = attrs[name];
    if (value === true) return "yes";
    if (value === false) return "no";
    return byName.has(name) ? shown(byName.get(name), value) : value;
  };
  return names
    .filter((name) => attrs && attrs[name] !== undefined && attrs[name] !== null && attrs[name] !== "")
    .map((name) => `${name}: ${text(name)}`)
    .join(" · ");
}
