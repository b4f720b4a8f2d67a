// The workspace's keys (annotate.html's shortcuts dialog lists them). Single keys act outside
// text fields (where only Escape acts: it leaves the field and deselects) and without Ctrl, Alt
// or Meta; while a link target is being chosen the linker
// has the keyboard; Shift+arrows in the text extend the selection (from the selected span
// when nothing is selected) to mark a span.

import { isTextEntry } from "../dom.js";
import { spanToUtf16 } from "../offsets.js";

const ARROWS = ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown"];

/** Grow the text selection by the Shift+arrow `event` asks; false when there is nothing to grow. */
function extendSelection(event, { view, store, index }) {
  const selection = getSelection();
  if (!view.selectedRange()) {
    const span = store.selected ? store.span(store.selected) : null;
    if (!span) return false;
    const { start, end } = spanToUtf16(index, span);
    selection.setBaseAndExtent(view.textNode, start, view.textNode, end);
  }
  const forward = event.key === "ArrowRight" || event.key === "ArrowDown";
  const unit = event.key === "ArrowUp" || event.key === "ArrowDown" ? "line" : event.ctrlKey ? "word" : "character";
  selection.modify("extend", forward ? "forward" : "backward", unit);
  return true;
}

/**
 * The workspace's keydown listener, for `document` in the capture phase. `doc` is the text's
 * element, `labelKeys` the Map hotkey → label; `page` does what a key asks: say(message),
 * step(±1) → false at either end, markSelection(label), startLink(), editRelation(key),
 * deleteRelation(key), deleteSpan(key), undo(), redo(), toggleArcs(), showDialog(name),
 * acceptLinkOffer() → false when no link is offered,
 * goNext(), clear(), nudgeSpan(key, edge, direction, unit).
 */
export function keydownListener({ doc, view, index, store, panel, linker, suggestions, labelKeys, page }) {
  return (event) => {
    if (event.defaultPrevented || document.querySelector("dialog[open]")) return;
    if (linker.active) {
      if (linker.onKey(event)) {
        event.preventDefault();
        event.stopPropagation();
      }
      return;
    }
    const target = event.target;
    if (isTextEntry(target)) {
      // Escape leaves the field and deselects, as it does everywhere else; other keys type.
      if (event.key === "Escape" && !event.ctrlKey && !event.metaKey && !event.altKey) {
        target.blur();
        page.clear();
        event.preventDefault();
      }
      return;
    }
    const inText = target === doc || doc.contains(target) || target === document.body;
    // Alt+←/→ move the selected span's start by a word, with Shift its end (as on the review
    // page, where Shift moves the end); with Ctrl too, by one character.
    if (event.altKey && !event.metaKey && (event.key === "ArrowLeft" || event.key === "ArrowRight") && inText) {
      if (!store.selected || view.selectedRange()) return;
      page.nudgeSpan(store.selected, event.shiftKey ? "end" : "start", event.key === "ArrowLeft" ? -1 : 1, event.ctrlKey ? "character" : "word");
      event.preventDefault(); // and no going back in the browser's history
      return;
    }
    if (event.shiftKey && ARROWS.includes(event.key) && inText && !event.altKey && !event.metaKey) {
      if (extendSelection(event, { view, store, index })) event.preventDefault();
      return;
    }
    // Ctrl+Z undoes, Ctrl+Shift+Z and Ctrl+Y redo (⌘ on a Mac); in a text field they are the
    // field's own (handled above).
    const letter = event.key.toLowerCase();
    if ((event.ctrlKey || event.metaKey) && !event.altKey && (letter === "z" || letter === "y")) {
      if (letter === "y" || event.shiftKey) page.redo();
      else page.undo();
      event.preventDefault();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const relationRow = target instanceof Element ? target.closest("[data-relation]") : null;
    if (suggestions.onKey(event, { relationRow })) {
      event.preventDefault();
      return;
    }
    let handled = true;
    switch (event.key) {
      case "Tab":
        handled = inText && page.step(event.shiftKey ? -1 : 1);
        break;
      case "j":
        page.step(1);
        break;
      case "k":
        page.step(-1);
        break;
      case "Enter":
        // On the row itself: a button in it answers Enter on its own.
        if (relationRow && target === relationRow) page.editRelation(relationRow.dataset.relation);
        // Right after marking a span that can be linked with the one marked before: link them.
        else handled = inText && page.acceptLinkOffer();
        break;
      case "Delete":
      case "Backspace":
      case "x":
        if (relationRow) page.deleteRelation(relationRow.dataset.relation);
        else if (store.selected) page.deleteSpan(store.selected);
        else page.say("Select a span first (click it, or Tab to it).");
        break;
      case "a":
        if (!store.selected) page.say("Select a span first (click it, or Tab to it).");
        else if (!panel.focusFirstField()) page.say("This span has no attributes.");
        break;
      case "l":
        page.startLink();
        break;
      case "z":
      case "u":
        page.undo();
        break;
      case "Z":
      case "U":
        page.redo();
        break;
      case "r":
        page.toggleArcs();
        break;
      case "g":
        page.showDialog("guidelines");
        break;
      case "?":
        page.showDialog("shortcuts");
        break;
      case "n":
        page.goNext();
        break;
      case "Escape":
        page.clear();
        break;
      default: {
        const label = labelKeys.get(event.key);
        if (label) page.markSelection(label);
        else handled = false;
      }
    }
    if (handled) event.preventDefault();
  };
}
