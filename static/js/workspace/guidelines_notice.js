// "The guidelines changed on … — read them": opening the guidelines records that this member has
// read the version the page shows (POST), and the notice goes. If the request fails the notice
// stays, and the next opening tries again.

import { csrfToken } from "../api.js";

export class GuidelinesNotice {
  /** @param {HTMLElement | null} element the notice, absent when there is nothing new to read */
  constructor(element) {
    this.element = element;
    this.sending = false;
  }

  async read() {
    const notice = this.element;
    if (!notice || this.sending) return;
    this.sending = true;
    const body = new FormData();
    body.set("version", notice.dataset.version);
    try {
      const response = await fetch(notice.dataset.seenUrl, {
        method: "POST",
        body,
        headers: { "X-CSRFToken": csrfToken() },
        credentials: "same-origin",
      });
      if (response.ok) {
        notice.remove();
        this.element = null;
      }
    } catch {
      // Offline: keep the notice; the next opening of the guidelines sends it again.
    } finally {
      this.sending = false;
    }
  }
}
