// Building DOM nodes. User text (article text, names, attribute values) only ever goes in as
// text: `text` sets textContent and string children become text nodes; nothing here parses
// HTML. Nothing runs at import time.

// Set as properties (the element's current state), every other prop as an attribute.
const PROPERTIES = new Set(["checked", "disabled", "selected", "value"]);

/**
 * An element `tag` with `props` and `children`. Props: `className`, `text` (textContent),
 * `dataset` (an object), checked / disabled / selected / value as properties, anything else
 * as an attribute (true: present and empty). A prop that is false, null or undefined is left
 * out. Children are nodes or strings (text), possibly in arrays; null, undefined and false are
 * skipped.
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "className") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (PROPERTIES.has(name)) node[name] = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}

/** Whether typing into `target` means text (a field), so that single-key shortcuts stay off. */
export function isTextEntry(target) {
  if (!(target instanceof Element)) return false;
  if (target.isContentEditable || target.tagName === "TEXTAREA" || target.tagName === "SELECT") return true;
  return target.tagName === "INPUT" && !["radio", "checkbox", "button", "submit", "reset"].includes(target.type);
}
