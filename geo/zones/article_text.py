"""The article as zone reading sees it: mentions in text order, words, clause breaks.

:class:`ArticleText` indexes one article once (the resolved places' mentions by position, word
counts over the shared token stream, the clause breaks of the rules with quotation marks read
through, and the words that open a new clause), and answers what :mod:`geo.zones.reading` and
:mod:`geo.zones.locators` ask of the text between two places: how many words, which tokens, where
the clause ends, and which modifier stands just before a mention when the place reader gave it none.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from functools import lru_cache

from geo.model import Mention, Place
from geo.text.normalize import fold_token
from geo.text.tokens import Tokens, readings
from geo.zones.rules import ZoneRules

#: Modifier words read just before a mention that the place reader left without one.
_MODIFIER_BEFORE = [
    (re.compile(rf"(?:\b|^){pattern}\s*$", re.IGNORECASE), mod)
    for pattern, mod in (
        (r"north[- ]?east(?:ern)?(?: of)?(?: the)?", "northeast"),
        (r"north[- ]?west(?:ern)?(?: of)?(?: the)?", "northwest"),
        (r"south[- ]?east(?:ern)?(?: of)?(?: the)?", "southeast"),
        (r"south[- ]?west(?:ern)?(?: of)?(?: the)?", "southwest"),
        (r"north(?:ern)?(?: of)?(?: the)?", "north"),
        (r"south(?:ern)?(?: of)?(?: the)?", "south"),
        (r"east(?:ern)?(?: of)?(?: the)?", "east"),
        (r"west(?:ern)?(?: of)?(?: the)?", "west"),
        (r"(?:outskirts|edges?|periphery|fringes) of(?: the)?", "outskirts"),
        (r"(?:near|close to|in the vicinity of|vicinity of)(?: the)?(?: (?:village|town|city) of)?", "near"),
        (r"(?:around|surroundings of)(?: the)?", "around"),
        (r"قەراغ(?:ی|ەکانی)", "outskirts"),
        (r"دەوروبەری", "around"),
        (r"نزیک(?:ی)?", "near"),
        (r"پشتێنەی", "belt"),
        (r"باکووری ڕۆژهەڵاتی", "northeast"),
        (r"باکووری ڕۆژئاوای", "northwest"),
        (r"باشووری ڕۆژهەڵاتی", "southeast"),
        (r"باشووری ڕۆژئاوای", "southwest"),
        (r"باکووری", "north"),
        (r"باشووری", "south"),
        (r"ڕۆژهەڵاتی", "east"),
        (r"ڕۆژئاوای", "west"),
        (r"(?:الاجزاء|الأجزاء|المناطق) الجنوبية من", "south"),
        (r"(?:الاجزاء|الأجزاء|المناطق) الشمالية من", "north"),
        (r"(?:الاجزاء|الأجزاء|المناطق) الشرقية من", "east"),
        (r"(?:الاجزاء|الأجزاء|المناطق) الغربية من", "west"),
    )
]


class ArticleText:
    """Mentions, tokens, word counts and clause breaks of one article (built once)."""

    def __init__(self, text: str, places: list[Place], rules: ZoneRules, tokens: Tokens) -> None:
        self.text = text
        self.rules = rules
        self.tokens = tokens
        items: list[tuple[int, int, Place, Mention]] = []
        for place in places:
            for m in place.mentions:
                a, b = _extent(m)
                items.append((a, -b, place, m))
        items.sort(key=lambda it: (it[0], it[1]))
        self.starts = [a for a, *_ in items]
        self.ends = [-nb for _, nb, *_ in items]
        self.places = [p for _, _, p, _ in items]
        self.mentions = [m for *_, m in items]
        # words: tokens whose first character is a letter or digit; prefix counts over tokens
        keys = tokens.keys
        is_word = [bool(k) and k[0].isalnum() for k in keys]
        prefix = [0] * (len(keys) + 1)
        n = 0
        for i, w in enumerate(is_word):
            n += w
            prefix[i + 1] = n
        self._prefix = prefix
        # brackets around a name or two ("(داعش)", "[ISIS]") are read through like quotes
        named = {i for m in _SHORT_BRACKETS.finditer(text) if len(m.group(1).split()) <= 3 for i in m.span()}
        marks = [
            m.start()
            for m in _break_re(frozenset(rules.clause_breaks - rules.quote_marks)).finditer(text)
            if m.start() not in named and m.start() + 1 not in named
        ]
        self.enumerators = frozenset(fold_token(c) or c for c in rules.enumerators)
        self._enum_long = frozenset(e for e in self.enumerators if len(e) >= 4)
        self._enum_lens = sorted({len(e) for e in self._enum_long})
        self._enum_seen: dict[str, bool] = {}
        # words that open a new clause ("فيما", "while"): a break where the word starts, unless an
        # enumerator follows within three words: the clause goes on with the list ("الأولى في
        # القائم، بينما تقام الثانية في الرطبة", "whereas the other is in ...")
        words = frozenset(fold_token(w) or w for w in rules.clause_words)
        opened = [
            tokens.starts[k]
            for k, key in enumerate(keys)
            if key in words and not any(self.is_enumerator(w) for w in keys[k + 1 : k + 4])
        ]
        self.breaks = sorted(set(marks) | set(opened))
        self.sentence_ends = list(tokens.sentence_ends)
        self.connectors = frozenset(fold_token(c) or c for c in rules.connectors)
        self.links = frozenset(fold_token(c) or c for c in rules.locator_links)
        self.possessives = frozenset(fold_token(c) or c for c in rules.possessives)
        self.quotes = frozenset(rules.quote_marks)
        self._before: dict[int, tuple[str, int] | None] = {}
        self.barriers = frozenset(fold_token(c) or c for c in rules.barriers)
        self.locatives = frozenset(fold_token(c) or c for c in rules.locatives)
        self.facilities = frozenset(fold_token(c) or c for c in rules.facility_words)
        self.venues = frozenset(fold_token(c) or c for c in rules.venue_words)
        self.relatives = frozenset(fold_token(c) or c for c in rules.relative_words)
        self.focus = frozenset(fold_token(c) or c for c in rules.focus_words)
        self._org_after = [tuple(fold_token(w) or w for w in o) for o in rules.organisation_after]
        self._org_before = [tuple(fold_token(w) or w for w in o) for o in rules.organisation_before]
        self._org: dict[int, bool] = {}

    # words and tokens
    def words(self, a: int, b: int) -> int:
        """Words of text[a:b] (whole tokens starting in the range)."""
        st = self.tokens.starts
        return self._prefix[bisect_left(st, b)] - self._prefix[bisect_left(st, a)]

    def gap_words(self, a: int, b: int) -> int:
        """Words between ``a`` and ``b`` outside every mention."""
        n = self.words(a, b)
        i = bisect_left(self.starts, a)
        cursor = a
        while i < len(self.starts) and self.starts[i] < b:
            s, e = max(self.starts[i], cursor), min(self.ends[i], b)
            if e > s:
                n -= self.words(s, e)
                cursor = e
            i += 1
        return n

    def gap_tokens(self, a: int, b: int, limit: int) -> list[str] | None:
        """Folded tokens and marks of text[a:b] (no mention inside), or None past ``limit`` items."""
        tk = self.tokens
        out: list[str] = []
        k = bisect_right(tk.ends, a)
        pos = a
        while pos < b:
            s = min(max(tk.starts[k], pos), b) if k < len(tk) else b
            for ch in self.text[pos:s]:
                if not ch.isspace() and ch not in self.quotes:
                    out.append(fold_token(ch) or ch)
            e = min(tk.ends[k], b) if k < len(tk) else b
            if s < e:
                whole = s == tk.starts[k] and e == tk.ends[k]
                word = tk.keys[k] if whole else (fold_token(self.text[s:e]) or self.text[s:e].lower())
                if word:
                    out.append(word)
            if len(out) > limit:
                return None
            pos = max(e, s)
            k += 1
        return out

    def modifier_before(self, i: int) -> tuple[str, int] | None:
        """The modifier read before mention ``i`` when the place reader gave it none (cached)."""
        if self.mentions[i].modifier is not None:
            return None
        if i not in self._before:
            self._before[i] = read_modifier_before(self.text, self.starts[i])
        return self._before[i]

    def names_organisation(self, i: int) -> bool:
        """Whether mention ``i`` is part of an organisation's name ("the Baghdad Operations
        Command", "قيادة عمليات ديالى", "پۆلیسی دیالە"): [matching].organisation_after right after
        it or organisation_before right before it (cached)."""
        if i not in self._org:
            found = False
            if self._org_after:
                after = [
                    w for w in self.gap_tokens(self.ends[i], self.ends[i] + 40, 20) or [] if w not in "'’"
                ]
                found = any(tuple(after[: len(o)]) == o for o in self._org_after)
            if not found and self._org_before:
                lead = self.gap_tokens(max(0, self.starts[i] - 40), self.starts[i], 20) or []
                # the word next to the place is also read without a proclitic (readings)
                found = any(
                    len(lead) >= len(o)
                    and tuple(lead[-len(o) : -1]) == o[:-1]
                    and (lead[-1] == o[-1] or o[-1] in readings(lead[-1]))
                    for o in self._org_before
                )
            self._org[i] = found
        return self._org[i]

    def lead_start(self, i: int) -> int:
        """Where mention ``i`` starts with the modifier read before it."""
        found = self.modifier_before(i)
        return found[1] if found else self.starts[i]

    def clause_end(self, pos: int) -> int:
        i = bisect_left(self.breaks, pos)
        return self.breaks[i] if i < len(self.breaks) else len(self.text)

    def clause_start(self, pos: int) -> int:
        i = bisect_left(self.breaks, pos)
        return self.breaks[i - 1] + 1 if i else 0

    def sentence_no(self, pos: int) -> int:
        return bisect_right(self.sentence_ends, pos)

    def after(self, a: int, b: int) -> Iterator[int]:
        """Numbers of the mentions that start in [a, b) and end by b, in order."""
        i = bisect_left(self.starts, a)
        while i < len(self.starts) and self.starts[i] < b:
            if self.ends[i] <= b:
                yield i
            i += 1

    def is_enumerator(self, token: str) -> bool:
        """An ordinal or "another", also with "و" before it or a suffix after it (یەکەمیان)."""
        held = self._enum_seen.get(token)
        if held is None:
            held = (
                token in self.enumerators
                or (token[:1] == "و" and token[1:] in self.enumerators)
                or any(token[:n] in self._enum_long for n in self._enum_lens if len(token) > n)
            )
            self._enum_seen[token] = held
        return held

    def words_before(self, pos: int, n: int, floor: int = 0) -> list[str]:
        """The folded keys of the last ``n`` words that end by ``pos`` and start at ``floor`` or
        later (tokens whose first character is a letter or digit), in text order."""
        tk = self.tokens
        k = bisect_right(tk.ends, pos) - 1
        out: list[str] = []
        while k >= 0 and len(out) < n and tk.starts[k] >= floor:
            key = tk.keys[k]
            if key[:1].isalnum():
                out.append(key)
            k -= 1
        out.reverse()
        return out

    def words_between(self, a: int, b: int, limit: int) -> list[str]:
        """The folded keys of at most ``limit`` tokens that start in [a, b)."""
        tk = self.tokens
        k = bisect_left(tk.starts, a)
        out: list[str] = []
        while k < len(tk.starts) and tk.starts[k] < b and len(out) < limit:
            out.append(tk.keys[k])
            k += 1
        return out

    def is_connector(self, token: str) -> bool:
        if token in self.connectors or token in self.quotes or token in self.possessives:
            return True
        return len(token) > 1 and token[0] == "و" and token[1:] in self.connectors


#: A bracket pair around at most 40 characters on one line (see :class:`ArticleText`).
_SHORT_BRACKETS = re.compile(r"[(\[]([^()\[\]\n.!?؟]{1,40})[)\]]")


@lru_cache(maxsize=8)
def _break_re(breaks: frozenset[str]) -> re.Pattern[str]:
    """The clause breaks as one pattern; a full stop counts only before a space or the end."""
    others = "".join(sorted(re.escape(b) for b in breaks if b != "."))
    parts = ([f"[{others}]"] if others else []) + ([r"\.(?=\s|\Z)"] if "." in breaks else [])
    return re.compile("|".join(parts) or r"(?!)")


def _extent(m: Mention) -> tuple[int, int]:
    if m.modifier_span is None:
        return m.start, m.end
    return min(m.start, m.modifier_span.start), max(m.end, m.modifier_span.end)


def read_modifier_before(text: str, pos: int) -> tuple[str, int] | None:
    """A modifier written just before ``pos`` ("southeast of Mosul", "الأجزاء الجنوبية من
    #نينوى", "قەراغەکانی سەلاحەدین") that the place reader did not attach to the mention, and
    where it starts."""
    a = max(0, pos - 40)
    window = text[a:pos].rstrip("#\u00a0 ")
    for pattern, mod in _MODIFIER_BEFORE:
        found = pattern.search(window)
        if found:
            start = a + found.start()
            while start < pos and text[start].isspace():
                start += 1
            if text[start : start + 1] == "و" and mod in ("outskirts", "around", "near", "belt"):
                start += 1  # "وقەراغەکانی": the proclitic stays in the gap, as an "and"
            return mod, start
    return None
