// What the reviewer does on the review page. The server holds every rule (labels/review/):
// each action is saved at once and answered with the whole review as it now stands, which the
// page draws again. Actions run one at a time, each gold write carrying the gold layer's
// version; a 409 reloads the review and says so.

import { errorMessage, newClientId, request } from "../api.js";
import { nudge } from "../boundaries.js";
import { spanToUtf16 } from "../offsets.js";
import { keptAttributes, missingAttributes } from "../schema.js";
import { applyReview, chosenIndex, currentItem, stepTo, target } from "./model.js";

/**
 * The reviewer's actions over `state` (see review.js), drawn by `view` (ReviewView);
 * `reviewUrl` is the review's API address (gold writes go below it).
 */
export function reviewActions({ state, view, reviewUrl }) {
  const url = (path) => `${reviewUrl}${path}`;
  const schema = () => state.review.project.schema;
  let queue = Promise.resolve();
  let draftTimer = null; // pending save of nudged boundaries

  function show(review) {
    applyReview(state, review, { keepDraft: draftTimer !== null }); // more nudges may be waiting
    view.draw();
  }

  /** Run `action` after the ones before it; `action` returns {method, url, data, done, gold}
   * (gold: false for a request that is not a write to the gold layer) or null. The promise
   * returned (by the writes below too) settles once it has run. */
  function act(action, busyMessage = "Saving…") {
    queue = queue.then(async () => {
      const planned = action();
      if (!planned) return;
      view.tell(busyMessage);
      let answer;
      try {
        // Gold writes carry the gold layer's version; sending an annotation back does not.
        const data = planned.gold === false ? planned.data : { ...planned.data, version: state.review.version };
        answer = await request(planned.method, planned.url, data);
      } catch {
        view.tell("Could not reach the server; nothing was saved. Try again.", "error");
        return;
      }
      const { status, body } = answer;
      if (status >= 200 && status < 300) {
        show(body);
        view.tell(planned.done || "All changes saved.");
      } else if (status === 409) {
        await load();
        view.tell("Someone else changed this review meanwhile; this is the latest version.", "error");
      } else {
        view.tell(errorMessage(body, `The server answered ${status}.`), "error");
      }
    });
    return queue;
  }

  async function load() {
    const { status, body } = await request("GET", reviewUrl);
    if (status !== 200) {
      view.tell("Could not load the review.", "error");
      return;
    }
    show(body);
    if (!state.selected) view.tell("j / k step through the disagreements; ? lists every key.");
  }

  /** A POST (or `method`) to `path` below the review that says `done` once saved. */
  const write = (path, data, done, method = "POST") => act(() => ({ method, url: url(path), data, done }));

  function select(key, { scroll = true } = {}) {
    flushDraft();
    if (key !== state.selected) {
      state.version = 0;
      state.pending = null;
    }
    state.selected = key;
    if (key !== null || state.relation !== null) {
      state.relation = null;
      view.drawRelations();
    }
    view.drawText();
    view.drawItems();
    view.drawDetail();
    if (scroll && key) view.reveal(key);
  }

  /** The next undecided disagreement; once all are decided, the next disagreement. */
  function nextDisagreement(step) {
    const open = stepTo(state.items, state.selected, step, (i) => i.disputed && i.status === "open");
    return open ?? stepTo(state.items, state.selected, step, (i) => i.disputed);
  }

  function accept(spanId, changes = {}) {
    return write("accept/", { span: spanId, ...changes }, "Accepted.");
  }

  function saveChanges(item, changes) {
    if (item.kind === "gold" || item.candidate.gold_span) {
      const id = item.kind === "gold" ? item.gold.id : item.candidate.gold_span;
      act(() => ({ method: "PATCH", url: url(`spans/${id}/`), data: changes }));
    } else {
      accept(target(state, item).spans[0], changes);
    }
  }

  function flushDraft() {
    clearTimeout(draftTimer);
    draftTimer = null;
    const item = currentItem(state);
    const draft = state.draft;
    if (!item || !draft) return;
    const span = target(state, item);
    if (draft.start === span.start && draft.end === span.end) {
      state.draft = null;
      return;
    }
    const u = spanToUtf16(state.index, draft);
    saveChanges(item, { start: draft.start, end: draft.end, text: state.review.article.text.slice(u.start, u.end) });
  }

  /** Move the selected span's `edge` by one `unit` ("character" or "word") in `direction`. */
  function nudgeSelected(edge, direction, unit = "character") {
    const item = currentItem(state);
    if (!item) return;
    const span = state.draft || target(state, item);
    const moved = nudge(state.review.article.text, spanToUtf16(state.index, span), edge, direction, unit);
    if (!moved) return;
    state.draft = { start: state.index.toCodePoint(moved.start), end: state.index.toCodePoint(moved.end) };
    view.showDraft();
    clearTimeout(draftTimer);
    draftTimer = setTimeout(flushDraft, 500);
  }

  function rejectSelected() {
    const item = currentItem(state);
    if (!item) return;
    if (item.kind === "gold") write(`spans/${item.gold.id}/`, {}, "Removed from gold.", "DELETE");
    else write("reject/", { span: item.candidate.versions[0].spans[0] }, "Rejected.");
  }

  function acceptSelected() {
    const item = currentItem(state);
    if (!item || item.kind === "gold") return;
    flushDraft();
    accept(item.candidate.versions[chosenIndex(item.candidate, state.version)].spans[0]);
  }

  /** The selected relation candidate, or null. */
  function currentRelation() {
    return state.review.relation_candidates.find((c) => c.key === state.relation) || null;
  }

  /** Select relation candidate `key` (null: none); the spans at its ends are marked. */
  function selectRelation(key) {
    flushDraft();
    state.selected = null;
    state.relation = key;
    view.drawText();
    view.drawItems();
    view.drawDetail();
    view.drawRelations();
    if (key) view.revealRelation(key);
  }

  /** The next (step 1) or previous (-1) relation still to decide; once all are, the next one. */
  function nextRelation(step) {
    const list = state.review.relation_candidates;
    const open = stepTo(list, state.relation, step, (c) => c.status === "open");
    return open ?? stepTo(list, state.relation, step);
  }

  function acceptRelation() {
    const rc = currentRelation();
    if (rc) write("relations/accept/", { relation: rc.versions[0].relations[0] }, "Relation accepted.");
  }

  function rejectRelation() {
    const rc = currentRelation();
    if (rc) write("relations/reject/", { relation: rc.versions[0].relations[0] }, "Relation rejected.");
  }

  function acceptAgreed() {
    flushDraft();
    return write("accept-agreed/", {}, "Accepted every agreed span and relation.");
  }

  function markReviewed() {
    flushDraft();
    return write("mark-reviewed/", {}, "Marked reviewed.");
  }

  /** Choose the next version of the selected candidate (the one "a" accepts). */
  function nextVersion() {
    const item = currentItem(state);
    if (item && item.kind === "candidate") {
      state.version = (chosenIndex(item.candidate, state.version) + 1) % item.candidate.versions.length;
      view.drawText();
      view.drawDetail();
    }
  }

  const missingRequired = (attrs, label) => missingAttributes(schema(), label, attrs).length > 0;

  function setLabel(label) {
    const item = currentItem(state);
    if (!item) return;
    const span = target(state, item);
    const attrs = keptAttributes(schema(), label, span.attrs);
    if (missingRequired(attrs, label)) {
      state.pending = { label, attrs };
      view.drawDetail();
      return;
    }
    state.pending = null;
    if (label !== span.label) saveChanges(item, { label, attrs });
  }

  function setAttribute(name, value) {
    const item = currentItem(state);
    if (!item) return;
    const label = state.pending ? state.pending.label : target(state, item).label;
    const attrs = { ...(state.pending ? state.pending.attrs : target(state, item).attrs) };
    if (value === "" || value === null) delete attrs[name];
    else attrs[name] = value;
    if (state.pending) {
      if (missingRequired(attrs, label)) {
        state.pending = { label, attrs };
        return;
      }
      state.pending = null;
      saveChanges(item, { label, attrs });
      return;
    }
    saveChanges(item, { attrs });
  }

  /** Set attribute `name` of gold relation `id` to `value` ("" or false: take it away). */
  function setRelationAttribute(id, name, value) {
    const rel = state.review.gold.relations.find((x) => x.id === id);
    const attrs = { ...rel.attrs };
    if (value === "" || value === false) delete attrs[name];
    else attrs[name] = value;
    write(`relations/${id}/`, { attrs }, `Changed the ${rel.label} link.`, "PATCH");
  }

  function addSpan(label) {
    const span = state.selection;
    if (!span) return;
    view.showAddBar(null);
    window.getSelection().removeAllRanges();
    write("spans/", { ...span, label, attrs: {}, client_id: newClientId() }, `Added a ${label} span to gold.`);
  }

  /** Send annotation `id` back to its annotator with `comment` (not a gold write). */
  function sendBack(id, comment, version) {
    return act(() => ({ method: "POST", url: `/api/v1/annotations/${id}/return/`, data: { comment, version }, gold: false, done: "Sent back with your comment." }));
  }

  return {
    load,
    write,
    select,
    currentRelation,
    selectRelation,
    nextRelation,
    acceptRelation,
    rejectRelation,
    nextDisagreement,
    accept,
    flushDraft,
    nudgeSelected,
    rejectSelected,
    acceptSelected,
    acceptAgreed,
    markReviewed,
    nextVersion,
    setLabel,
    setAttribute,
    setRelationAttribute,
    addSpan,
    sendBack,
  };
}
