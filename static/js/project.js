// The project page (labels/templates/labels/project.html): single-key shortcuts. A button or
// link marked data-hotkey="n" is clicked when "n" is pressed outside a text field and without
// a modifier (the page's Next article).

import { isTextEntry } from "./dom.js";

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
  if (isTextEntry(event.target) || document.querySelector("dialog[open]")) return;
  const target = [...document.querySelectorAll("[data-hotkey]")].find(
    (el) => el.dataset.hotkey === event.key && !el.disabled,
  );
  if (target) {
    event.preventDefault();
    target.click();
  }
});
