// The project's speaker registry as the workspace's Speaker field uses it: loaded once from
// the API, a <datalist> of every name and alias (the browser's own type-ahead, reachable from
// the keyboard like any field), and what typed text means: the id of the speaker whose name or
// alias it is (case and diacritics aside), or a new speaker once the analyst confirms with a
// second Enter. Names go into the page as option values and text, never as HTML.

import { call } from "./api.js";
import { el } from "./dom.js";

export const DATALIST_ID = "speaker-options";

/** Lower case without diacritics: "Mácron" and "macron" compare equal. */
export function fold(text) {
  return String(text ?? "")
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim();
}

/** The speakers of `list` by id, and each folded name and alias → the speaker's id. */
export function indexSpeakers(list) {
  const byId = new Map();
  const byForm = new Map();
  for (const speaker of list) {
    byId.set(speaker.id, speaker);
    for (const form of [speaker.name, ...(speaker.aliases || [])]) {
      const key = fold(form);
      if (key && !byForm.has(key)) byForm.set(key, speaker.id);
    }
  }
  return { byId, byForm };
}

function projectSlug() {
  for (const id of ["workspace-data", "review-data"]) {
    const node = document.getElementById(id);
    if (!node) continue;
    try {
      const slug = JSON.parse(node.textContent)?.project?.slug;
      if (slug) return slug;
    } catch {
      // not this page's data
    }
  }
  // The review page names its project by the project page's address.
  const config = document.getElementById("review-config");
  if (config) {
    try {
      const match = /\/projects\/([^/]+)\//.exec(JSON.parse(config.textContent)?.project_url || "");
      if (match) return decodeURIComponent(match[1]);
    } catch {
      // not this page's data
    }
  }
  return document.querySelector("[data-project-slug]")?.dataset.projectSlug || null;
}

class Registry extends EventTarget {
  #index = indexSpeakers([]);
  #slug = null;
  #loading = null;

  /** Load the registry once (later calls share the first); resolves when it is known. */
  load() {
    if (this.#loading) return this.#loading;
    this.#slug = projectSlug();
    if (!this.#slug) return (this.#loading = Promise.resolve());
    this.#loading = call("GET", `projects/${encodeURIComponent(this.#slug)}/speakers/`)
      .then((body) => this.#set(body.results || []))
      .catch(() => this.#set([]));
    return this.#loading;
  }

  #set(list) {
    this.#index = indexSpeakers(list);
    this.#fillDatalist();
    this.dispatchEvent(new Event("change"));
  }

  #fillDatalist() {
    let list = document.getElementById(DATALIST_ID);
    if (!list) {
      list = el("datalist", { id: DATALIST_ID });
      document.body.append(list);
    }
    const options = [];
    for (const speaker of this.#index.byId.values()) {
      options.push(el("option", { value: speaker.name, label: kindLabel(speaker.kind) }));
      for (const alias of speaker.aliases || []) {
        options.push(el("option", { value: alias, label: `→ ${speaker.name}` }));
      }
    }
    list.replaceChildren(...options);
  }

  /** Every speaker as [id, name] for a menu, by name; empty until loaded. */
  choices() {
    return [...this.#index.byId.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((speaker) => [String(speaker.id), speaker.name]);
  }

  nameOf(id) {
    return this.#index.byId.get(Number(id))?.name ?? null;
  }

  /** The id of the speaker `text` names (its name or an alias), or null. */
  idFor(text) {
    return this.#index.byForm.get(fold(text)) ?? null;
  }

  /** Add a speaker named `name` (any member may); resolves to its id. */
  async create(name) {
    const speaker = await call("POST", `projects/${encodeURIComponent(this.#slug)}/speakers/`, { name, kind: "person" });
    this.#set([...this.#index.byId.values(), speaker]);
    return speaker.id;
  }
}

function kindLabel(kind) {
  return String(kind || "").replace("_", " ");
}

export const registry = new Registry();

function annotationId() {
  const node = document.getElementById("workspace-data");
  if (!node) return null;
  try {
    return JSON.parse(node.textContent)?.annotation?.id ?? null;
  } catch {
    return null;
  }
}

/**
 * The speaker the server suggests for the unlinked Source `span` of this page's layer
 * ({speaker, name, confidence, rule}), or null. Asked each time: the layer changes.
 */
export async function suggestedSpeaker(span) {
  const id = annotationId();
  if (!id || !span) return null;
  try {
    const body = await call("GET", `annotations/${id}/speakers/suggested/`);
    return (body.results || []).find((g) => g.start === span.start && g.end === span.end) || null;
  } catch {
    return null;
  }
}

/** The text a Speaker field shows for the stored `value` (an id): the name, once known. */
export function shownValue(value) {
  if (value === undefined || value === null || value === "") return "";
  return registry.nameOf(value) ?? `#${value}`;
}

function hint(input, text) {
  const box = input.closest(".field")?.querySelector(".hint");
  if (box) box.textContent = text;
}

/**
 * What the Speaker field `input` now asks for: resolves to a speaker id, null (emptied), or
 * undefined (nothing to save yet: unknown text, said in the field's hint). With `create` (the
 * Enter key), the same unknown text a second time adds it to the registry.
 */
export async function speakerValue(input, { create = false } = {}) {
  await registry.load();
  const text = input.value.trim();
  if (!text) {
    delete input.dataset.pendingNew;
    // Enter in the empty field takes the suggested speaker, if there is one.
    if (create && input.dataset.suggested) return Number(input.dataset.suggested);
    return null;
  }
  const id = registry.idFor(text);
  if (id !== null) {
    delete input.dataset.pendingNew;
    hint(input, "Enter saves");
    return id;
  }
  if (!create) {
    // Leaving the field (or the change event of the Enter just handled) keeps what the
    // Enter said.
    if (input.dataset.pendingNew !== text) hint(input, `No speaker “${text}” yet: press Enter to add it.`);
    return undefined;
  }
  if (input.dataset.pendingNew !== text) {
    input.dataset.pendingNew = text;
    hint(input, `No speaker “${text}” yet: press Enter again to add it to the registry.`);
    return undefined;
  }
  delete input.dataset.pendingNew;
  try {
    const created = await registry.create(text);
    hint(input, `Added “${text}” to the registry.`);
    return created;
  } catch (error) {
    hint(input, error.message || "The speaker could not be added.");
    return undefined;
  }
}
