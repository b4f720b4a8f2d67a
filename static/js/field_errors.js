// A form's errors next to their fields: `showFieldErrors(form, errors)` puts each of the API's
// errors ({field, code, message}) under the control named `field` (or in the fieldset of a
// group of checkboxes), marks it aria-invalid and returns the errors no field of the form has.

/** Remove the errors `showFieldErrors` added. */
export function clearFieldErrors(form) {
  for (const element of form.querySelectorAll("[data-field-error]")) element.remove();
  for (const control of form.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
}

export function showFieldErrors(form, errors) {
  const rest = [];
  let first = null;
  for (const error of errors) {
    const control = error.field ? form.elements.namedItem(error.field) : null;
    const controls = control instanceof RadioNodeList ? [...control] : control ? [control] : [];
    if (!controls.length) {
      rest.push(error);
      continue;
    }
    // A lone control's label holds the message under it; a group's fieldset holds it after it.
    const host = controls.length > 1 ? controls[0].closest("fieldset") : controls[0].closest("label");
    const note = document.createElement("span");
    note.className = "error field-error";
    note.dataset.fieldError = error.field;
    note.textContent = error.message;
    (host ?? controls[0].parentElement).append(note);
    for (const c of controls) c.setAttribute("aria-invalid", "true");
    first ??= controls[0];
  }
  first?.focus();
  return rest;
}
