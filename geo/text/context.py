"""The words around a name: cue words, spatial modifiers, organisations, adjectives -> RawMention.

:func:`describe` reads the context of one name the scan (:mod:`geo.text.extract`) found, within
its phrase (at most :data:`CONTEXT_TOKENS` tokens on each side, no punctuation in between):

* the cue word before or after it (محافظة، قضاء، ناحية، مدينة، قرية / province, district ...),
* a spatial modifier (شمال/جنوب/شرق/غرب، أطراف، محيط، حزام / north of, outskirts of ...), see
  :data:`geo.text.lexicon.MODIFIER_VALUES`; two compass words combine (شمال شرق: northeast),
* whether it stands inside an organisation name (مجلس محافظة كركوك, Mosul University),
* for a country adjective (السورية, Syrian), whether it qualifies a geographic noun (الحدود
  السورية, the Syrian border),
* capitalisation and a preceding locative preposition.

Context words are read through the per-token :class:`geo.text.scan.Roles`, so most names need no
phrase-table lookup at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.data.gazetteer import Gazetteer
from geo.model import Span
from geo.text.lexicon import Lexicon
from geo.text.scan import NO_ROLES, RolesCache, Start
from geo.text.tokens import SOFT_GAP, Tokens

_COMPASS = ("north", "south", "east", "west")
#: Abbreviated ranks and titles before a person's name in English news (the full words are
#: organisation heads in the lexicon).
_RANKS = frozenset({"capt", "col", "lt", "gen", "maj", "brig", "sgt", "cpl", "mr", "mrs", "ms", "dr"})
#: English words before a capitalised name that make it a place reading (in Hit, near Hit).
_LOCATIVE_EN_WORDS = "in near at from to into outside around toward towards across through via between of"
LOCATIVE_EN = frozenset(_LOCATIVE_EN_WORDS.split())
#: How far (in tokens) the context of a name is read on each side.
CONTEXT_TOKENS = 5


@dataclass(slots=True, eq=False)
class RawMention:
    """A name found in the text, before resolution.

    ``key`` is the gazetteer key it matched (``adj:``-prefixed for a country adjective),
    ``entries`` the gazetteer positions under that key. ``cue_kind`` is the place kind the cue
    word announces. ``blocked`` says why the name is not a place mention here
    (``"organisation"``, ``"adjective"`` without a geographic head, ``"lowercase"``), or is
    ``None``. ``first_token``/``last_token`` index the tokens of the piece of text the name was
    found in (the whole text unless it is longer than :data:`geo.text.extract.CHUNK_CHARS`);
    offsets always index the whole text.
    """

    start: int
    end: int
    text: str
    key: str
    entries: tuple[int, ...]
    sentence: Span
    first_token: int
    last_token: int
    proclitic: str = ""
    cue: str | None = None
    cue_kind: str | None = None
    modifier: str | None = None
    modifier_span: Span | None = None
    adjectival: bool = False
    arabic: bool = False
    capitalised: bool = False
    sentence_initial: bool = False
    locative: bool = False
    blocked: str | None = None


def phrase_floor(tk: Tokens, first: int, sentence_start: int) -> int:
    """The earliest token (at most :data:`CONTEXT_TOKENS` back) in the same phrase as ``first``."""
    starts, gaps = tk.starts, tk.gaps
    floor = first
    limit = first - CONTEXT_TOKENS if first > CONTEXT_TOKENS else 0
    while floor > limit and starts[floor - 1] >= sentence_start and gaps[floor] & SOFT_GAP:
        floor -= 1
    return floor


def phrase_ceiling(tk: Tokens, last: int, sentence_end: int) -> int:
    """One past the last token (at most :data:`CONTEXT_TOKENS` on) in the same phrase as ``last``."""
    starts, gaps = tk.starts, tk.gaps
    ceiling = last + 1
    limit = min(len(starts), last + 1 + CONTEXT_TOKENS)
    while ceiling < limit and starts[ceiling] < sentence_end and gaps[ceiling] & SOFT_GAP:
        ceiling += 1
    return ceiling


def describe(
    tk: Tokens,
    first: int,
    k: int,
    last: int,
    key: str,
    entries: tuple[int, ...],
    read: Start,
    sentence: Span,
    lex: Lexicon,
    gaz: Gazetteer,
    org_reach: dict[int, int],
    roles: RolesCache,
    has_case: bool,
) -> RawMention:
    """The mention of the name read as ``key`` from token ``first`` (an article before it, or ``k``)
    to ``last``, with its context. ``read`` is the reading that matched at token ``k``, ``org_reach``
    the tokens inside organisation phrases (see :func:`geo.text.extract.find_mentions`), and
    ``has_case`` whether the text's Latin letters use both cases."""
    text, keys, starts, ends, gaps = tk.text, tk.keys, tk.starts, tk.ends, tk.gaps
    start, end = starts[first], ends[last]
    s_start, s_end = sentence.start, sentence.end
    arabic, proclitic = read.arabic, read.proclitic
    # context words are read only when the neighbouring token could start one (the common case,
    # a name after في or a comma, skips every table lookup)
    prev_ok = first > 0 and starts[first - 1] >= s_start and gaps[first] & SOFT_GAP
    prev_roles = roles[keys[first - 1]] if prev_ok else NO_ROLES
    prev_ctx = prev_roles.context
    nxt = last + 1
    next_ctx = (
        nxt < len(keys) and keys[nxt] in lex.after_words and starts[nxt] < s_end and gaps[nxt] & SOFT_GAP
    )
    adjectival = key.startswith("adj:")
    floor = phrase_floor(tk, first, s_start) if prev_ctx or adjectival else first
    ceiling = phrase_ceiling(tk, last, s_end) if next_ctx else nxt

    if adjectival and not has_geo_head(
        tk, first, last, lex, gaz, floor, phrase_ceiling(tk, last, s_end), arabic, roles
    ):
        return RawMention(
            start,
            end,
            text[start:end],
            key,
            entries,
            sentence,
            first,
            last,
            proclitic,
            adjectival=True,
            arabic=arabic,
            blocked="adjective",
        )
    blocked: str | None = None
    if org_reach and org_reach.get(k, -1) >= last:
        blocked = "organisation"
    elif (
        not arabic
        and first > 0
        and keys[first - 1] in _RANKS
        and text[ends[first - 1] : start].strip() in ("", ".")
    ):
        blocked = "person"  # "Capt. Ali al-Sharqi" is a man, whatever town shares his name

    cue: str | None = None
    cue_kind: str | None = None
    modifier: str | None = None
    modifier_span: Span | None = None
    if prev_ctx:
        j = first - 1
        cue_start = first
        # a cue word right before the name (Arabic/Kurdish, English "city of")
        if prev_roles.ends_cue and read.cue_ok:
            before = lex.cue_before.before(tk, j, floor)
            if before is not None:
                cue_start, cue_kind = before[0], str(before[1])
                cue = text[starts[cue_start] : ends[j]]
                j = cue_start - 1
        # an organisation head before, through modifiers and cue words (مجلس محافظة كركوك)
        if blocked is None:
            i, steps = cue_start - 1, 0
            while i >= floor and steps < 3:
                word = roles[keys[i]]
                if word.ends_org and lex.org_before.before(tk, i, floor) is not None:
                    blocked = "organisation"
                    break
                if word.org_modifier or word.ends_cue and lex.cue_before.before(tk, i, floor):
                    i, steps = i - 1, steps + 1
                    continue
                break
        # a spatial modifier before the name and its cue (شمال شرقي ديالى, north-west of Mosul)
        mod = None
        if j >= floor and roles[keys[j]].ends_modifier:
            mod = lex.modifier_before.before(tk, j, floor)
        if mod is not None:
            m_start, value = mod[0], str(mod[1])
            if value in _COMPASS and m_start - 1 >= floor:
                prev = lex.modifier_before.before(tk, m_start - 1, floor)
                if prev is not None and str(prev[1]) in _COMPASS and str(prev[1]) != value:
                    value = _combine(str(prev[1]), value)
                    m_start = prev[0]
            modifier = value
            modifier_span = Span(starts[m_start], ends[j], text[starts[m_start] : ends[j]])
    if next_ctx:
        if cue is None and not arabic:
            after = lex.cue_after.after(tk, nxt, ceiling)
            if after is not None:
                cue_kind = str(after[1])
                cue = text[starts[nxt] : ends[after[0]]]
        if blocked is None and not arabic and keys[nxt] in lex.org_after:
            blocked = "organisation"
        if modifier is None:
            after_mod = lex.modifier_after.after(tk, nxt, ceiling)
            if after_mod is not None:
                modifier = str(after_mod[1])
                s, e = starts[nxt], ends[after_mod[0]]
                modifier_span = Span(s, e, text[s:e])

    capitalised = not arabic and text[starts[k]].isupper()
    locative = cue is not None
    if arabic:
        locative = locative or prev_roles.locative_ar or read.locative
    elif prev_ok:
        locative = locative or keys[first - 1] in LOCATIVE_EN
    if not arabic and not capitalised and blocked is None and first == k == last and has_case:
        blocked = "lowercase"

    return RawMention(
        start,
        end,
        text[start:end],
        key,
        entries,
        sentence,
        first,
        last,
        proclitic,
        cue,
        cue_kind,
        modifier,
        modifier_span,
        adjectival,
        arabic,
        capitalised,
        start - s_start <= 2,
        locative,
        blocked,
    )


def _combine(a: str, b: str) -> str:
    ns = a if a in ("north", "south") else b
    ew = b if ns == a else a
    return ns + ew if ns in ("north", "south") and ew in ("east", "west") else b


def has_geo_head(
    tk: Tokens,
    first: int,
    last: int,
    lex: Lexicon,
    gaz: Gazetteer,
    floor: int,
    ceiling: int,
    arabic: bool,
    roles: RolesCache,
) -> bool:
    """Whether a country adjective qualifies a geographic noun (الحدود السورية, Syrian border)."""
    keys = tk.keys
    if arabic:
        i = first - 1
        while i >= floor:
            word = roles[keys[i]]
            if word.adj_head:
                return True
            if word.adjective or keys[i] == "و":
                i -= 1
                continue
            return False
        return False
    i = last + 1
    index = gaz.index
    while i < ceiling and (keys[i] == "and" or "adj:" + keys[i] in index):
        i += 1
    return lex.adj_heads_after.after(tk, i, ceiling) is not None


__all__ = ["CONTEXT_TOKENS", "LOCATIVE_EN", "RawMention", "describe", "phrase_ceiling", "phrase_floor"]
