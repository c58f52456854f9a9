"""Tokens -> raw place mentions, with the words around them that the resolver weighs.

:func:`find_mentions` reads the article's :class:`geo.text.tokens.Tokens` (made once by
:func:`geo.text.tokens.tokenize`, or here when not given) with one cached answer per distinct
folded token to "what may begin here" (:mod:`geo.text.scan`: its readings that start a name or an
organisation phrase, the one-word name it is, the words that may follow it in a longer name).
Folded n-grams are looked up only where the next word may continue a name, and grown only along
known name prefixes. For each name found, :func:`geo.text.context.describe` records the cue word,
spatial modifier, organisation or adjective context, the proclitic taken off (و ب ل ...),
capitalisation and a preceding locative preposition, and the sentence span.

The word lists live in :mod:`geo.text.lexicon`; the resolver (:mod:`geo.text.resolve`) turns the
mentions into places.

Examples
--------
>>> from geo.data.gazetteer import load_gazetteer
>>> ms = find_mentions("هجوم في محيط بغداد وشمال بابل", load_gazetteer())  # doctest: +SKIP
>>> [(m.text, m.modifier) for m in ms]  # doctest: +SKIP
[('بغداد', 'around'), ('بابل', 'north')]
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import compress

from geo.data.gazetteer import Gazetteer
from geo.model import Span
from geo.text.context import RawMention, describe
from geo.text.lexicon import MODIFIER_VALUES, Lexicon, PhraseTable, load_lexicon
from geo.text.normalize import LATIN_HYPHEN_ARTICLES, is_latin_article
from geo.text.scan import Begins, Start, scanner
from geo.text.tokens import JOINED, SOFT_GAP, Tokens, tokens_of

#: Longest text scanned in one piece; longer texts are read in pieces cut at line breaks (the
#: per-piece lists stay bounded).
CHUNK_CHARS = 200_000


def find_mentions(
    text: str,
    gaz: Gazetteer,
    lexicon: Lexicon | None = None,
    *,
    offset: int = 0,
    tokens: Tokens | None = None,
    villages: bool = False,
) -> list[RawMention]:
    """Every gazetteer name in ``text`` (longest match first, no overlaps), with its context.

    Parameters
    ----------
    text
        The text, or a piece of a longer text that starts ``offset`` characters into it.
    gaz
        The gazetteer the names are looked up in.
    lexicon
        The word lists; default ``data/geoparser_lexicon.toml``.
    offset
        Added to every offset, so that they index the longer text ``text`` is a piece of.
    tokens
        ``tokenize(text)``, when the caller already has it (the pipeline shares it with the zone
        trigger finder); made here otherwise.
    villages
        Also return the names of villages, hamlets and neighbourhoods (``cue`` entries) that no cue
        word precedes, for the resolver to look for other support
        (:func:`geo.text.candidates._village_support`); by default they need a cue word.

    Texts longer than :data:`CHUNK_CHARS` are scanned in line-aligned pieces.

    Raises
    ------
    InputError
        When ``tokens`` were made from another text.
    """
    lexicon = lexicon or load_lexicon()
    tokens = tokens_of(text, tokens)
    if len(text) <= CHUNK_CHARS:
        return _find_in_piece(tokens, offset, gaz, lexicon, villages)
    out: list[RawMention] = []
    for pos, piece in tokens.pieces(CHUNK_CHARS):
        out.extend(_find_in_piece(piece, offset + pos, gaz, lexicon, villages))
    return out


def _find_in_piece(tk: Tokens, offset: int, gaz: Gazetteer, lex: Lexicon, villages: bool) -> list[RawMention]:
    text = tk.text
    sc = scanner(gaz, lex)
    keys, roles = tk.keys, sc.roles
    # one lookup per token (C-level map and compress) picks the few tokens that begin a name or
    # an organisation phrase
    begins = list(map(sc.begins.__getitem__, keys))
    hits: list[int] = []
    cue_hits: list[int] = []
    ambiguous = gaz.ambiguous
    org_hits: list[int] = []
    for k in compress(range(len(keys)), begins):
        info: Begins = begins[k]  # type: ignore[assignment]
        if info.starts:
            if not info.cue_only:
                hits.append(k)
            elif k and roles[keys[k - 1]].ends_cue and _cue_precedes(tk, k, lex):
                cue_hits.append(k)
            elif villages and len(keys[k]) >= 4 and keys[k] not in ambiguous:
                cue_hits.append(k)  # without a cue: kept for the resolver to find support for
        if info.org:
            org_hits.append(k)
    has_case = bool(hits or cue_hits) and _text_has_case(text)
    if has_case:
        # a lower-case Latin word starts no name but a few ("disputed territories")
        starts, ends, lower_ok = tk.starts, tk.ends, gaz.lower_first
        hits = [
            k
            for k in hits
            if not text[starts[k]].islower() or keys[k] in lower_ok or not text[starts[k] : ends[k]].isascii()
        ]
        cue_hits = [
            k for k in cue_hits if not text[starts[k]].islower() or not text[starts[k] : ends[k]].isascii()
        ]
    if cue_hits:
        hits = sorted(set(hits).union(cue_hits))
    if not hits:
        return []
    org_reach = _org_reach(_org_spans(tk, lex, org_hits, begins)) if org_hits else {}
    index, cue_only_keys, prefixes = gaz.index, gaz.cue_only, sc.begins.prefixes
    token_starts, sentence_ends, gaps, n_tokens = tk.starts, tk.sentence_ends, tk.gaps, len(keys)
    out: list[RawMention] = []
    covered = -1
    sentence = placed = Span(0, 0, "")  # the sentence in this chunk, and where it is in the text
    next_sentence = 0  # names come in text order: the sentence is found by moving forward
    for k in hits:
        if k <= covered:
            continue
        info = begins[k]  # type: ignore[assignment]
        # n-grams are grown only when the next word (or a Latin article) may continue a name
        nxt = k + 1
        if (
            info.seconds
            and nxt < n_tokens
            and gaps[nxt] & JOINED
            and (keys[nxt] in info.seconds or keys[nxt] in LATIN_HYPHEN_ARTICLES)
        ):
            found = _longest_match(tk, k, info.starts, index, prefixes)
            if found is None:
                continue
            key, last, entries, start = found
        elif info.one_word is not None:
            key, entries, start = info.one_word
            last = k
        else:
            continue
        covered = last
        if (
            not villages
            and key in cue_only_keys
            and not (roles[keys[k - 1]].ends_cue and _cue_precedes(tk, k, lex))
        ):
            continue
        first = k
        prev = k - 1
        if k and keys[prev] in LATIN_HYPHEN_ARTICLES and _is_article(tk, prev):
            first = prev if _article_part_of_name(tk, prev) else k
        if token_starts[first] >= next_sentence:  # the first name in this sentence
            i = bisect_right(sentence_ends, token_starts[first])
            sentence = tk.sentence_at(i)
            next_sentence = sentence_ends[i] if i < len(sentence_ends) else len(text)
            if offset:
                placed = Span(sentence.start + offset, sentence.end + offset, sentence.text)
        m = describe(tk, first, k, last, key, entries, start, sentence, lex, gaz, org_reach, roles, has_case)
        if offset:
            _move(m, offset, placed)
        out.append(m)
    return out


def _cue_precedes(tk: Tokens, k: int, lex: Lexicon) -> bool:
    """Whether a cue word stands right before token k (the test for DTM-only names)."""
    if k == 0 or not tk.gaps[k] & SOFT_GAP:
        return False
    return lex.cue_before.before(tk, k - 1, max(0, k - 3)) is not None


def _article_part_of_name(tk: Tokens, a: int) -> bool:
    """Whether the article at token ``a`` belongs to the name after it (al-Anbar, Al Qaim); not
    across a line break, which ends the sentence the article stands in."""
    sep = tk.sep(a + 1)
    return (
        bool(tk.gaps[a + 1] & JOINED)
        and "\n" not in sep
        and (sep[:1] in "-‐‑" or tk.text[tk.starts[a]].isupper())
    )


def _is_article(tk: Tokens, k: int) -> bool:
    """Whether token ``k`` is a transliterated article (al-, el-, ad-, Ash ...) in Latin text."""
    keys = tk.keys
    return (
        keys[k] in LATIN_HYPHEN_ARTICLES
        and k + 1 < len(keys)
        and is_latin_article(keys[k], tk.sep(k + 1)[:1], keys[k + 1])
    )


def _longest_match(
    tk: Tokens,
    k: int,
    starts: tuple[Start, ...],
    index: dict[str, tuple[int, ...]],
    prefixes: frozenset[str],
) -> tuple[str, int, tuple[int, ...], Start] | None:
    """The longest gazetteer key starting at token ``k`` (under any of its readings):
    (key, last token, entries, the start read). ``prefixes`` holds the first two, three ...
    words of every longer name, so a name grows only while it can still become one."""
    keys, gaps = tk.keys, tk.gaps
    best: tuple[str, int, tuple[int, ...], Start] | None = None
    n_tokens = len(keys)
    for start in starts:
        reading, longest, single = start.reading, start.longest, start.single
        if longest > 1:
            # following tokens, skipping Latin articles, while only spaces/hyphens separate them
            grown: list[tuple[str, int]] = []
            key = reading
            j = k + 1
            while len(grown) < longest - 1 and j < n_tokens and gaps[j] & JOINED:
                if not _is_article(tk, j):
                    key = f"{key} {keys[j]}"
                    if key not in prefixes:
                        break
                    grown.append((key, j))
                j += 1
            for key, last in reversed(grown):
                if best is not None and best[1] >= last:
                    break
                entries = index.get(key)
                if entries:
                    best = (key, last, entries, start)
                    break
                entries = index.get("adj:" + key)
                if entries:
                    best = ("adj:" + key, last, entries, start)
                    break
            else:
                if best is None and single is not None:
                    best = (single[0], k, single[1], start)
            continue
        if best is None and single is not None:  # the common case: a one-word name
            best = (single[0], k, single[1], start)
    return best


def _org_spans(
    tk: Tokens, lex: Lexicon, hits: list[int], begins: list[Begins | None]
) -> list[tuple[int, int]]:
    """Token ranges covered by a known organisation phrase (tried at the tokens in ``hits``)."""
    spans: list[tuple[int, int]] = []
    keys, n_tokens = tk.keys, len(tk.keys)
    phrases, prefixes = lex.org_phrases, lex.org_prefixes
    for k in hits:
        last = -1  # the longest phrase from k under any reading, grown while it can become one
        for phrase in begins[k].org:  # type: ignore[union-attr]
            j = k
            while True:
                if phrase in phrases and j > last:
                    last = j
                j += 1
                if j >= n_tokens:
                    break
                phrase = f"{phrase} {keys[j]}"
                if phrase not in prefixes:
                    break
        if last >= 0:
            spans.append((k, last))
    return spans


def _org_reach(spans: list[tuple[int, int]]) -> dict[int, int]:
    """For each token inside an organisation phrase, the last token of the longest such phrase
    over it (a name from token k to token last lies inside one iff ``reach[k] >= last``)."""
    reach: dict[int, int] = {}
    for a, b in spans:
        for t in range(a, b + 1):
            if reach.get(t, -1) < b:
                reach[t] = b
    return reach


def _text_has_case(text: str) -> bool:
    """Whether the Latin letters of ``text`` use both cases (so lower case means a common word)."""
    ascii_part = text[:5000].encode("ascii", "ignore")  # A-Z and a-z are all that is compared
    return ascii_part.lower() != ascii_part and ascii_part.upper() != ascii_part


def _move(m: RawMention, offset: int, sentence: Span) -> None:
    """Move the offsets of ``m`` (just built, found in a chunk that starts ``offset`` characters
    into the text) to the text; ``sentence`` is its sentence there, shared by its names."""
    m.start += offset
    m.end += offset
    m.sentence = sentence
    ms = m.modifier_span
    if ms is not None:
        m.modifier_span = Span(ms.start + offset, ms.end + offset, ms.text)


__all__ = [
    "CHUNK_CHARS",
    "MODIFIER_VALUES",
    "Lexicon",
    "PhraseTable",
    "RawMention",
    "find_mentions",
    "load_lexicon",
]
