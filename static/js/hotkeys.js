// Single-key shortcuts on simple pages: a button or link marked data-hotkey="n" is clicked when
// "n" is pressed outside a text field and without a modifier (the project page's Next article).

function typing(target) {
  if (!(target instanceof Element)) return false;
  if (target.isContentEditable || ["TEXTAREA", "SELECT"].includes(target.tagName)) return true;
  return target.tagName === "INPUT" && !["radio", "checkbox", "button", "submit", "reset"].includes(target.type);
}

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
  if (typing(event.target) || document.querySelector("dialog[open]")) return;
  const target = [...document.querySelectorAll("[data-hotkey]")].find(
    (el) => el.dataset.hotkey === event.key && !el.disabled,
  );
  if (target) {
    event.preventDefault();
    target.click();
  }
});
