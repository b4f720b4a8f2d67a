"""The attribution reader: quotes, cues and sources joined into attributions."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    pass
from labels.suggestions.rules.clauses import (
    _Chunk,
    _chunks,
    _find_cues,
    _inside,
    _sentences,
    _trim,
)
from labels.suggestions.rules.lexicon import (
    _ANAPHORS,
    _CLOSING_PUNCT,
    _COMPLEMENTIZER,
    _COMPLEMENTIZERS,
    _DETERMINERS,
    _LEADING_RECIPIENT,
    _NAMING_VERB,
    _OBJECT_VERB,
    _PERSON_NOUN,
    _QUOTE_TAIL,
    _RELATIVES,
    _fold,
)
from labels.suggestions.rules.quotes import _MARKS, _quote_segments
from labels.suggestions.rules.sources import _post_source, _pre_source
from labels.suggestions.rules.tokens import _Att, _Cue, _Quote, _Seg, _Src

# ---------------------------------------------------------------------------------------------
# 5. Attributions per sentence

#: Lower-case words inside a personal name: "Charles de Gaulle", "Ursula von der Leyen".
_NAME_PARTICLES = frozenset("de van von der den la le du da di bin al".split())


@dataclass(slots=True)
class _Reader:
    text: str
    segments: list[_Seg]
    seg_starts: list[int]
    cues: list[_Cue]
    cue_starts: set[int]
    cue_positions: list[int]
    atts: list[_Att] = field(default_factory=list)
    atts_by_cue: dict[int, list[_Att]] = field(default_factory=dict)
    quotes: list[_Quote] = field(default_factory=list)
    last_direct: _Att | None = None  # for a quoted sentence that continues the previous one

    def content(self, s: int, e: int, rule: str, confidence: float) -> bool:
        """Record the quote covering ``[s, e)``, if any; its type follows from the marks inside."""
        text = self.text
        s, e = _trim(text, s, e)
        while e > s and text[e - 1] in _CLOSING_PUNCT + ",;:":
            e -= 1
        while s < e and text[s] in ",;:—–-":
            s, e = _trim(text, s + 1, e)
        toks = text[s:e].split()
        if len(toks) > 1 and _fold(toks[0].strip("’'")) in _COMPLEMENTIZERS:
            s = s + text[s:e].index(toks[0]) + len(toks[0])
            s, e = _trim(text, s, e)
        first, last = bisect_left(self.seg_starts, s), bisect_right(self.seg_starts, e)
        if (
            s < e
            and _MARKS.match(text, s)
            and (first >= len(self.segments) or self.segments[first].open != s)
        ):
            s, e = _trim(text, s + 1, e)  # an unmatched opening mark is not part of the content
        if s >= e:
            return False
        inner = [g for g in self.segments[first:last] if g.close <= e + 1]
        whole = [g for g in inner if g.open == s and g.close >= e]
        if whole:
            g = whole[0]
            g.covered = True
            self.quotes.append(_Quote(g.start, g.end, "direct", f"quote:{g.style}", 0.9))
            return True
        if len(text[s:e].split()) < 2:
            return False
        for g in inner:
            g.covered = True
        if inner:
            self.quotes.append(_Quote(s, e, "mixed", "quote:mixed", confidence))
        else:
            self.quotes.append(_Quote(s, e, "indirect", rule, confidence))
        return True

    def sentence(self, s: int, e: int, prev: tuple[int, int] | None) -> None:
        text = self.text
        chunks = _chunks(text, s, e, self.segments, self.seg_starts)
        cues = self._cues_between(s, e)
        for cue in cues:
            for chunk in chunks:
                if chunk.start <= cue.start < chunk.end:
                    chunk.cues.append(cue)
                    break
        sentence_atts: list[_Att] = []
        relays: list[_Att] = []
        citing: list[_Att] = []
        for ci, chunk in enumerate(chunks):
            for cue in chunk.cues:
                att = self._attribute(chunks, ci, cue, e, prev, sentence_atts)
                if cue.kind == "relay":
                    relays.append(att)
                elif cue.kind == "citing":
                    citing.append(att)
                sentence_atts.append(att)
        # Quotations standing alone in the sentence attach to the cue clause next to them.
        for ci, chunk in enumerate(chunks):
            if chunk.seg is None or chunk.seg.covered:
                continue
            nearby = self._adjacent(chunks, ci)
            g = chunk.seg
            g.covered = True
            self.quotes.append(
                _Quote(g.start, g.end, "direct", f"quote:{g.style}", 0.9 if nearby else 0.6)
            )
            if nearby is None and self.last_direct is not None and all(c.seg for c in chunks):
                nearby = self.last_direct
            if nearby is not None:
                nearby.quotes.append((g.start, g.end))
                self.last_direct = nearby
        # Relays and cited sources apply to every quote of the sentence.
        speech = [a for a in sentence_atts if a.cue.kind in ("speech", "according")]
        for cited in citing:
            # "…, Reuters reported, citing trading data": the cited source said it, the
            # reporter passes it on.
            reporters = [a for a in speech if a.quotes and a.cue.start < cited.cue.start]
            if reporters:
                reporter = reporters[-1]
                cited.quotes, reporter.quotes = reporter.quotes, []
                cited.relays.extend(reporter.relays)
                cited.relays.append(reporter)
        for relay in relays:
            for a in speech + citing:
                if a is not relay and a.quotes:
                    a.relays.append(relay)
        self.atts.extend(sentence_atts)

    def _cues_between(self, s: int, e: int) -> list[_Cue]:
        return self.cues[bisect_left(self.cue_positions, s) : bisect_left(self.cue_positions, e)]

    def _adjacent(self, chunks: list[_Chunk], ci: int) -> _Att | None:
        for k in (ci + 1, ci - 1):
            if 0 <= k < len(chunks) and chunks[k].cues:
                for cue in chunks[k].cues:
                    for att in self.atts_by_cue.get(cue.start, []):
                        if att.cue.kind in ("speech", "according"):
                            return att
        return None

    def _attribute(
        self,
        chunks: list[_Chunk],
        ci: int,
        cue: _Cue,
        e: int,
        prev: tuple[int, int] | None,
        sentence_atts: list[_Att],
    ) -> _Att:
        """The attribution a cue makes: its source, and the content it introduces or closes."""
        text = self.text
        chunk = chunks[ci]
        pre = text[chunk.start : cue.start].strip()
        pre_words = pre.split()
        att = _Att(cue, None)
        self.atts_by_cue.setdefault(cue.start, []).append(att)
        if cue.pronoun is not None:
            att.source = _Src(*cue.pronoun, "source:in-cue:pronoun", 0.65)
        phrase = text[cue.start : cue.end]

        if cue.kind in ("relay", "citing"):
            att.source, _ = _post_source(text, cue, chunk.end, self.cue_starts)
            return att

        if cue.kind == "according":
            if att.source is None:
                att.source, _ = _post_source(text, cue, chunk.end, self.cue_starts)
            if not pre and ci > 0:  # "…, according to X."
                if (
                    chunks[ci - 1].seg is None
                    and not self._relays_inner(chunks, ci, att, sentence_atts)
                    and self.content(
                        self._content_start(chunks, ci),
                        chunks[ci - 1].end,
                        "quote:according-to",
                        0.65,
                    )
                ):
                    self._give_last_quote(att)
            elif not pre:  # "According to X, …" / "Laut X sind …"
                after = cue.end if cue.pronoun is not None or att.source is None else att.source.end
                if self.content(after, e, "quote:according-to", 0.65):
                    self._give_last_quote(att)
            return att

        # Speech verbs.
        if self._quote_then_cue(chunk, cue, att, phrase):
            return att
        # "…,” Sadie Weiner, the DSCC spokeswoman, said in a statement.": the name before
        # its apposition is the speaker, and the apposition is not content.
        named = self._name_before_apposition(chunks, ci) if not pre and att.source is None else None
        if named is not None:
            k, att.source = named
            rest = text[cue.end : chunk.end].split()
            if k > 0 and (not rest or _fold(rest[0]) in _QUOTE_TAIL or len(rest) <= 3):
                before = chunks[k - 1]
                if before.seg is not None:
                    if not before.seg.covered:
                        self._attach(before.seg, att, 0.85)
                    else:
                        for a in self.atts:
                            if (before.seg.start, before.seg.end) in a.quotes:
                                a.quotes.remove((before.seg.start, before.seg.end))
                        att.quotes.append((before.seg.start, before.seg.end))
                elif self.content(
                    self._content_start(chunks, k), before.end, "quote:before-cue", 0.6
                ):
                    self._give_last_quote(att)
            else:
                self._content_after(chunks, ci, cue, att, e)
            return att

        inverted_pre = not pre or (len(pre_words) == 1 and _fold(pre_words[0]) in _ANAPHORS)
        post, clean = (None, False)
        if att.source is None and inverted_pre and not _OBJECT_VERB.match(phrase):
            post, clean = _post_source(text, cue, chunk.end, self.cue_starts)
        if att.source is not None or (post is not None and clean):
            if att.source is None and post is not None:
                att.source = self._apposed_name(chunks, ci, post)
            if pre and prev is not None:  # "Das teilte das Unternehmen mit."
                if self.content(prev[0], prev[1], "quote:anaphor", 0.55):
                    self._give_last_quote(att)
            elif ci > 0 and not pre:
                if not self._relays_inner(chunks, ci, att, sentence_atts):
                    self._content_before(chunks, ci, att)
            elif ci == 0 and cue.pronoun is not None and len(chunks) > 1:
                self._content_after_chunk(chunks, ci, att, e)
            return att

        # The speaker comes before the cue.
        att.source = self._speaker_before(chunks, ci, cue, sentence_atts)
        trailing = text[cue.end : chunk.end].strip()
        closes_sentence = ci > 0 and (
            not trailing or self._only_relays_after(chunks, ci) and len(trailing.split()) <= 4
        )
        if closes_sentence and self._only_relays_after(chunks, ci):
            if chunks[ci - 1].seg is not None:
                return att  # "“…,” the Kremlin said": the quotation attaches by adjacency
            if not self._relays_inner(chunks, ci, att, sentence_atts):
                self._content_before(chunks, ci, att)
            return att
        self._content_after(chunks, ci, cue, att, e)
        return att

    def _name_before_apposition(self, chunks: list[_Chunk], ci: int) -> tuple[int, _Src] | None:
        """``(index, source)`` of a name followed by its comma apposition just before the cue
        clause — "Jeff Weaver, Sanders’ campaign manager, said" — or ``None``."""
        if ci < 2:
            return None
        appo, name = chunks[ci - 1], chunks[ci - 2]
        if appo.cues or appo.seg or name.cues or name.seg or name.sep != "," or appo.sep != ",":
            return None
        appo_words = self.text[appo.start : appo.end].split()
        name_words = self.text[name.start : name.end].split()
        if not 1 <= len(appo_words) <= 10 or not 1 <= len(name_words) <= 6:
            return None
        lead = _fold(appo_words[0])
        if not (
            lead in _DETERMINERS
            or not appo_words[0][:1].isupper()
            or lead.endswith(("’s", "'s", "s’", "s'"))
            or _PERSON_NOUN.search(self.text, appo.start, appo.end)
        ):
            return None
        if not all(w[:1].isupper() or _fold(w) in _NAME_PARTICLES for w in name_words):
            return None
        src = _pre_source(self.text, name.start, name.end)
        return (ci - 2, src) if src is not None else None

    def _quote_then_cue(self, chunk: _Chunk, cue: _Cue, att: _Att, phrase: str) -> bool:
        """“…” said the observer / “…” the observer said — without the usual comma."""
        k = bisect_right(self.seg_starts, cue.start) - 1
        if k < 0:
            return False
        g = self.segments[k]
        if g.open < chunk.start or g.close > cue.start or g.standalone:
            return False
        between = self.text[g.close : cue.start].strip(" ,—–-\u00a0\u202f")
        after = self.text[cue.end : chunk.end].split()
        if not between and not _OBJECT_VERB.match(phrase):
            att.source, _ = _post_source(self.text, cue, chunk.end, self.cue_starts)
        elif g.open == chunk.start and 0 < len(between.split()) <= 6 and len(after) <= 4:
            att.source = _pre_source(self.text, g.close, cue.start)
        else:
            return False
        self._attach(g, att, 0.85)
        return True

    def _attach(self, g: _Seg, att: _Att, confidence: float, rule: str = "") -> None:
        g.covered = True
        self.quotes.append(_Quote(g.start, g.end, "direct", rule or f"quote:{g.style}", confidence))
        att.quotes.append((g.start, g.end))

    def _relays_inner(
        self, chunks: list[_Chunk], ci: int, att: _Att, sentence_atts: list[_Att]
    ) -> bool:
        """A closing "…, the Kremlin said" after a clause that has its own speaker relays it."""
        k = ci - 1
        while k > 0 and chunks[k - 1].sep not in (":", ";"):
            k -= 1
        region = chunks[k].start
        inner = [
            a
            for a in sentence_atts
            if a.cue.kind in ("speech", "according") and region <= a.cue.start < chunks[ci].start
        ]
        for a in inner:
            a.relays.append(att)
        return bool(inner)

    def _apposed_name(self, chunks: list[_Chunk], ci: int, src: _Src) -> _Src:
        """ ", a déclaré la secrétaire générale d’un syndicat, Claire Vasseur," → the name."""
        if ci + 1 >= len(chunks) or self.text[src.start].isupper() or src.end != chunks[ci].end:
            return src
        nxt = chunks[ci + 1]
        words = self.text[nxt.start : nxt.end].rstrip(".!?").split()
        if (
            nxt.cues
            or nxt.seg
            or not 1 <= len(words) <= 4
            or not all(w[:1].isupper() for w in words)
        ):
            return src
        return _Src(
            nxt.start,
            nxt.start + len(self.text[nxt.start : nxt.end].rstrip(".!?")),
            "source:apposition",
            0.7,
        )

    def _give_last_quote(self, att: _Att) -> None:
        """Attribute the quote just recorded to ``att``."""
        if self.quotes and not any(
            q == (self.quotes[-1].start, self.quotes[-1].end) for q in att.quotes
        ):
            att.quotes.append((self.quotes[-1].start, self.quotes[-1].end))

    def _only_relays_after(self, chunks: list[_Chunk], ci: int) -> bool:
        for chunk in chunks[ci + 1 :]:
            if chunk.seg is not None:
                return False
            if chunk.cues and all(c.kind != "speech" for c in chunk.cues):
                continue  # ", quoted by AFP", ", according to Reuters"
            if not chunk.cues and len(self.text[chunk.start : chunk.end].split()) <= 8:
                continue  # an apposition: ", a campaigner for Greenpeace in Brussels"
            return False
        return True

    def _content_start(self, chunks: list[_Chunk], ci: int) -> int:
        k = ci - 1
        while (
            k > 0
            and chunks[k - 1].sep not in (":", ";")
            and not chunks[k - 1].cues
            and chunks[k - 1].seg is None
        ):
            k -= 1
        return chunks[k].start

    def _content_before(self, chunks: list[_Chunk], ci: int, att: _Att) -> None:
        if chunks[ci - 1].seg is not None:
            return  # attaches by adjacency
        start = self._content_start(chunks, ci)
        if self.content(start, chunks[ci - 1].end, "quote:before-cue", 0.6):
            self._give_last_quote(att)

    def _content_after_chunk(self, chunks: list[_Chunk], ci: int, att: _Att, e: int) -> None:
        nxt = chunks[ci + 1]
        if nxt.seg is not None or nxt.cues:
            return
        end = self._content_end(chunks, ci + 1, nxt.start, e)
        if self.content(nxt.start, end, "quote:after-cue", 0.6):
            self._give_last_quote(att)

    def _content_after(self, chunks: list[_Chunk], ci: int, cue: _Cue, att: _Att, e: int) -> None:
        text = self.text
        chunk = chunks[ci]
        start = cue.end
        # "told his counterpart on Wednesday that …": the content starts after the complementizer.
        # Only a complementizer of this cue: not one inside a quotation ("“… promises that
        # are …”") or after the next cue ("said … and warned that …").
        limit = min([c.start for c in chunk.cues if c.start > cue.start] + [chunk.end])
        for m in _COMPLEMENTIZER.finditer(text, cue.end, limit):
            if _inside(self.segments, self.seg_starts, m.start()):
                continue
            if len(text[cue.end : m.start()].split()) <= 8:
                start = m.end()
            break
        else:
            phrase = text[cue.start : cue.end]
            if _NAMING_VERB.match(phrase):
                k = bisect_right(self.seg_starts, cue.end)  # the next quotation
                if k < len(self.segments):
                    g = self.segments[k]
                    between = text[cue.end : g.open].split()
                    if g.open < chunk.end and len(between) <= 1:
                        self._attach(g, att, 0.6, "quote:named-as")
                        return
            # "said “…” on Tuesday", "told reporters “…”": the quotation is the content.
            lead = _LEADING_RECIPIENT.match(text, start, chunk.end)
            pos = lead.end() if lead else start
            k = bisect_left(self.seg_starts, pos)
            if k < len(self.segments) and self.segments[k].open == pos:
                g = self.segments[k]
                tail = [w for w in text[g.close : chunk.end].split() if any(map(str.isalnum, w))]
                if g.close <= chunk.end and (not tail or _fold(tail[0]) in _QUOTE_TAIL):
                    self._attach(g, att, 0.85)
                    return
        if not text[start : chunk.end].strip():
            if ci + 1 < len(chunks) and chunks[ci].sep == ",":
                self._content_after_chunk(chunks, ci, att, e)
            return
        if chunk.sep == ":" and ci + 1 < len(chunks) and chunks[ci + 1].seg is not None:
            return  # "… in a post: “…”": the quotation attaches by adjacency
        if ci + 1 < len(chunks) and chunks[ci + 1].seg is not None and start == cue.end:
            return  # "he told reporters, “…”"
        if ci > 0 and chunks[ci - 1].seg is not None and start == cue.end:
            return  # "“…,” he told reporters."
        end = self._content_end(chunks, ci, start, e)
        if self.content(start, end, "quote:after-cue", 0.6):
            self._give_last_quote(att)

    def _content_end(self, chunks: list[_Chunk], ci: int, start: int, e: int) -> int:
        """Where content introduced by a cue ends: before the next coordinated cue, before a
        closing attribution clause ("…, added the Kremlin"), else at the end of its clause."""
        text = self.text
        chunk = chunks[ci]
        for cue in chunk.cues:
            if cue.start > start:
                m = re.search(r"\s(?:and|et|und|и|y)\s+$", text[start : cue.start])
                if m:
                    return start + m.start()
        for k in range(ci + 1, len(chunks)):
            if chunks[k].cues and any(c.kind in ("speech", "according") for c in chunks[k].cues):
                words = text[chunks[k].start : chunks[k].cues[0].start].split()
                if len(words) <= 4 and self._only_relays_after(chunks, k):
                    return chunks[k - 1].end
        # The reported clause runs on over commas ("the plan, which was drafted in May, would
        # cut taxes"), up to a semicolon or colon, a quotation standing alone, or a clause
        # with a cue of its own.
        end = chunk.end
        for k in range(ci + 1, len(chunks)):
            if chunks[k - 1].sep != "," or chunks[k].cues or chunks[k].seg is not None:
                break
            end = chunks[k].end
        return end

    def _speaker_before(
        self, chunks: list[_Chunk], ci: int, cue: _Cue, sentence_atts: list[_Att]
    ) -> _Src | None:
        text = self.text
        chunk = chunks[ci]
        pre = text[chunk.start : cue.start]
        if re.search(r"(?:^|\s)(?:and|et|und|и|y)\s*$", pre):
            for a in reversed(sentence_atts):
                if a.source is not None and a.cue.start >= chunk.start:
                    return a.source
        words = pre.split()
        if not words or (len(words) == 1 and _fold(words[0]) in _RELATIVES):
            k = ci - 1
            while (
                k >= 0
                and (text[chunks[k].start : chunks[k].end].split() or [""])[0].lower() in _RELATIVES
            ):
                k -= 1
            if k >= 0 and chunks[k].seg is None:
                return _pre_source(text, chunks[k].start, chunks[k].end)
            return None
        return _pre_source(text, chunk.start, cue.start)


def _read(text: str) -> tuple[list[_Seg], list[_Cue], _Reader]:
    paragraphs = []
    pos = 0
    for m in re.finditer(r"\n[ \t\u00a0]*\n\s*", text):
        paragraphs.append((pos, m.start()))
        pos = m.end()
    paragraphs.append((pos, len(text)))
    segments: list[_Seg] = []
    for ps, pe in paragraphs:
        segments.extend(_quote_segments(text, ps, pe))
    cues = _find_cues(text, segments)
    positions = [c.start for c in cues]
    reader = _Reader(text, segments, [g.open for g in segments], cues, set(positions), positions)
    for ps, pe in paragraphs:
        prev = None
        for s, e in _sentences(text, ps, pe, segments):
            reader.sentence(s, e, prev)
            prev = (s, e)
        reader.last_direct = None
    return segments, cues, reader
