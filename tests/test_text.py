"""Canonical article text and offsets mapped onto it (DESIGN.md §3). No database."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from labels.errors import Invalid
from labels.text import (
    SCANNED_RANGES,
    canonicalize,
    check_article_text,
    check_span_offsets,
    text_sha256,
)

SAMPLES_PATH = Path(__file__).parent / "data" / "unicode-samples.jsonl"
SAMPLES = [json.loads(line) for line in SAMPLES_PATH.read_text("utf-8").splitlines() if line]
QUOTE_MARKS = [("“", "”"), ("«", "»"), ("「", "」")]

# Pieces of text that exercise every kind of change canonicalisation makes: line endings,
# composition (e + U+0301 → é, Hangul jamo → syllables, Tamil U+0BC6 + U+0BBE), reordering of
# combining marks (U+0323 sorts before U+0301/U+0307/U+0308), decomposing-only characters
# (U+212B ANGSTROM SIGN → Å, U+0F73 → U+0F71 U+0F72) and text NFC leaves alone (emoji with
# skin tones, flags, ZWJ sequences, CJK, precomposed letters).
PIECES = [
    "a", "e", "s", "A", " ", ".", "\t",
    "\r", "\n", "\r\n",
    "😀", "👍🏿", "🇺🇦", "👨\u200d💻", "\u200d",
    "\u0301", "\u0308", "\u0323", "\u0307", "\u0323\u0301", "\u0301\u0323",
    "é", "ñ", "ṩ", "Å", "\u212b",
    "\u1100", "\u1161", "\u11a8", "가",
    "中", "文", "「", "」",
    "\u0bc6", "\u0bbe", "\u0f71", "\u0f73",
]  # fmt: skip
# The pieces that attach to what precedes them, so an offset just before one is not stable.
ATTACHING = set("\u0301\u0308\u0323\u0307\u1161\u11a8\u0bbe\u0f71\u0f73")

mixed_text = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
# Arbitrary Unicode (no lone surrogates: check_article_text refuses those first), with ASCII
# mixed in so there are offsets known to be stable (below).
any_text = st.text(st.one_of(st.characters(codec="utf-8"), st.sampled_from("ab \r\n")), max_size=40)


def reference(raw: str) -> str:
    return unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))


def is_stable(raw: str, offset: int, attaching: set[str] | None = None) -> bool:
    """Whether NFC can leave text on both sides of ``offset`` apart: the ends, or before a
    character that does not attach to the one before it (and not inside a ``\\r\\n``).

    With ``attaching=None`` only ASCII counts, which attaches to nothing in any text."""
    if offset in (0, len(raw)):
        return True
    char = raw[offset]
    if raw[offset - 1 : offset + 1] == "\r\n":
        return False
    return char.isascii() if attaching is None else char not in attaching


def check_mapping(raw: str, attaching: set[str] | None) -> None:
    canonical = canonicalize(raw)
    assert canonical.text == reference(raw)
    assert canonical.sha256 == text_sha256(canonical.text)
    starts = [canonical.map_offset(k, side="start") for k in range(len(raw) + 1)]
    ends = [canonical.map_offset(k, side="end") for k in range(len(raw) + 1)]
    assert starts == sorted(starts) and ends == sorted(ends)
    for k in range(len(raw) + 1):
        assert 0 <= starts[k] <= ends[k] <= len(canonical.text)
        if is_stable(raw, k, attaching):
            assert starts[k] == ends[k] == len(reference(raw[:k]))
    stable = [k for k in range(len(raw) + 1) if is_stable(raw, k, attaching)]
    for i, start in enumerate(stable):
        for end in stable[i:]:
            s, e = canonical.map_span(start, end)
            assert canonical.text[s:e] == reference(raw[start:end])


@pytest.mark.fuzz
@settings(max_examples=300, deadline=None)
@given(mixed_text)
@example("Jose\u0301 said\r\n“no”")
@example("\r\r\n\n\r")
@example("\u0301\u0301e\u0301\u0323\u0308\u1100\u1161\u11a8\u0bc6\u0bbe")
def test_canonical_text_is_nfc_of_lf_text_and_offsets_map_monotonically(raw: str) -> None:
    check_mapping(raw, ATTACHING)


@pytest.mark.fuzz
@settings(max_examples=300, deadline=None)
@given(any_text)
def test_any_unicode_text_canonicalises_like_the_reference(raw: str) -> None:
    check_mapping(raw, attaching=None)


@pytest.mark.fuzz
@settings(max_examples=300, deadline=None)
@given(st.one_of(mixed_text, any_text))
@example("Jose\u0301 said\r\n“no”")
@example("\r\r\n\n\r")
def test_canonical_text_alone_is_the_text_of_canonicalize(raw: str) -> None:
    from labels.text import canonical_text

    assert canonical_text(raw) == canonicalize(raw).text == reference(raw)


@pytest.mark.fuzz
@settings(max_examples=300, deadline=None)
@given(mixed_text, st.data())
def test_offset_inside_a_changed_stretch_moves_outward(raw: str, data: st.DataObject) -> None:
    canonical = canonicalize(raw)
    k = data.draw(st.integers(0, len(raw)))
    start, end = canonical.map_offset(k, side="start"), canonical.map_offset(k, side="end")
    # Outward means: no further than the nearest offsets where the texts provably line up.
    before = max(j for j in range(k + 1) if is_stable(raw, j, ATTACHING))
    after = min(j for j in range(k, len(raw) + 1) if is_stable(raw, j, ATTACHING))
    assert len(reference(raw[:before])) <= start <= end <= len(reference(raw[:after]))


def test_every_character_that_composes_is_composed_when_it_follows_its_base() -> None:
    pairs = []
    for point in range(0x110000):
        decomposition = unicodedata.decomposition(chr(point))
        if decomposition and not decomposition.startswith("<"):
            pairs.append("".join(chr(int(h, 16)) for h in decomposition.split()))
    hangul = "\u1100\u1161\u11a8 \uac00\u11a8 \u1112\u1175\u11c2"
    for raw in ("".join(pairs), "x".join(pairs), "".join(reversed(pairs)), hangul):
        assert canonicalize(raw).text == reference(raw)


def test_unicode_data_outside_the_scanned_ranges_needs_no_normalisation() -> None:
    scanned = [(r.start, r.stop) for r in SCANNED_RANGES]
    for point in range(0x110000):
        if not any(low <= point < high for low, high in scanned):
            char = chr(point)
            assert not unicodedata.combining(char) and not unicodedata.decomposition(char)


def test_offset_outside_the_raw_text_is_refused() -> None:
    canonical = canonicalize("abc")
    for offset, side in [(-1, "start"), (4, "end"), (4, "start")]:
        with pytest.raises(Invalid) as caught:
            canonical.map_offset(offset, side=side)  # type: ignore[arg-type]
        [problem] = caught.value.problems
        assert (problem.field, problem.code) == (side, "out_of_range")
    assert canonical.map_span(0, 3) == (0, 3)


def test_offsets_between_cr_and_lf_move_outward() -> None:
    canonical = canonicalize("a\r\nb")
    assert canonical.text == "a\nb"
    assert canonical.map_span(2, 2) == (1, 2)
    assert canonical.map_span(1, 3) == (1, 2)
    assert canonical.map_span(3, 4) == (2, 3)


def test_already_canonical_text_maps_by_identity() -> None:
    canonical = canonicalize("😀 José\n中文")
    assert canonical.stretches == ()
    assert [canonical.map_offset(k, side="end") for k in range(9)] == list(range(9))


# --- the shared samples -------------------------------------------------------------------


def quote_span(text: str) -> tuple[int, int]:
    for opening, closing in QUOTE_MARKS:
        start = text.find(opening)
        if start >= 0:
            return start + 1, text.index(closing, start + 1)
    raise AssertionError(f"no quotation in {text!r}")


def test_samples_cover_every_kind_of_text() -> None:
    ids = {sample["id"] for sample in SAMPLES}
    assert {"sample-astral", "sample-flag-and-skin-tone", "sample-zwj", "sample-combining-mark",
            "sample-crlf", "sample-nbsp-french", "sample-rtl", "sample-cjk", "sample-html-like",
            "sample-multiple-spaces"} <= ids  # fmt: skip


@pytest.mark.parametrize("sample", SAMPLES, ids=[s["id"] for s in SAMPLES])
def test_quote_in_sample_maps_onto_its_canonical_text(sample: dict[str, str]) -> None:
    raw = sample["text"]
    check_article_text(raw)
    canonical = canonicalize(raw)
    assert canonical.text == reference(raw)
    assert canonicalize(canonical.text).text == canonical.text
    assert canonicalize(canonical.text).sha256 == canonical.sha256

    start, end = quote_span(raw)
    s, e = canonical.map_span(start, end)
    quote = unicodedata.normalize("NFC", raw[start:end])
    assert canonical.text[s:e] == quote
    check_span_offsets(canonical.text, s, e, quote)


def test_offsets_after_each_dropped_cr_shift_by_one() -> None:
    [raw] = [s["text"] for s in SAMPLES if s["id"] == "sample-crlf"]
    canonical = canonicalize(raw)
    crs = [m.start() for m in re.finditer("\r\n", raw)]
    assert len(crs) == 2 and len(canonical.text) == len(raw) - 2
    for k in range(len(raw) + 1):
        if k - 1 not in crs:
            dropped = sum(cr < k for cr in crs)
            assert canonical.map_offset(k, side="start") == k - dropped
            assert canonical.map_offset(k, side="end") == k - dropped


def test_composition_shortens_the_text_and_offset_inside_it_moves_outward() -> None:
    [raw] = [s["text"] for s in SAMPLES if s["id"] == "sample-combining-mark"]
    assert raw.startswith("Jose\u0301"), "the sample should hold e + U+0301, decomposed"
    canonical = canonicalize(raw)
    assert canonical.text.startswith("Jos\u00e9 ")
    assert len(canonical.text) == len(raw) - 1
    # Between the e and its accent: a start moves back before the é, an end after it.
    assert canonical.map_span(4, 4) == (3, 4)
    assert canonical.map_span(0, 4) == (0, 4)
    assert canonical.map_span(4, 6) == (3, 5)
    assert canonical.text[slice(*canonical.map_span(0, 5))] == "José"


# --- check_article_text -------------------------------------------------------------------


def problem_of(error: pytest.ExceptionInfo[Invalid]) -> tuple[str, str, str]:
    [problem] = error.value.problems
    return problem.field, problem.code, problem.message


@pytest.mark.parametrize("text", ["", " ", "\n\r\n\t \u00a0"])
def test_rejects_empty_or_whitespace_only_text(text: str) -> None:
    with pytest.raises(Invalid) as caught:
        check_article_text(text)
    assert problem_of(caught)[:2] == ("text", "empty")


def test_rejects_nul_character_saying_where_it_is() -> None:
    with pytest.raises(Invalid) as caught:
        check_article_text("😀 ab\x00c", field="articles[2].text")
    field, code, message = problem_of(caught)
    assert (field, code) == ("articles[2].text", "nul_character")
    assert "position 4" in message and "PostgreSQL" in message


@pytest.mark.parametrize("char", ["\x01", "\x07", "\x0b", "\x0c", "\x1b", "\x1f"])
def test_rejects_control_characters_saying_where_they_are(char: str) -> None:
    with pytest.raises(Invalid) as caught:
        check_article_text(f"ab{char}")
    field, code, message = problem_of(caught)
    assert (field, code) == ("text", "control_character")
    assert "position 2" in message and f"U+{ord(char):04X}" in message


def test_reports_nul_and_other_control_characters_together() -> None:
    with pytest.raises(Invalid) as caught:
        check_article_text("a\x00b\x07")
    assert [p.code for p in caught.value.problems] == ["nul_character", "control_character"]


def test_rejects_lone_surrogate_that_utf8_cannot_encode() -> None:
    with pytest.raises(Invalid) as caught:
        check_article_text(json.loads('"ab\\ud83d"'))
    assert problem_of(caught)[:2] == ("text", "surrogate_character")


def test_accepts_tabs_line_breaks_and_any_script() -> None:
    for sample in SAMPLES:
        check_article_text(sample["text"])
    check_article_text("a\tb\r\nc\rd\ne 😀 \u200f")


def test_rejects_text_that_is_not_a_string() -> None:
    with pytest.raises(Invalid) as caught:
        check_article_text(None)  # type: ignore[arg-type]
    assert problem_of(caught)[:2] == ("text", "invalid_type")


# --- check_span_offsets -------------------------------------------------------------------


def test_span_after_astral_character_counts_code_points() -> None:
    text = "😀 said"
    check_span_offsets(text, 2, 6, "said")
    with pytest.raises(Invalid) as caught:
        check_span_offsets(text, 3, 7, "said")  # UTF-16 offsets, as a browser would send
    assert problem_of(caught)[:2] == ("end", "out_of_range")


@pytest.mark.parametrize("start, end", [(True, 3), (0, False), ("0", 3), (0, 2.0), (None, 3)])
def test_rejects_offsets_that_are_not_integers(start: object, end: object) -> None:
    with pytest.raises(Invalid) as caught:
        check_span_offsets("hello", start, end, None)
    [problem] = caught.value.problems
    assert problem.field == ("start" if start in (True, "0", None) else "end")
    assert problem.code == "invalid_type"


@pytest.mark.parametrize(
    "start, end, field", [(-1, 2, "start"), (0, 6, "end"), (6, 7, "start"), (2, 1, "end")]
)
def test_rejects_offsets_out_of_range(start: int, end: int, field: str) -> None:
    with pytest.raises(Invalid) as caught:
        check_span_offsets("hello", start, end, None)
    assert caught.value.problems[0].field == field
    assert {p.code for p in caught.value.problems} == {"out_of_range"}


@pytest.mark.parametrize("offset", [0, 3, 5])
def test_rejects_empty_span(offset: int) -> None:
    with pytest.raises(Invalid) as caught:
        check_span_offsets("hello", offset, offset, "")
    assert problem_of(caught)[:2] == ("end", "empty")


def test_accepts_span_at_the_very_end_of_the_text() -> None:
    check_span_offsets("hello", 0, 5, "hello")
    check_span_offsets("hello", 4, 5, None)


def test_rejects_span_text_that_does_not_match_showing_what_is_there() -> None:
    with pytest.raises(Invalid) as caught:
        check_span_offsets("😀 said “no”", 1, 5, "said")
    field, code, message = problem_of(caught)
    assert (field, code) == ("text", "text_mismatch")
    assert '" sai"' in message and "[1, 5)" in message


def test_mismatch_message_is_truncated_for_long_spans() -> None:
    text = "x" * 500
    with pytest.raises(Invalid) as caught:
        check_span_offsets(text, 0, 500, "y" * 500)
    message = problem_of(caught)[2]
    assert len(message) < 250 and "…" in message


def test_rejects_span_text_that_is_not_a_string() -> None:
    with pytest.raises(Invalid) as caught:
        check_span_offsets("hello", 0, 2, 42)
    assert problem_of(caught)[:2] == ("text", "invalid_type")


def test_span_text_is_compared_after_canonicalisation_not_before() -> None:
    canonical = canonicalize("Jose\u0301")
    with pytest.raises(Invalid):
        check_span_offsets(canonical.text, 0, 4, "Jose\u0301")
    check_span_offsets(canonical.text, 0, 4, unicodedata.normalize("NFC", "Jose\u0301"))


def test_sha256_is_of_the_utf8_of_the_canonical_text() -> None:
    composed = "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c"
    assert text_sha256("\u00e9") == composed
    assert canonicalize("e\u0301").sha256 == composed
