// Parts of a server-rendered page brought up to date without reloading it: every element marked
// `data-region="name"` is replaced by the element of the same name in a fresh copy of the page
// (the same URL, so its filters and page number stay). The project page uses it for its article
// list, counts and the assign form's articles after an import, so that the import's report stays
// in view. Regions hold what the server shows, not what the user types (the search box is not
// in one), so nothing being typed is lost.

/**
 * Replace each `[data-region]` of `root` by its counterpart in the page at `url`. Resolves to
 * true once done, false when the server did not send the page (nothing is replaced then).
 */
export async function refreshRegions(root = document, url = window.location.href) {
  const answer = await fetch(url, {
    credentials: "same-origin",
    headers: { Accept: "text/html" },
  });
  if (!answer.ok) return false;
  // The server's own escaped template (article titles are text in it), parsed inertly.
  const fresh = new DOMParser().parseFromString(await answer.text(), "text/html");
  for (const region of root.querySelectorAll("[data-region]")) {
    const next = fresh.querySelector(`[data-region="${CSS.escape(region.dataset.region)}"]`);
    if (!next) continue;
    const replacement = document.importNode(next, true);
    // A choice already made in a list (the assign form's article) stays made if still offered.
    if (region instanceof HTMLSelectElement && region.value) {
      const kept = [...replacement.options].find((option) => option.value === region.value);
      if (kept) replacement.value = kept.value;
    }
    region.replaceWith(replacement);
  }
  return true;
}
