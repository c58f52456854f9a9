"""Mentions -> places: candidates, evidence, scoring, choice and confidence.

:func:`geoparse` is the one call: ``text -> list[Place]``. It runs four named steps, each
testable alone:

1. :func:`geo.text.extract.find_mentions` - names in the article's tokens
   (:func:`geo.text.tokens.tokenize`, made once and shared with the zone trigger finder) with
   their context;
2. :func:`geo.text.candidates.candidates` - the gazetteer entries each mention may mean, keeping
   only those whose evidence suffices (a name that is also a common word, such as بلد "country" /
   Balad, needs a cue word, a containment link, a spatial modifier ...);
3. :func:`geo.text.scoring.score` - priors (kind, population, Iraq first:
   :mod:`geo.text.features`) plus evidence (cue word agreement, "X in Y" containment and lists
   read by :mod:`geo.text.links`, governorate and country coherence with the rest of the article);
4. :func:`geo.text.choice.choose` - one entry per mention, one reading per name per article unless
   a cue word says otherwise, grouped into :class:`geo.model.Place` objects with a confidence in
   [0, 1] and the runner-up candidates;
5. :func:`geo.text.stretches.place_stretches` - a river, range or wadi of several points moved to
   the point nearest the article's other places.

What scoring reads of each gazetteer entry (prior, kind, governorate ...) is worked out once per
gazetteer; the article-wide facts the evidence rules read (countries named, governorates per
sentence, containment links) once per article, and only when a rule asks for them. Links between
neighbouring names are decided once per distinct text between them.

Examples
--------
>>> places = geoparse("هجمات داعش في محيط بغداد وشمال بابل")  # doctest: +SKIP
>>> [(p.name, p.mentions[0].modifier) for p in places]  # doctest: +SKIP
[('Baghdad', 'around'), ('Babil', 'north')]
"""

from __future__ import annotations

from geo.data.gazetteer import Gazetteer, load_gazetteer
from geo.model import Candidate, Place
from geo.text.candidates import ArticleFacts, Scored, candidates, candidates_of
from geo.text.choice import MAX_ALTERNATIVES, choose
from geo.text.context import RawMention
from geo.text.extract import find_mentions
from geo.text.lexicon import Lexicon, load_lexicon
from geo.text.links import Link, link_mentions
from geo.text.scoring import score, score_with
from geo.text.stretches import place_stretches
from geo.text.tokens import Tokens, tokens_of

#: Texts longer than this are resolved piece by piece (line-aligned), so memory stays bounded;
#: the places of all pieces are merged.
LONG_TEXT_CHARS = 100_000


def geoparse(
    text: str,
    *,
    gazetteer: Gazetteer | None = None,
    lexicon: Lexicon | None = None,
    tokens: Tokens | None = None,
) -> list[Place]:
    """Places mentioned in ``text``, each with its mentions (offsets into ``text``), confidence and
    runner-up candidates. An empty or place-free text gives an empty list.

    Parameters
    ----------
    text
        The article text.
    gazetteer, lexicon
        Default: the installed gazetteer and ``data/geoparser_lexicon.toml``.
    tokens
        ``tokenize(text)``, when the caller already has it (:func:`geo.pipeline.analyze` shares it
        with the zone trigger finder); made here otherwise.

    Raises
    ------
    InputError
        When ``tokens`` were made from another text.
    """
    if not text or not text.strip():
        return []
    gaz = gazetteer or load_gazetteer()
    lex = lexicon or load_lexicon()
    tokens = tokens_of(text, tokens)
    if len(text) > LONG_TEXT_CHARS:
        return _geoparse_long(tokens, gaz, lex)
    return _resolve(find_mentions(text, gaz, lex, tokens=tokens, villages=True), gaz, lex)


def _resolve(mentions: list[RawMention], gaz: Gazetteer, lex: Lexicon) -> list[Place]:
    """Steps 2-4 of :func:`geoparse` on the mentions of one text."""
    if not mentions:
        return []
    facts = ArticleFacts(mentions, gaz, lex, link_mentions(mentions, lex))
    return place_stretches(choose(mentions, score_with(facts, candidates_of(facts)), gaz), gaz)


def _geoparse_long(tokens: Tokens, gaz: Gazetteer, lex: Lexicon) -> list[Place]:
    merged: dict[str, Place] = {}
    for offset, piece in tokens.pieces(LONG_TEXT_CHARS):
        found = find_mentions(piece.text, gaz, lex, offset=offset, tokens=piece, villages=True)
        for p in _resolve(found, gaz, lex):
            have = merged.get(p.id)
            if have is None:
                merged[p.id] = p
                continue
            have.mentions.extend(p.mentions)
            have.confidence = max(have.confidence, p.confidence)
            known = {a.id for a in have.alternatives}
            have.alternatives.extend(a for a in p.alternatives if a.id not in known)
            have.alternatives.sort(key=lambda a: -a.score)
            del have.alternatives[MAX_ALTERNATIVES:]
    return sorted(merged.values(), key=lambda p: p.mentions[0].start)


def explain(text: str, *, gazetteer: Gazetteer | None = None) -> list[dict[str, object]]:
    """Every mention with its candidates, scores and evidence (for debugging and the dashboard)."""
    gaz = gazetteer or load_gazetteer()
    lex = load_lexicon()
    mentions = find_mentions(text, gaz, lex, villages=True)
    cands = score(mentions, candidates(mentions, gaz, lex), gaz, lex)
    out: list[dict[str, object]] = []
    for m, cs in zip(mentions, cands, strict=True):
        out.append(
            {
                "text": m.text,
                "start": m.start,
                "key": m.key,
                "blocked": m.blocked,
                "cue": m.cue,
                "modifier": m.modifier,
                "candidates": [
                    (e.id, e.name, e.kind, round(c.score, 3), c.why)
                    for c in cs
                    for e in (gaz.entries[c.entry],)
                ],
            }
        )
    return out


__all__ = [
    "LONG_TEXT_CHARS",
    "Candidate",
    "Link",
    "Scored",
    "candidates",
    "choose",
    "explain",
    "geoparse",
    "link_mentions",
    "score",
]
