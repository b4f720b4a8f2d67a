"""Plain text (one file per article, or one article per line) and CSV with a text column: readers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from labels.interop.reading import _DATE_LINE, DEFAULT_OPTIONS, Note, ReadOptions, Record


def read_text(
    name: str, stream: IO[bytes], options: ReadOptions = DEFAULT_OPTIONS
) -> Iterator[Record | str]:
    """Plain text: the whole file is one article whose id is the file name without extension.
    A first line ``date YYYY-MM-DD`` becomes ``meta.published`` and is not part of the text."""
    data = stream.read()
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        yield f"{name}:1: not valid UTF-8 ({exc.reason} at byte {exc.start})"
        return
    meta: dict[str, Any] = {}
    match = _DATE_LINE.match(text)
    if match:
        meta["published"] = match.group(1)
        text = text[match.end() :]
    yield Record(
        source=f"{name}:1",
        external_id=Path(name).stem,
        raw_text=text.strip(),
        meta=meta,
    )


def read_csv(
    name: str, stream: IO[bytes], options: ReadOptions = DEFAULT_OPTIONS
) -> Iterator[Record | str | Note]:
    """CSV (RFC 4180, read by the ``csv`` module): a header row, then one article per row.
    Quoted fields may hold line breaks and commas; a row's line is the line it starts on."""
    # Article texts are longer than the csv module's default field limit (128 KiB); the upload
    # size limit bounds them instead.
    csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))
    text_stream = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        yield from _csv_records(name, csv.reader(text_stream), options)
    finally:
        text_stream.detach()  # the caller owns (and closes) the binary stream


def _csv_records(name: str, reader, options: ReadOptions) -> Iterator[Record | str | Note]:
    try:
        header = next(reader, None)
    except (csv.Error, UnicodeDecodeError) as exc:
        yield f"{name}:1: {_csv_problem(exc)}"
        return
    if not header:
        yield f"{name}:1: the file is empty; a CSV import needs a header row naming its columns"
        return
    columns = [c.strip() for c in header]
    shown = ", ".join(repr(c) for c in columns)

    def column(chosen: str | None, default: str, what: str, required: bool) -> int | None | str:
        wanted = chosen if chosen is not None else default
        if wanted in columns:
            return columns.index(wanted)
        if chosen is None and not required:
            return None
        return f"{name}:1: there is no {what} column {wanted!r}; the columns are {shown}"

    text_at = column(options.text_column, "text", "text", True)
    id_at = column(options.id_column, "id", "id", False)
    title_at = column(options.title_column, "title", "title", False)
    for found in (text_at, id_at, title_at):
        if isinstance(found, str):
            yield found
            return
    assert isinstance(text_at, int)
    used = {i for i in (text_at, id_at, title_at) if isinstance(i, int)}
    if id_at is None:
        yield Note(
            f"{name}: there is no 'id' column; each article's id is made from its text "
            "(choose an id column to keep your own ids)"
        )
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError) as exc:
            yield f"{name}:{line}: {_csv_problem(exc)}"
            return
        where = f"{name}:{line}"
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            yield (
                f"{where}: the row has {len(row)} field(s) but the header has {len(columns)}; "
                "quote fields that contain commas or line breaks"
            )
            continue
        yield Record(
            source=where,
            external_id=row[id_at] if isinstance(id_at, int) else None,
            raw_text=row[text_at],
            title=row[title_at] if isinstance(title_at, int) else "",
            meta={columns[i]: row[i] for i in range(len(columns)) if i not in used and columns[i]},
        )


def _csv_problem(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return f"not valid UTF-8 ({exc.reason} at byte {exc.start})"
    return f"not valid CSV ({exc})"
