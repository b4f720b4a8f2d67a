// The save queue: every change the analyst makes becomes an operation that is sent to the
// server, one at a time and in order, each carrying the annotation version it is based on.
//
// - A network failure, a 5xx, or a 401/403/408/429 keeps the operation and retries it with
//   growing delays until it lands; nothing is ever dropped silently.
// - 409 (the annotation changed elsewhere, or was submitted) stops the queue: the page says so
//   and offers a reload. The operation stays queued.
// - Any other 4xx means the server refuses this operation for good (e.g. a schema rule): it is
//   taken off the queue and reported with the server's message so the page can undo it.
// - Operations are mirrored to localStorage (PendingStorage) after every change, so a reload
//   or a crash replays what was not yet acknowledged (see `reconcile`).
//
// Pure logic: the network call (`send`) and the clock are injected, so node --test covers it.

import { errorMessage } from "../api.js";
import { plural } from "../format.js";

export const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 15000, 30000];

/** Thrown by `send` when an operation can never be sent (a span it refers to was not saved). */
export class LocalRejection extends Error {}

/** What the page's save indicator says for a queue in `state` holding `size` operations. */
export function stateText(state, size, message) {
  const texts = {
    saved: "✓ All changes saved",
    saving: `Saving… (${size})`,
    offline: `Offline — ${plural(size, "change")} kept here, retrying`,
    error: `Not saved yet — ${message} Retrying.`,
    conflict: `Not saved — ${plural(size, "change")} waiting (conflict)`,
  };
  return texts[state] || state;
}

function isCreate(op) {
  return op.kind === "createSpan" || op.kind === "createRelation";
}

export class SaveQueue extends EventTarget {
  #send;
  #confirm;
  #persist;
  #delays;
  #timers;
  #now;
  #ops;
  #version;
  #state = "saved";
  #message = "";
  #busy = false;
  #timer = null;
  #failures = 0;
  #retryAt = null;
  #stopped = false;

  /**
   * send(op, version) → Promise<{status, body}>; rejects on a network failure (fetch's
   * TypeError) or with LocalRejection. confirm(op, version) → Promise<{version, body}|null>:
   * asked after a 409 for an operation whose earlier attempt failed in the network, whether it
   * landed after all (then the 409 is our own earlier write, not someone else's).
   * persist({version, ops}) is called after every change of the queue.
   */
  constructor({
    send,
    version,
    ops = [],
    persist = () => {},
    confirm = null,
    delays = RETRY_DELAYS_MS,
    timers = globalThis,
    now = () => Date.now(),
  }) {
    super();
    this.#send = send;
    this.#confirm = confirm;
    this.#persist = persist;
    this.#delays = delays;
    this.#timers = timers;
    this.#now = now;
    this.#ops = [...ops];
    this.#version = version;
  }

  /** The annotation version the next operation will be sent with. */
  get version() {
    return this.#version;
  }

  /** "saved" | "saving" | "offline" | "error" | "conflict" */
  get state() {
    return this.#state;
  }

  get message() {
    return this.#message;
  }

  get size() {
    return this.#ops.length;
  }

  get pending() {
    return this.#ops.map((op) => ({ ...op }));
  }

  /** When the next retry is due (a timestamp from `now`), or null. */
  get retryAt() {
    return this.#retryAt;
  }

  get stopped() {
    return this.#stopped;
  }

  /** Resolves true once everything is saved, false on a conflict. */
  whenSaved() {
    if (this.size === 0 && this.state !== "conflict") return Promise.resolve(true);
    if (this.state === "conflict") return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (ok) => () => {
        this.removeEventListener("idle", onIdle);
        this.removeEventListener("conflict", onConflict);
        resolve(ok);
      };
      const onIdle = done(true);
      const onConflict = done(false);
      this.addEventListener("idle", onIdle);
      this.addEventListener("conflict", onConflict);
    });
  }

  enqueue(op) {
    this.#ops.push(op);
    this.#save();
    this.#emitState();
    this.#kick();
  }

  /** Begin sending what the queue was created with. */
  start() {
    this.#emitState();
    this.#kick();
  }

  /** Retry now instead of waiting for the back-off (e.g. the browser came back online). */
  retryNow() {
    if (this.#timer !== null) {
      this.#timers.clearTimeout(this.#timer);
      this.#timer = null;
    }
    this.#kick();
  }

  /** Take queued operations matching `predicate` off the queue (never the one in flight). */
  discard(predicate) {
    const first = this.#busy ? 1 : 0;
    const kept = this.#ops.slice(0, first);
    const removed = [];
    for (const op of this.#ops.slice(first)) (predicate(op) ? removed : kept).push(op);
    this.#ops = kept;
    if (removed.length) {
      this.#save();
      this.#emitState();
    }
    return removed;
  }

  #save() {
    this.#persist({ version: this.#version, ops: this.#ops });
  }

  #emitState() {
    if (!this.#busy && this.#timer === null && !this.#stopped) {
      this.#state = this.#ops.length ? "saving" : "saved";
      if (!this.#ops.length) this.#message = "";
    }
    this.dispatchEvent(
      new CustomEvent("state", {
        detail: { state: this.#state, message: this.#message, size: this.#ops.length },
      }),
    );
  }

  #kick() {
    if (this.#busy || this.#timer !== null || this.#stopped) return;
    if (this.#ops.length === 0) {
      this.#state = "saved";
      this.#message = "";
      this.#emitState();
      this.dispatchEvent(new CustomEvent("idle"));
      return;
    }
    this.#run().catch((error) => {
      // A bug in a listener must not wedge the queue; report it and go on later.
      this.#busy = false;
      this.#retry("error", String(error));
    });
  }

  async #run() {
    this.#busy = true;
    const op = this.#ops[0];
    if (this.#failures === 0) this.#state = "saving";
    this.#emitState();
    let response = null;
    let failure = null;
    try {
      response = await this.#send(op, this.#version);
    } catch (error) {
      failure = error;
    }
    if (failure instanceof LocalRejection) {
      this.#busy = false;
      this.#reject(op, 0, { errors: [{ field: "", code: "not_sendable", message: failure.message }] });
      return;
    }
    if (failure !== null) {
      op.uncertain = true; // the request may have reached the server before the line dropped
      this.#busy = false;
      this.#retry("offline", "No connection to the server.");
      return;
    }
    const { status, body } = response;
    if (status >= 200 && status < 300) {
      this.#busy = false;
      this.#done(op, body);
      return;
    }
    if (status === 409) {
      if (op.uncertain && this.#confirm) {
        let landed = null;
        try {
          landed = await this.#confirm(op, this.#version);
        } catch {
          landed = null;
        }
        if (landed) {
          this.#busy = false;
          this.#done(op, landed.body ?? { version: landed.version });
          return;
        }
      }
      this.#busy = false;
      this.#stopped = true;
      this.#state = "conflict";
      this.#message = errorMessage(body, "This annotation was changed elsewhere.");
      this.#emitState();
      this.dispatchEvent(new CustomEvent("conflict", { detail: { op, status, body } }));
      return;
    }
    this.#busy = false;
    if (status === 401 || status === 403 || status === 408 || status === 429 || status >= 500) {
      this.#retry("error", errorMessage(body, `The server answered ${status}.`));
      return;
    }
    this.#reject(op, status, body);
  }

  #done(op, body) {
    if (this.#ops[0] === op) this.#ops.shift();
    if (body && Number.isInteger(body.version)) this.#version = body.version;
    this.#failures = 0;
    this.#retryAt = null;
    this.#save();
    this.dispatchEvent(new CustomEvent("saved", { detail: { op, body } }));
    this.#state = "saving";
    this.#kick();
  }

  #reject(op, status, body) {
    if (this.#ops[0] === op) this.#ops.shift();
    this.#save();
    this.dispatchEvent(new CustomEvent("rejected", { detail: { op, status, body } }));
    this.#state = "saving";
    this.#kick();
  }

  #retry(state, message) {
    this.#failures += 1;
    const delay = this.#delays[Math.min(this.#failures, this.#delays.length) - 1];
    this.#retryAt = this.#now() + delay;
    this.#state = state;
    this.#message = message;
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = null;
      this.#kick();
    }, delay);
    this.#emitState();
  }
}

/**
 * What to do with operations an earlier page left unsent (`saved` = {version, ops} from
 * PendingStorage), now that the server's annotation (at `serverVersion`) is loaded.
 * `hasLanded(op)` tells whether an operation's effect is already in the server's data.
 *
 * Returns {replay, landed, conflict}. Operations at the head of the queue that landed (the
 * page went away before their answer arrived) are dropped, each accounting for one version.
 * If the server is then at the version the rest was based on, they are replayed. Otherwise the
 * annotation changed elsewhere meanwhile: creating spans and relations can still be replayed
 * (they overwrite nothing; client ids keep them from doubling), but an update or a delete could
 * undo someone else's change, so `conflict` asks the analyst first.
 */
/** How many versions an operation raises the annotation by once saved: one, or one per span of
 * a deleteSpans. */
export function versionsTaken(op) {
  return op.kind === "deleteSpans" ? op.keys.length : 1;
}

export function reconcile(saved, serverVersion, hasLanded) {
  const ops = [...(saved?.ops || [])];
  let expected = saved?.version ?? serverVersion;
  const landed = [];
  while (ops.length && serverVersion > expected && hasLanded(ops[0])) {
    const op = ops.shift();
    landed.push(op);
    expected += versionsTaken(op);
  }
  const replay = [];
  for (const op of ops) {
    if (isCreate(op) && hasLanded(op)) landed.push(op);
    else replay.push(op);
  }
  const conflict = replay.length > 0 && serverVersion !== expected && !replay.every(isCreate);
  return { replay, landed, conflict };
}

/**
 * The localStorage mirror of the queue. One key per annotation holds an entry per browser tab
 * (a tab keeps its id in sessionStorage, which survives a reload), so two tabs on the same
 * annotation never overwrite each other's unsent operations. A tab's entry that has not been
 * refreshed for `staleMs` belongs to a tab that is gone; the next page to load adopts it.
 */
export class PendingStorage {
  #storage;
  #key;
  #tab;
  #now;
  #staleMs;

  constructor(storage, key, tabId, { now = () => Date.now(), staleMs = 60_000 } = {}) {
    this.#storage = storage;
    this.#key = key;
    this.#tab = tabId;
    this.#now = now;
    this.#staleMs = staleMs;
  }

  #readAll() {
    try {
      const raw = this.#storage.getItem(this.#key);
      const parsed = raw ? JSON.parse(raw) : null;
      return parsed && typeof parsed.tabs === "object" && parsed.tabs ? parsed.tabs : {};
    } catch {
      return {};
    }
  }

  #writeAll(tabs) {
    try {
      if (Object.keys(tabs).length) this.#storage.setItem(this.#key, JSON.stringify({ tabs }));
      else this.#storage.removeItem(this.#key);
      return true;
    } catch {
      return false; // storage full or disabled: the in-memory queue still holds everything
    }
  }

  /** {mine: {version, ops}|null, orphans: [{tab, version, ops}]} */
  read() {
    const tabs = this.#readAll();
    const mine = tabs[this.#tab] || null;
    const orphans = Object.entries(tabs)
      .filter(([tab, entry]) => tab !== this.#tab && this.#now() - (entry.at || 0) > this.#staleMs)
      .map(([tab, entry]) => ({ tab, version: entry.version, ops: entry.ops || [] }));
    return { mine, orphans };
  }

  /** Store this tab's queue (or forget it when empty); false if storage refused. */
  write({ version, ops }) {
    const tabs = this.#readAll();
    if (ops.length) tabs[this.#tab] = { version, ops, at: this.#now() };
    else delete tabs[this.#tab];
    return this.#writeAll(tabs);
  }

  /** Forget the entries of other tabs (after adopting their operations). */
  forget(tabIds) {
    const tabs = this.#readAll();
    for (const tab of tabIds) delete tabs[tab];
    return this.#writeAll(tabs);
  }
}
