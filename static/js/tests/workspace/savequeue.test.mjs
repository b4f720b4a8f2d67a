import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { errorMessage } from "../../api.js";
import { LocalRejection, PendingStorage, SaveQueue, reconcile, stateText } from "../../workspace/savequeue.js";
import { memoryStorage } from "./storage.mjs";

// Timers under the test's control: nothing waits for real time.
function fakeTimers() {
  let now = 0;
  const due = [];
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = Symbol("timer");
      due.push({ id, at: now + ms, fn });
      return id;
    },
    clearTimeout(id) {
      const at = due.findIndex((t) => t.id === id);
      if (at !== -1) due.splice(at, 1);
    },
    pending: () => due.length,
    nextDelay: () => (due.length ? Math.min(...due.map((t) => t.at)) - now : null),
    /** Advance to the next timer and run it. */
    fire() {
      due.sort((a, b) => a.at - b.at);
      const t = due.shift();
      now = t.at;
      t.fn();
    },
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

// A server double: answers each send from a script, records what was sent.
function scripted(...answers) {
  const sent = [];
  const send = async (op, version) => {
    sent.push({ op: op.kind + ":" + op.key, version });
    const answer = answers.shift();
    if (answer instanceof Error) throw answer;
    if (typeof answer === "function") return answer(op, version);
    return answer;
  };
  return { send, sent };
}

const ok = (version) => ({ status: 201, body: { version } });
const op = (key, kind = "createSpan") => ({ kind, key, client_id: key });

function makeQueue(server, extra = {}) {
  const timers = fakeTimers();
  const persisted = [];
  const events = [];
  const queue = new SaveQueue({
    send: server.send,
    version: 1,
    timers,
    now: timers.now,
    persist: (entry) => persisted.push(JSON.parse(JSON.stringify(entry))),
    ...extra,
  });
  for (const type of ["saved", "rejected", "conflict", "idle"]) {
    queue.addEventListener(type, (e) => events.push([type, e.detail?.op?.key ?? null]));
  }
  return { queue, timers, persisted, events };
}

describe("SaveQueue", () => {
  test("sends operations one at a time, in order, each with the version the last answer gave", async () => {
    const server = scripted(ok(2), ok(3), ok(4));
    const { queue, events } = makeQueue(server);
    queue.enqueue(op("a"));
    queue.enqueue(op("b"));
    queue.enqueue(op("c"));
    await flush();
    assert.deepEqual(server.sent, [
      { op: "createSpan:a", version: 1 },
      { op: "createSpan:b", version: 2 },
      { op: "createSpan:c", version: 3 },
    ]);
    assert.equal(queue.version, 4);
    assert.equal(queue.state, "saved");
    assert.deepEqual(events.at(-1), ["idle", null]);
  });

  test("a network failure keeps the operation and retries with growing delays until it lands", async () => {
    const server = scripted(new TypeError("Failed to fetch"), new TypeError("Failed to fetch"), ok(2));
    const { queue, timers, events } = makeQueue(server);
    queue.enqueue(op("a"));
    await flush();
    assert.equal(queue.state, "offline");
    assert.equal(queue.size, 1);
    assert.equal(timers.nextDelay(), 1000);
    timers.fire();
    await flush();
    assert.equal(queue.state, "offline");
    assert.equal(timers.nextDelay(), 2000);
    timers.fire();
    await flush();
    assert.equal(queue.state, "saved");
    assert.equal(queue.size, 0);
    assert.equal(server.sent.length, 3);
    assert.deepEqual(events.filter(([t]) => t === "saved"), [["saved", "a"]]);
  });

  test("5xx and 403 are retried, not dropped", async () => {
    const server = scripted({ status: 503, body: null }, { status: 403, body: { errors: [{ message: "CSRF" }] } }, ok(2));
    const { queue, timers } = makeQueue(server);
    queue.enqueue(op("a"));
    await flush();
    assert.equal(queue.state, "error");
    assert.match(queue.message, /503/);
    timers.fire();
    await flush();
    assert.equal(queue.state, "error");
    assert.equal(queue.message, "CSRF");
    timers.fire();
    await flush();
    assert.equal(queue.state, "saved");
  });

  test("retryNow skips the back-off (the browser came back online)", async () => {
    const server = scripted(new TypeError("offline"), ok(2));
    const { queue, timers } = makeQueue(server);
    queue.enqueue(op("a"));
    await flush();
    assert.equal(timers.pending(), 1);
    queue.retryNow();
    await flush();
    assert.equal(timers.pending(), 0);
    assert.equal(queue.state, "saved");
  });

  test("the back-off stops growing at its last step", async () => {
    const failures = Array.from({ length: 10 }, () => new TypeError("offline"));
    const server = scripted(...failures);
    const { queue, timers } = makeQueue(server, { delays: [10, 20, 40] });
    queue.enqueue(op("a"));
    const delays = [];
    for (let i = 0; i < 5; i++) {
      await flush();
      delays.push(timers.nextDelay());
      timers.fire();
    }
    assert.deepEqual(delays, [10, 20, 40, 40, 40]);
    assert.equal(queue.size, 1);
  });

  test("409 stops the queue with the server's message and keeps the operation", async () => {
    const body = { errors: [{ field: "version", code: "stale_version", message: "Changed elsewhere." }], current_version: 5 };
    const server = scripted({ status: 409, body });
    const { queue, timers, events } = makeQueue(server);
    queue.enqueue(op("a"));
    queue.enqueue(op("b"));
    await flush();
    assert.equal(queue.state, "conflict");
    assert.equal(queue.message, "Changed elsewhere.");
    assert.equal(queue.size, 2);
    assert.equal(timers.pending(), 0);
    assert.deepEqual(events, [["conflict", "a"]]);
    queue.enqueue(op("c"));
    queue.retryNow();
    await flush();
    assert.equal(server.sent.length, 1, "nothing more is sent after a conflict");
    assert.equal(queue.size, 3);
  });

  test("a 409 after a lost answer is checked: if our own write landed, the queue goes on", async () => {
    const server = scripted(new TypeError("connection reset"), { status: 409, body: {} }, ok(4));
    const confirmed = [];
    const { queue, timers } = makeQueue(server, {
      confirm: async (o, version) => {
        confirmed.push([o.key, version]);
        return { version: 3 };
      },
    });
    queue.enqueue(op("a", "deleteSpan"));
    queue.enqueue(op("b"));
    await flush();
    timers.fire();
    await flush();
    assert.deepEqual(confirmed, [["a", 1]]);
    assert.equal(queue.state, "saved");
    assert.deepEqual(server.sent.at(-1), { op: "createSpan:b", version: 3 });
  });

  test("a 409 on a first attempt is a conflict even with a confirm hook", async () => {
    const server = scripted({ status: 409, body: {} });
    let asked = false;
    const { queue } = makeQueue(server, { confirm: async () => ((asked = true), { version: 9 }) });
    queue.enqueue(op("a", "updateSpan"));
    await flush();
    assert.equal(asked, false);
    assert.equal(queue.state, "conflict");
  });

  test("a 400 takes the operation off with its reason and the queue goes on", async () => {
    const refusal = { errors: [{ field: "to", code: "pair_not_allowed", message: "attributed_to goes from Quote to Source." }] };
    const server = scripted({ status: 400, body: refusal }, ok(2));
    const rejected = [];
    const { queue } = makeQueue(server);
    queue.addEventListener("rejected", (e) => rejected.push([e.detail.status, errorMessage(e.detail.body)]));
    queue.enqueue(op("a", "createRelation"));
    queue.enqueue(op("b"));
    await flush();
    assert.deepEqual(rejected, [[400, "attributed_to goes from Quote to Source."]]);
    assert.equal(queue.state, "saved");
    assert.equal(queue.version, 2);
  });

  test("LocalRejection from send is reported like a refusal", async () => {
    const server = scripted(() => {
      throw new LocalRejection("The span this refers to was never saved.");
    });
    const rejected = [];
    const { queue } = makeQueue(server);
    queue.addEventListener("rejected", (e) => rejected.push(errorMessage(e.detail.body)));
    queue.enqueue(op("a", "createRelation"));
    await flush();
    assert.deepEqual(rejected, ["The span this refers to was never saved."]);
    assert.equal(queue.size, 0);
  });

  test("every change is persisted, and an acknowledged operation leaves the mirror", async () => {
    let release;
    const server = scripted(() => new Promise((resolve) => (release = () => resolve(ok(2)))));
    const { queue, persisted } = makeQueue(server);
    queue.enqueue(op("a"));
    assert.deepEqual(persisted.at(-1), { version: 1, ops: [op("a")] });
    release();
    await flush();
    assert.deepEqual(persisted.at(-1), { version: 2, ops: [] });
  });

  test("discard removes queued operations but never the one in flight", async () => {
    let release;
    const server = scripted(() => new Promise((resolve) => (release = () => resolve(ok(2)))), ok(3));
    const { queue } = makeQueue(server);
    queue.enqueue(op("a"));
    queue.enqueue(op("b"));
    queue.enqueue(op("c", "createRelation"));
    await flush();
    const removed = queue.discard(() => true);
    assert.deepEqual(removed.map((o) => o.key), ["b", "c"]);
    release();
    await flush();
    assert.equal(queue.size, 0);
    assert.equal(server.sent.length, 1);
  });

  test("start sends the operations a queue was created with", async () => {
    const server = scripted(ok(8));
    const timers = fakeTimers();
    const queue = new SaveQueue({ send: server.send, version: 7, ops: [op("a")], timers, now: timers.now });
    queue.start();
    await flush();
    assert.deepEqual(server.sent, [{ op: "createSpan:a", version: 7 }]);
  });
});

describe("reconcile", () => {
  const landedSet = (...keys) => (o) => keys.includes(o.key);

  test("unchanged server: everything is replayed", () => {
    const saved = { version: 4, ops: [op("a", "updateSpan"), op("b", "deleteSpan")] };
    const r = reconcile(saved, 4, landedSet());
    assert.deepEqual(r.replay.map((o) => o.key), ["a", "b"]);
    assert.equal(r.conflict, false);
  });

  test("operations that landed before the page went away are dropped, one version each", () => {
    const saved = { version: 4, ops: [op("a", "updateSpan"), op("b", "deleteSpan")] };
    const r = reconcile(saved, 5, landedSet("a"));
    assert.deepEqual(r.landed.map((o) => o.key), ["a"]);
    assert.deepEqual(r.replay.map((o) => o.key), ["b"]);
    assert.equal(r.conflict, false);
  });

  test("changed elsewhere: creates are replayed without asking", () => {
    const saved = { version: 4, ops: [op("a"), op("b", "createRelation")] };
    const r = reconcile(saved, 9, landedSet());
    assert.equal(r.conflict, false);
    assert.equal(r.replay.length, 2);
  });

  test("changed elsewhere: an update or delete needs the analyst's decision", () => {
    const saved = { version: 4, ops: [op("a"), op("b", "updateSpan")] };
    const r = reconcile(saved, 9, landedSet());
    assert.equal(r.conflict, true);
  });

  test("a deletion of many spans that landed accounts for one version per span", () => {
    const many = { kind: "deleteSpans", key: "m", keys: ["x", "y", "z"] };
    const saved = { version: 4, ops: [many, op("b", "updateSpan")] };
    const r = reconcile(saved, 7, landedSet("m"));
    assert.deepEqual(r.landed.map((o) => o.key), ["m"]);
    assert.deepEqual(r.replay.map((o) => o.key), ["b"]);
    assert.equal(r.conflict, false); // at 7 = 4 + 3: nothing changed elsewhere
  });

  test("a create whose client id the server already holds is not replayed", () => {
    const saved = { version: 4, ops: [op("a"), op("b")] };
    const r = reconcile(saved, 5, landedSet("a", "b"));
    assert.deepEqual(r.replay, []);
    assert.equal(r.landed.length, 2);
  });
});

describe("PendingStorage", () => {
  test("two tabs keep separate entries under one key", () => {
    const storage = memoryStorage();
    let now = 1000;
    const a = new PendingStorage(storage, "q:1", "tab-a", { now: () => now });
    const b = new PendingStorage(storage, "q:1", "tab-b", { now: () => now });
    a.write({ version: 3, ops: [op("x")] });
    b.write({ version: 3, ops: [op("y")] });
    assert.deepEqual(a.read().mine.ops, [op("x")]);
    assert.deepEqual(b.read().mine.ops, [op("y")]);
    assert.deepEqual(a.read().orphans, [], "a live tab's entry is not an orphan");
    now += 61_000;
    assert.deepEqual(a.read().orphans.map((o) => o.tab), ["tab-b"]);
    a.forget(["tab-b"]);
    assert.equal(b.read().mine, null);
  });

  test("an empty queue removes the entry, and the key when no tab is left", () => {
    const storage = memoryStorage();
    const a = new PendingStorage(storage, "q:1", "tab-a");
    a.write({ version: 3, ops: [op("x")] });
    a.write({ version: 4, ops: [] });
    assert.equal(storage.data.has("q:1"), false);
  });

  test("unreadable or refused storage does not throw", () => {
    const broken = {
      getItem: () => "{not json",
      setItem: () => {
        throw new Error("QuotaExceededError");
      },
      removeItem: () => {},
    };
    const a = new PendingStorage(broken, "q:1", "tab-a");
    assert.deepEqual(a.read(), { mine: null, orphans: [] });
    assert.equal(a.write({ version: 1, ops: [op("x")] }), false);
  });
});

test("stateText says what the save indicator shows", () => {
  assert.equal(stateText("saved", 0, ""), "✓ All changes saved");
  assert.equal(stateText("saving", 2, ""), "Saving… (2)");
  assert.equal(stateText("offline", 1, ""), "Offline — 1 change kept here, retrying");
  assert.equal(stateText("error", 3, "The server answered 502."), "Not saved yet — The server answered 502. Retrying.");
  assert.equal(stateText("conflict", 2, ""), "Not saved — 2 changes waiting (conflict)");
  assert.equal(stateText("unheard-of", 0, ""), "unheard-of");
});

describe("whenSaved", () => {
  test("resolves at once when nothing waits, true", async () => {
    const { queue } = makeQueue(scripted());
    assert.equal(await queue.whenSaved(), true);
  });

  test("resolves true once the queue is idle", async () => {
    const server = scripted(ok(2), ok(3));
    const { queue } = makeQueue(server);
    queue.enqueue(op("c:a"));
    queue.enqueue(op("c:b"));
    assert.equal(await queue.whenSaved(), true);
    assert.equal(queue.size, 0);
    assert.equal(server.sent.length, 2);
  });

  test("resolves false on a conflict, and at once while it lasts", async () => {
    const { queue } = makeQueue(scripted({ status: 409, body: { errors: [{ code: "conflict", message: "Changed." }] } }));
    queue.enqueue(op("c:a"));
    assert.equal(await queue.whenSaved(), false);
    assert.equal(queue.state, "conflict");
    assert.equal(await queue.whenSaved(), false);
  });
});
