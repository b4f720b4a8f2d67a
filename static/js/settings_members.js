// Settings → Members (labels/templates/labels/settings/members.html): "Copy link" copies the
// invitation's one-time link, which is shown this once.

document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy-link]");
  if (!button) return;
  const input = document.querySelector("[data-invite-link]");
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
    button.textContent = "Copied";
  } catch {
    button.textContent = "Selected: press Ctrl+C";
  }
});
