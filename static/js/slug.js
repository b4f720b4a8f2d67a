// A project slug from its name, as the server makes one when the field is left empty
// (django.utils.text.slugify): accents dropped, other non-ASCII characters left out, runs of
// spaces and hyphens become one hyphen, lower case, at most 60 characters.

export const SLUG_MAX_LENGTH = 60;

/** The slug for ``name`` ("" when the name has no ASCII letter or digit). */
export function slugify(name) {
  return name
    .normalize("NFKD")
    .replace(/[^\x00-\x7f]/g, "")
    .toLowerCase()
    .replace(/[^\w\s-]/g, "")
    .trim()
    .replace(/[-\s]+/g, "-")
    .replace(/^[-_]+|[-_]+$/g, "")
    .slice(0, SLUG_MAX_LENGTH)
    .replace(/[-_]+$/, "");
}

/**
 * Keep ``target`` filled with the slug of ``source`` until someone types in ``target``
 * themselves; emptying it hands it back to the name. A slug already given (a form shown again
 * with an error) counts as typed unless it is the name's own slug.
 */
export function followName(source, target) {
  let typed = target.value !== "" && target.value !== slugify(source.value);
  source.addEventListener("input", () => {
    if (!typed) target.value = slugify(source.value);
  });
  target.addEventListener("input", () => {
    typed = target.value !== "";
  });
}
