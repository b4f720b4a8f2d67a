// The project's speaker registry as the Speaker field uses it: loaded once from the API (and
// again when a span names a speaker it does not know yet), the field's own type-ahead list of
// the speakers whose name or alias matches what is typed — each with its kind and description,
// so that two speakers sharing an alias ("Macron") are told apart by the analyst, never picked
// for them —, and what typed text means: the id of the speaker chosen in the list or whose name
// or alias it is (case and diacritics aside), or a new speaker once the analyst confirms with a
// second Enter. Names go into the page as text, never as HTML; a raw id is never shown.

import { call } from "./api.js";
import { el } from "./dom.js";

/** Lower case without diacritics: "Mácron" and "macron" compare equal. */
export function fold(text) {
  return String(text ?? "")
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * The speakers of `list` by id, and each folded name and alias → the ids of every speaker it
 * names, in the list's order (an alias may be shared: "Macron" of two people).
 */
export function indexSpeakers(list) {
  const byId = new Map();
  const byForm = new Map();
  for (const speaker of list) {
    byId.set(speaker.id, speaker);
    for (const form of [speaker.name, ...(speaker.aliases || [])]) {
      const key = fold(form);
      if (!key) continue;
      const ids = byForm.get(key) || [];
      if (!ids.includes(speaker.id)) ids.push(speaker.id);
      byForm.set(key, ids);
    }
  }
  return { byId, byForm };
}

/**
 * The speakers of `index` that `text` may mean, best first, at most `limit`: those it names
 * exactly (name or alias), then those with a name or alias starting with it, then those with
 * a word of one starting with it; each once, as {speaker, form} with the form that matched
 * (the name, or the alias to show beside it). Empty text: every speaker, by name.
 */
export function matchSpeakers(index, text, limit = 8) {
  const wanted = fold(text);
  const speakers = [...index.byId.values()];
  if (!wanted) {
    return speakers
      .sort((a, b) => a.name.localeCompare(b.name))
      .slice(0, limit)
      .map((speaker) => ({ speaker, form: speaker.name }));
  }
  const scored = [];
  for (const speaker of speakers) {
    let best = null;
    for (const form of [speaker.name, ...(speaker.aliases || [])]) {
      const key = fold(form);
      let rank = null;
      if (key === wanted) rank = 0;
      else if (key.startsWith(wanted)) rank = 1;
      else if (key.split(" ").some((word) => word.startsWith(wanted))) rank = 2;
      if (rank !== null && (best === null || rank < best.rank)) best = { rank, form };
    }
    if (best) scored.push({ speaker, form: best.form, rank: best.rank });
  }
  scored.sort((a, b) => a.rank - b.rank || a.speaker.name.localeCompare(b.speaker.name));
  return scored.slice(0, limit).map(({ speaker, form }) => ({ speaker, form }));
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
  #loaded = false;
  #asked = new Set(); // ids a reload was made for: each is asked for once

  /** Load the registry once (later calls share the first); resolves when it is known. */
  load() {
    if (this.#loading) return this.#loading;
    this.#slug = projectSlug();
    if (!this.#slug) {
      this.#loaded = true;
      return (this.#loading = Promise.resolve());
    }
    this.#loading = this.#fetch();
    return this.#loading;
  }

  #fetch() {
    return call("GET", `projects/${encodeURIComponent(this.#slug)}/speakers/`)
      .then((body) => this.#set(body.results || []))
      .catch(() => this.#set([...this.#index.byId.values()]));
  }

  /** Whether the registry has been read (a name unknown now is no speaker of it). */
  get loaded() {
    return this.#loaded;
  }

  #set(list) {
    this.#index = indexSpeakers(list);
    this.#loaded = true;
    this.dispatchEvent(new Event("change"));
  }

  /**
   * A span names speaker `id`, which the registry read does not hold (added since, in another
   * tab or by a suggestion): read it again, once per id; "change" follows.
   */
  #askFor(id) {
    if (!this.#loaded || !this.#slug || this.#asked.has(id)) return;
    this.#asked.add(id);
    this.#loaded = false;
    this.#loading = this.#fetch();
  }

  /** Every speaker as [id, name] for a menu, by name; empty until loaded. */
  choices() {
    return [...this.#index.byId.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((speaker) => [String(speaker.id), speaker.name]);
  }

  /** The speaker with id `id`, or null. */
  speaker(id) {
    return this.#index.byId.get(Number(id)) ?? null;
  }

  nameOf(id) {
    return this.speaker(id)?.name ?? null;
  }

  /**
   * The name to show for speaker `id` of a span: its name; while the registry is being read
   * (the first call reads it), or read again because it does not know the id, "…"; once read,
   * "unknown speaker".
   */
  shown(id) {
    const name = this.nameOf(id);
    if (name !== null) return name;
    if (!this.#loading) {
      this.load(); // a span names a speaker before anything asked for the registry
      return "…";
    }
    const wanted = Number(id);
    if (Number.isInteger(wanted) && !this.#asked.has(wanted)) this.#askFor(wanted);
    return this.#loaded ? "unknown speaker" : "…";
  }

  /** The ids of every speaker `text` names (its name or an alias). */
  idsFor(text) {
    return this.#index.byForm.get(fold(text)) ?? [];
  }

  /** The speakers `text` may mean, best first ({speaker, form}: see matchSpeakers). */
  matches(text, limit) {
    return matchSpeakers(this.#index, text, limit);
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

/**
 * The text shown for a span's stored speaker `value` (an id): the name once the registry is
 * read, "…" until then, never the id itself.
 */
export function shownValue(value) {
  if (value === undefined || value === null || value === "") return "";
  return registry.shown(value);
}

function hint(input, text) {
  const box = input.closest(".field")?.querySelector(".hint");
  if (box) box.textContent = text;
}

/**
 * What the Speaker field `input` now asks for: resolves to a speaker id, null (emptied), or
 * undefined (nothing to save: the field still shows the speaker it was drawn with; text naming
 * several speakers, whose list then opens for the analyst to choose; unknown text — each said
 * in the field's hint). With `create` (the Enter key), the same unknown text a second time
 * adds it to the registry.
 */
export async function speakerValue(input, { create = false } = {}) {
  await registry.load();
  const text = input.value.trim();
  // Untouched since it was drawn (the name may not even have arrived yet): nothing changes.
  if (!input.dataset.touched && input.dataset.linked) return undefined;
  const chosen = input.dataset.chosen;
  if (chosen && registry.nameOf(chosen) === text) {
    delete input.dataset.pendingNew;
    hint(input, "Enter saves");
    return Number(chosen);
  }
  if (!text) {
    delete input.dataset.pendingNew;
    // Enter in the empty field takes the suggested speaker, if there is one.
    if (create && input.dataset.suggested) return Number(input.dataset.suggested);
    return null;
  }
  const ids = registry.idsFor(text);
  if (ids.length === 1) {
    delete input.dataset.pendingNew;
    hint(input, "Enter saves");
    return ids[0];
  }
  if (ids.length > 1) {
    delete input.dataset.pendingNew;
    hint(input, `“${text}” names ${ids.length} speakers: choose one in the list (↓ ↑, then Enter).`);
    input.dispatchEvent(new Event("speaker-choose"));
    return undefined;
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

let comboboxes = 0;
const openLists = new Set(); // the type-ahead lists open now

// Esc closes an open list before the workspace's keys (document, capture phase) take it as
// "leave the field and deselect". Installed with the first field: nothing runs at import.
function listenForEscape() {
  window.addEventListener(
    "keydown",
    (event) => {
      if (event.key !== "Escape") return;
      for (const close of openLists) {
        if (close(event.target)) {
          event.preventDefault();
          event.stopPropagation();
          return;
        }
      }
    },
    true,
  );
}

/**
 * Make `input` (a Speaker field holding speaker `value`, an id or nothing) a combobox: typing
 * opens the list of matching speakers, each with its kind, description and Wikidata id and the
 * alias that matched; ↓ / ↑ move the highlight (↓ opens the list), Enter takes the highlighted speaker
 * (the field's Enter handler then saves it, through speakerValue), Esc closes the list, a click
 * takes one too. Text that names exactly one speaker highlights it; text shared by several
 * highlights none, so Enter alone never picks one of them. Until the registry is read the
 * field is empty and says so; then it shows the name, unless the analyst has typed (text
 * typed meanwhile opens its list when the registry arrives).
 */
export function enhanceSpeakerInput(input, value) {
  if (comboboxes === 0) listenForEscape();
  const listId = `speaker-options-${++comboboxes}`;
  const list = el("ul", { id: listId, className: "speaker-options", role: "listbox", "aria-label": "Speakers", hidden: true });
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listId);
  const linked = value === undefined || value === null || value === "" ? null : Number(value);
  if (linked !== null) {
    input.dataset.linked = String(linked);
    input.dataset.chosen = String(linked);
  }
  let shown = []; // the speakers listed
  let active = -1;
  let typedEarly = false; // text typed before the registry was read: listed when it arrives

  function showName() {
    if (input.dataset.touched) return;
    input.value = linked === null ? "" : registry.nameOf(linked) ?? "";
    if (linked !== null && !registry.nameOf(linked)) {
      input.placeholder = registry.loaded ? "Unknown speaker" : "Loading speakers…";
      registry.shown(linked); // asks the registry again for a speaker it does not know
    } else if (input.placeholder === "Loading speakers…" || input.placeholder === "Unknown speaker") {
      input.placeholder = "";
    }
  }
  showName();
  const onRegistry = () => {
    if (!input.isConnected) {
      registry.removeEventListener("change", onRegistry);
      return;
    }
    showName();
    if (typedEarly && registry.loaded) {
      typedEarly = false;
      if (document.activeElement === input && input.value.trim()) open();
    }
  };
  registry.addEventListener("change", onRegistry);

  function highlight(at) {
    active = at;
    list.querySelectorAll("[role=option]").forEach((option, i) => {
      option.setAttribute("aria-selected", String(i === at));
      option.classList.toggle("is-active", i === at);
      if (i === at) option.scrollIntoView({ block: "nearest" });
    });
    if (at >= 0) {
      input.setAttribute("aria-activedescendant", `${listId}-${at}`);
      hint(input, `Enter takes ${shown[at].speaker.name}; ↓ ↑ choose another, Esc closes the list`);
    } else input.removeAttribute("aria-activedescendant");
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
    openLists.delete(closeFor);
  }
  const closeFor = (target) => {
    if (target !== input || list.hidden) return false;
    close();
    return true;
  };

  function open({ all = false } = {}) {
    const text = all ? "" : input.value;
    shown = registry.matches(text, 50);
    if (!shown.length) {
      close();
      return;
    }
    const options = shown.map(({ speaker, form }, i) => {
      const about = [kindLabel(speaker.kind), speaker.description, speaker.wikidata_id].filter(Boolean).join(" · ");
      return el(
        "li",
        { id: `${listId}-${i}`, role: "option", "aria-selected": "false", dataset: { speaker: speaker.id } },
        el("span", { className: "speaker-option-name", text: speaker.name }),
        form !== speaker.name ? el("span", { className: "speaker-option-alias", text: ` (“${form}”)` }) : null,
        about ? el("span", { className: "speaker-option-about", text: about }) : null,
      );
    });
    list.replaceChildren(...options);
    list.hidden = false;
    list.scrollIntoView({ block: "nearest" }); // the editor scrolls: the list in sight
    input.setAttribute("aria-expanded", "true");
    openLists.add(closeFor);
    // Text that names exactly one speaker is that one; several sharing it: the analyst chooses.
    const exact = registry.idsFor(input.value);
    highlight(exact.length === 1 && !all ? shown.findIndex((m) => m.speaker.id === exact[0]) : -1);
  }

  function choose(at) {
    const { speaker } = shown[at];
    input.value = speaker.name;
    input.dataset.chosen = String(speaker.id);
    input.dataset.touched = "true";
    close();
  }

  input.addEventListener("input", () => {
    input.dataset.touched = "true";
    delete input.dataset.chosen;
    if (!registry.loaded) typedEarly = true;
    if (input.value.trim()) open();
    else close();
  });
  input.addEventListener("speaker-choose", () => open());
  input.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (list.hidden) {
        open({ all: !input.dataset.touched || !input.value.trim() });
        if (list.hidden) return;
        if (active === -1) {
          const current = shown.findIndex((m) => String(m.speaker.id) === input.dataset.chosen);
          highlight(current >= 0 ? current : event.key === "ArrowDown" ? 0 : shown.length - 1);
        }
        return;
      }
      const step = event.key === "ArrowDown" ? 1 : -1;
      const n = shown.length;
      highlight(active === -1 ? (step > 0 ? 0 : n - 1) : (active + step + n) % n);
    } else if (event.key === "Enter" && !list.hidden && active >= 0) {
      choose(active); // the field's own Enter handler, after this one, saves it
    }
  });
  // A click keeps the focus in the field (mousedown), takes the speaker and saves it (change).
  list.addEventListener("mousedown", (event) => event.preventDefault());
  list.addEventListener("click", (event) => {
    const option = event.target.closest("[role=option]");
    if (!option) return;
    choose(Number(option.id.slice(listId.length + 1)));
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });
  input.addEventListener("blur", () => close());
  return list;
}
