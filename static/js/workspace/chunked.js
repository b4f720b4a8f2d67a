// A long list of the side panel (a thousand spans, suggestions or suggested links) kept in
// chunks of rows. Each chunk has `content-visibility: auto` (app.css, `.rows`): the browser
// lays out, walks and paints only the chunks on screen, and checks tens of chunks rather than
// thousands of rows for coming into view at every frame. Without chunks an undo on a long
// article spent most of its frame on the rows of these lists (docs/performance.md).
//
// The rows are the list's items (role="listitem"); a chunk is a plain box between them and the
// list (role="list"), which assistive technology passes over. Rows keep their own order: the
// caller says where a row goes (before another row, or at the end), never which chunk.

export const CHUNK_ROWS = 64;

export class ChunkedList {
  #root;
  #size;
  #rowPx;

  /** `root`: the list element; `size`: rows per chunk; `rowPx`: a row's usual height, for the
   * space a chunk takes before it has ever been drawn. */
  constructor(root, { size = CHUNK_ROWS, rowPx = 40 } = {}) {
    this.#root = root;
    this.#size = size;
    this.#rowPx = rowPx;
  }

  #chunk() {
    const chunk = document.createElement("div");
    chunk.className = "rows";
    return chunk;
  }

  #fit(chunk) {
    chunk.style.setProperty("--rows-px", `${chunk.childElementCount * this.#rowPx}px`);
  }

  /** Put exactly `rows` in the list, in this order. */
  replace(rows) {
    const fragment = document.createDocumentFragment();
    for (let i = 0; i < rows.length; i += this.#size) {
      const chunk = this.#chunk();
      chunk.append(...rows.slice(i, i + this.#size));
      this.#fit(chunk);
      fragment.append(chunk);
    }
    this.#root.replaceChildren(fragment);
  }

  /** Insert `row` right before the row `next` (null or not in the list: at the end). */
  insert(row, next = null) {
    let chunk = next && next.parentElement?.parentElement === this.#root ? next.parentElement : null;
    if (chunk) {
      chunk.insertBefore(row, next);
    } else {
      chunk = this.#root.lastElementChild;
      if (!chunk || chunk.childElementCount >= this.#size) {
        chunk = this.#chunk();
        this.#root.append(chunk);
      }
      chunk.append(row);
    }
    if (chunk.childElementCount >= 2 * this.#size) {
      // Split a chunk grown to twice the size, so that no chunk costs more than two.
      const rest = this.#chunk();
      rest.append(...[...chunk.children].slice(this.#size));
      chunk.after(rest);
      this.#fit(rest);
    }
    this.#fit(chunk);
  }

  /** Take `row` out of the list; a chunk left empty goes too. */
  remove(row) {
    const chunk = row.parentElement;
    row.remove();
    if (!chunk || chunk.parentElement !== this.#root) return;
    if (chunk.firstElementChild) this.#fit(chunk);
    else chunk.remove();
  }
}
