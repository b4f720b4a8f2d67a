// The schema editor's draft: the schema as rows with keys, and back to the JSON the server
// checks. Pure functions, no DOM (tested with node --test).
//
// Every span label, relation type and attribute gets a key that stays while it is renamed or
// moved, so that references (a relation's From/To, a span attribute's Labels) follow a renamed
// label, and `was` can tell the server which old label each row was: a rename, not a removal
// and an addition.

let counter = 0;
const newKey = () => `k${++counter}`;

// A new label takes the first colour no label has: the default schema's own, in its order
// (labels/schema/news_attribution.py; tests/schema/test_editor_colours.py keeps them equal), then more.
export const DEFAULT_COLOURS = ["#2563eb", "#0d9488", "#475569", "#b45309", "#c026d3", "#dc2626", "#16a34a", "#7c3aed"];

function attributeFrom(attribute, labelKeys) {
  return {
    key: newKey(),
    name: attribute.name ?? "",
    type: attribute.type ?? "choice",
    required: Boolean(attribute.required),
    choices: (attribute.choices ?? []).join("\n"),
    max_length: String(attribute.max_length ?? 500),
    labels: (attribute.labels ?? []).map((name) => labelKeys.get(name)).filter(Boolean),
  };
}

/** The draft of a stored (checked) schema. */
export function fromSchema(schema) {
  const labels = (schema.span_labels ?? []).map((label) => ({
    key: newKey(),
    was: label.name,
    name: label.name,
    color: label.color ?? "#2563eb",
    hotkey: label.hotkey ?? "",
    description: label.description ?? "",
    attributes: [],
  }));
  const labelKeys = new Map(labels.map((label) => [label.name, label.key]));
  (schema.span_labels ?? []).forEach((label, i) => {
    labels[i].attributes = (label.attributes ?? []).map((a) => attributeFrom(a, labelKeys));
  });
  const refs = (names) => (names ?? []).map((name) => labelKeys.get(name)).filter(Boolean);
  const relations = (schema.relations ?? []).map((relation) => ({
    key: newKey(),
    was: relation.name,
    name: relation.name,
    description: relation.description ?? "",
    from: refs(relation.from),
    to: refs(relation.to),
    attributes: (relation.attributes ?? []).map((a) => attributeFrom(a, labelKeys)),
  }));
  return {
    id: schema.id ?? "",
    version: schema.version ?? 1,
    allow_overlap: schema.allow_overlap !== false,
    labels,
    relations,
  };
}

/** A new span label, with the first colour and digit key that no label uses yet. */
export function newLabel(draft) {
  const colours = new Set(draft.labels.map((l) => l.color));
  const keys = new Set(draft.labels.map((l) => l.hotkey));
  const hotkey = [..."123456789"].find((k) => !keys.has(k)) ?? "";
  return {
    key: newKey(),
    was: null,
    name: "",
    color: DEFAULT_COLOURS.find((c) => !colours.has(c)) ?? DEFAULT_COLOURS[0],
    hotkey,
    description: "",
    attributes: [],
  };
}

export function newRelation() {
  return { key: newKey(), was: null, name: "", description: "", from: [], to: [], attributes: [] };
}

export function newAttribute() {
  return attributeFrom({ name: "", type: "choice", required: false }, new Map());
}

function attributeOut(attribute, labelNames) {
  const out = { name: attribute.name.trim(), type: attribute.type, required: attribute.required };
  if (attribute.type === "choice") {
    out.choices = attribute.choices
      .split("\n")
      .map((choice) => choice.trim())
      .filter(Boolean);
  } else if (attribute.type === "text") {
    const text = attribute.max_length.trim();
    // A number the server checks; anything else is sent as typed, so its message shows it.
    out.max_length = /^\d+$/.test(text) ? Number(text) : text;
  } else if (attribute.type === "span") {
    out.labels = attribute.labels.filter((k) => labelNames.has(k)).map((k) => labelNames.get(k));
  }
  return out;
}

/** What the server takes: {schema, was}. References to removed labels are left out. */
export function toPayload(draft) {
  const labelNames = new Map(draft.labels.map((label) => [label.key, label.name.trim()]));
  const refs = (keys) => keys.filter((k) => labelNames.has(k)).map((k) => labelNames.get(k));
  const schema = {
    id: draft.id.trim(),
    version: draft.version,
    allow_overlap: draft.allow_overlap,
    span_labels: draft.labels.map((label) => ({
      name: label.name.trim(),
      color: label.color,
      hotkey: label.hotkey === "" ? null : label.hotkey,
      description: label.description,
      attributes: label.attributes.map((a) => attributeOut(a, labelNames)),
    })),
    relations: draft.relations.map((relation) => ({
      name: relation.name.trim(),
      from: refs(relation.from),
      to: refs(relation.to),
      description: relation.description,
      attributes: relation.attributes.map((a) => attributeOut(a, labelNames)),
    })),
  };
  const was = {
    span_labels: draft.labels.map((label) => label.was),
    relations: draft.relations.map((relation) => relation.was),
  };
  return { schema, was };
}

/** Move `list[index]` by `step` (-1 up, +1 down); false when it is already at that end. */
export function move(list, index, step) {
  const to = index + step;
  if (index < 0 || to < 0 || to >= list.length) return false;
  const [item] = list.splice(index, 1);
  list.splice(to, 0, item);
  return true;
}

/**
 * The field an error of the server is shown at: its path (`span_labels[2].attributes[0].choices[1]`)
 * or the nearest enclosing one that the editor shows (`span_labels[2].attributes[0].choices`);
 * "" when none is.
 */
export function errorPlace(path, shown) {
  let at = path ?? "";
  while (at) {
    if (shown.has(at)) return at;
    const shorter = at.replace(/(\.[^.[\]]+|\[\d+\])$/, "");
    if (shorter === at) break;
    at = shorter;
  }
  return "";
}
