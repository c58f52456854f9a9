"""Neighbouring mentions read together: "X in Y", "X near Y" and lists "X, Y and Z".

:func:`link_mentions` looks at the text between two adjacent mentions of one sentence (at most
:data:`MAX_LINK_GAP` characters): its words (connectors, cue and modifier words, "and"), its
punctuation, and the proclitic on the second name decide the link. The reading of each distinct
gap is worked out once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from geo.text.context import RawMention
from geo.text.lexicon import Lexicon
from geo.text.normalize import TOKEN_RE
from geo.text.tokens import token_key

#: Longest gap (characters) between "X" and "Y" read as "X in Y" or a list.
MAX_LINK_GAP = 40
#: What may stand between two list items besides words: a comma, "and", "و", and the "#" of a
#: hashtag on the next item ("#Kirkuk, #Saladin and #Nineveh").
_LIST_SEP = re.compile(r"^\s*(?:[,،]\s*|and\s+|و\s*|or\s+|او\s+|أو\s+)?#?$")


@dataclass
class Link:
    """Two mentions read together: ``kind`` is ``"in"`` (a in b), ``"near"`` or ``"list"``."""

    a: int
    b: int
    kind: str


def link_mentions(mentions: list[RawMention], lexicon: Lexicon) -> list[Link]:
    """Adjacent mentions in one sentence read as "X in Y", "X near Y" or a list "X, Y".

    The words between them decide: connectors (في، التابع لـ, in, of, ","), a spatial modifier
    (near, شمال), a coordinating و / "and" / comma, or a proclitic ب/ل on Y (هيت بالأنبار).
    """
    links: list[Link] = []
    gaps = _gap_links(lexicon)
    for i in range(len(mentions) - 1):
        a, b = mentions[i], mentions[i + 1]
        if a.sentence.start != b.sentence.start or b.start - a.end > MAX_LINK_GAP or a.blocked or b.blocked:
            continue
        gap = _gap_text(a, b)
        kind = gaps[gap]
        if kind is None:  # no word between them: punctuation and proclitics decide
            comma = "," in gap or "،" in gap
            if b.proclitic.startswith("و") or comma and _LIST_SEP.match(gap):
                links.append(Link(i, i + 1, "list"))
                if comma:
                    links.append(Link(i, i + 1, "in"))
            elif b.proclitic[:1] in ("ب", "ل") or b.proclitic.startswith(("وب", "ول")):
                links.append(Link(i, i + 1, "in"))
        elif kind != "other":
            links.append(Link(i, i + 1, kind))
    return links


class _GapLinks(dict[str, "str | None"]):
    """Text between two names -> the link its words make: ``None`` (no words), ``"list"``,
    ``"near"``, ``"in"`` or ``"other"`` (no link); one per lexicon, bounded."""

    limit = 100_000

    def __init__(self, lexicon: Lexicon) -> None:
        super().__init__()
        self.lexicon = lexicon

    def __missing__(self, gap: str) -> str | None:
        if len(self) > self.limit:
            self.clear()
        words = [token_key(t) for t in TOKEN_RE.findall(gap)] if gap.strip() else []
        kind: str | None
        if not words:
            kind = None
        elif len(words) == 1 and words[0] in ("and", "و", "or", "او"):
            kind = "list"
        else:
            kinds = {_gap_word(self.lexicon, w) for w in words}
            kind = "other" if "other" in kinds else "near" if "near" in kinds else "in"
        self[gap] = kind
        return kind


_GAP_LINKS: list[_GapLinks] = []


def _gap_links(lexicon: Lexicon) -> _GapLinks:
    if not _GAP_LINKS or _GAP_LINKS[0].lexicon is not lexicon:
        _GAP_LINKS[:] = [_GapLinks(lexicon)]
    return _GAP_LINKS[0]


_GAP_WORDS: dict[tuple[int, str], str] = {}


def _gap_word(lexicon: Lexicon, w: str) -> str:
    """How a word between two names reads: ``in`` (connector or cue), ``near`` (modifier),
    ``skip`` (an article or level word) or ``other``."""
    hit = _GAP_WORDS.get((id(lexicon), w))
    if hit is None:
        if lexicon.connectors.has_word(w) or lexicon.cue_before.has_word(w) or lexicon.cue_after.has_word(w):
            hit = "in"
        elif lexicon.modifier_before.has_word(w) or lexicon.modifier_after.has_word(w):
            hit = "near"
        elif w in ("the", "a"):
            hit = "skip"
        else:
            hit = "other"
        if len(_GAP_WORDS) > 100_000:
            _GAP_WORDS.clear()
        _GAP_WORDS[(id(lexicon), w)] = hit
    return hit


def _gap_text(a: RawMention, b: RawMention) -> str:
    """The text between two mentions of the same sentence."""
    s = a.sentence
    return s.text[a.end - s.start : b.start - s.start]


__all__ = ["MAX_LINK_GAP", "Link", "link_mentions"]
