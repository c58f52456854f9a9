"""Reading zones in an article: which places each trigger names, and how the text says it.

:func:`read_article` applies the five general steps of ``data/zone_rules.toml`` ("How places attach
to a trigger") on the shared token stream (:class:`geo.text.tokens.Tokens`) and the resolved places:

1. clauses: the rules' clause breaks, with quotation marks read through («داعش», "ISIS");
2. triggers (:func:`geo.zones.triggers.find_triggers`), each dropped when one of its kind's
   ``exclude_*`` phrases stands near it in the same sentence;
3. runs of places after each trigger: places joined by connectors, or by short gaps holding an
   enumerator ("the first in X, the second in Y"); the longest run within reach wins;
4. references: ``refer_*`` phrases ("those gaps", "الغرف الست", "ژوورەکان") that stand for an
   earlier accepted trigger of their kind and give it their places;
5. locators: a direction or unit that only places its neighbour ("الشعلة شمال غربي بغداد",
   "Tikrit in Salah al-Din province", "Kirkuk's Daquq") is marked, and a distance before a
   direction turns the place into an offset ("75 km south of Kirkuk").

No geometry here: :mod:`geo.zones.derivation` checks the containment locators against the
boundaries and builds the zones. Every step looks at a bounded window around its trigger (at most
``max_lead_words`` words, runs of at most ``max_places`` places, gaps of ``max_gap_words`` words), so
the reading is linear in the text plus the triggers times that window.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache

from geo.model import Mention, Place, Span
from geo.text.normalize import fold_token
from geo.text.tokens import Tokens
from geo.zones.rules import KindRule, ZoneRules
from geo.zones.triggers import Trigger, find_triggers

log = logging.getLogger(__name__)

#: Directions a mention may carry (a locator when it follows another place).
DIRECTIONS = frozenset(
    {"north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest"}
)
_COMPASS = {
    "north": "N", "northeast": "NE", "east": "E", "southeast": "SE", "south": "S", "southwest": "SW",
    "west": "W", "northwest": "NW",
}
#: A distance just before a direction: "60 كيلومترا", "75 km", "٣٠ کیلۆمەتر", "some 40 kilometres".
_DISTANCE = re.compile(
    r"(?P<n>[0-9\u0660-\u0669\u06f0-\u06f9]+(?:[.,][0-9]+)?)\s*-?\s*"
    r"(?:km|kms|kilomet(?:er|re)s?|كم|كيلو\s*متر\w*|كيلومتر\w*|کیلۆمەتر\w*)\b",
    re.IGNORECASE,
)
#: How far before a trigger (characters) a place may stand for ``attach_before``.
_BEFORE_REACH = 400
#: How far around a trigger (characters) an exclusion phrase is looked for.
_EXCLUDE_REACH = 300
#: A mention that ends so is the possessor of the next place ("Kirkuk's Daquq district").
_POSSESSIVE_ENDS = ("'s", "’s")
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
#: How far before a direction word a distance may stand (characters).
_DISTANCE_REACH = 40


@dataclass(frozen=True, slots=True)
class Attached:
    """One place a trigger names, as the text names it.

    ``start``/``end`` cover the mention and its modifier; ``modifier`` is the mention's modifier,
    or ``"offset"`` (with ``offset_km`` and ``offset_dir``, a compass point) for "75 km south of";
    ``locator_of`` is the number (in the run) of the place this one may only locate, and
    ``locator`` says how ("direction", "possessive"); ``linked`` says that no "and" stands between
    this place and the one before it, so either may be a unit that only locates the other.
    """

    start: int
    end: int
    place: Place
    mention: Mention
    modifier: str | None
    offset_km: float | None = None
    offset_dir: str | None = None
    locator_of: int | None = None
    locator: str | None = None
    linked: bool = False


@dataclass
class Reading:
    """A trigger with the places it names, how they were read, and the references it took in."""

    trigger: Trigger
    hits: list[Attached]
    how: str
    confidence: float
    references: list[Trigger] = field(default_factory=list)
    also: list[Trigger] = field(default_factory=list)


@dataclass
class ArticleReading:
    """Everything :func:`read_article` found, by kind; ``excluded`` are triggers cancelled by context."""

    readings: dict[str, list[Reading]]
    triggers: list[Trigger]
    excluded: list[tuple[Trigger, str]]
    references: list[Trigger]


# --- phrase sets -----------------------------------------------------------------------------------


def _phrase_rules(rules: ZoneRules, group: str) -> ZoneRules:
    """``rules`` whose kinds' triggers are their ``refer_*`` or ``exclude_*`` phrases."""
    held = _PHRASE_RULES.get((id(rules), group))
    if held is not None and held[0] is rules:
        return held[1]
    made = _make_phrase_rules(rules, group)
    if len(_PHRASE_RULES) > 32:
        _PHRASE_RULES.clear()
    _PHRASE_RULES[(id(rules), group)] = (rules, made)
    return made


#: Phrase rules made per rules object (rules are cached by :func:`geo.zones.rules.load_rules`).
_PHRASE_RULES: dict[tuple[int, str], tuple[ZoneRules, ZoneRules]] = {}


def _make_phrase_rules(rules: ZoneRules, group: str) -> ZoneRules:
    kinds = {}
    for kind, rule in rules.kinds.items():
        ar, en = getattr(rule, f"{group}_ar"), getattr(rule, f"{group}_en")
        if ar or en:
            kinds[kind] = replace(rule, triggers_ar=ar, triggers_en=en)
    return replace(rules, kinds=kinds)


# --- the article -----------------------------------------------------------------------------------


class _Text:
    """Mentions, tokens, word counts and clause breaks of one article (built once)."""

    def __init__(self, text: str, places: list[Place], rules: ZoneRules, tokens: Tokens) -> None:
        self.text = text
        self.rules = rules
        self.tokens = tokens
        items: list[tuple[int, int, Place, Mention]] = []
        for place in places:
            for m in place.mentions:
                a, b = _extent(m)
                items.append((a, -b, place, m))  # type: ignore[arg-type]
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
        marks = [m.start() for m in _break_re(frozenset(rules.clause_breaks - rules.quote_marks)).finditer(text)]
        # words that open a new clause ("فيما", "while"): a break where the word starts
        words = frozenset(fold_token(w) or w for w in rules.clause_words)
        opened = [tokens.starts[k] for k, key in enumerate(keys) if key in words] if words else []
        self.breaks = sorted(set(marks) | set(opened))
        self.sentence_ends = list(tokens.sentence_ends)
        self.connectors = frozenset(fold_token(c) or c for c in rules.connectors)
        self.enumerators = frozenset(fold_token(c) or c for c in rules.enumerators)
        self.links = frozenset(fold_token(c) or c for c in rules.locator_links)
        self.possessives = frozenset(fold_token(c) or c for c in rules.possessives)
        self.quotes = frozenset(rules.quote_marks)
        self._before: dict[int, tuple[str, int] | None] = {}
        self.barriers = frozenset(fold_token(c) or c for c in rules.barriers)
        self.facilities = frozenset(fold_token(c) or c for c in rules.facility_words)

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
            self._before[i] = _modifier_before(self.text, self.starts[i])
        return self._before[i]

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
        if token[:1] == "و" and token[1:] in self.enumerators:
            return True
        return any(token == e or (len(e) >= 4 and token.startswith(e)) for e in self.enumerators)

    def is_connector(self, token: str) -> bool:
        if token in self.connectors or token in self.quotes or token in self.possessives:
            return True
        return len(token) > 1 and token[0] == "و" and token[1:] in self.connectors


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


# --- runs ------------------------------------------------------------------------------------------


def _runs(tx: _Text, a: int, b: int, rule: KindRule) -> list[list[int]]:  # noqa: C901
    """Runs of mentions (numbers) of the kind's places in [a, b), first places within the lead."""
    runs: list[list[int]] = []
    current: list[int] = []
    prev_end = a
    limit = max(rule.max_gap_words, 1) * 3 + 8
    for i in tx.after(a, b):
        if tx.starts[i] < prev_end:
            continue
        if tx.places[i].kind not in rule.place_kinds:
            # a country or region inside a run ("near the Syrian border") is passed over
            if current:
                prev_end = max(prev_end, tx.ends[i])
            continue
        joined = False
        if current:
            gap = tx.gap_tokens(prev_end, max(prev_end, tx.lead_start(i)), limit)
            if gap is not None:
                if all(tx.is_connector(t) for t in gap):
                    joined = True
                elif rule.max_gap_words and any(tx.is_enumerator(t) for t in gap):
                    joined = sum(1 for t in gap if t[:1].isalnum()) <= rule.max_gap_words
        if joined and len(current) < rule.max_places:
            current.append(i)
        else:
            if current:
                runs.append(current)
            if tx.gap_words(a, tx.starts[i]) > rule.max_lead_words:
                current = []
                break
            current = [i]
        prev_end = tx.ends[i]
    if current:
        runs.append(current)
    return runs


def _run_before(tx: _Text, pos: int, rule: KindRule, floor: int) -> list[int]:
    """The run that ends just before ``pos`` in its clause (at most ``max_before_words`` words
    before it, and after ``floor``, where the last trigger of another kind stands)."""
    a = max(tx.clause_start(pos), floor, pos - _BEFORE_REACH)
    found = [i for i in tx.after(a, pos) if tx.places[i].kind in rule.place_kinds]
    if not found or tx.gap_words(tx.ends[found[-1]], pos) > rule.max_before_words:
        return []
    between = tx.gap_tokens(tx.ends[found[-1]], pos, 3 * rule.max_before_words + 3) or []
    if any(w in tx.barriers for w in between):  # "قال مصدر ... لـ"بغداد اليوم"، إن "الضربة"
        return []
    run = [found[-1]]
    for i in reversed(found[:-1]):
        gap = tx.gap_tokens(tx.ends[i], tx.starts[run[0]], 12)
        if gap is None or not all(tx.is_connector(t) for t in gap):
            break
        run.insert(0, i)
    return run


def _attached(tx: _Text, run: list[int]) -> list[Attached]:
    """The run's places with their locators and offsets marked."""
    out: list[Attached] = []
    for n, i in enumerate(run):
        m = tx.mentions[i]
        before = tx.modifier_before(i)
        modifier = m.modifier or (before[0] if before else None) or _facility(tx, i)
        lead = tx.lead_start(i)
        hit = Attached(tx.starts[i], tx.ends[i], tx.places[i], m, modifier)
        if modifier in DIRECTIONS:
            if m.modifier_span is not None:
                lead = min(lead, m.modifier_span.start)
            elif lead == tx.starts[i]:  # a modifier without its span: find the direction words
                lead = (_modifier_before(tx.text, lead) or (None, lead))[1]
            dist = _distance_before(tx.text, lead)
            if dist is not None:
                hit = replace(hit, modifier="offset", offset_km=dist, offset_dir=_COMPASS[modifier])
        if not n and hit.modifier in DIRECTIONS and i and tx.ends[i - 1] <= tx.starts[i]:
            # a direction right after a place the kind does not draw ("ناحیەی ڕیاز لە باشووری
            # ڕۆژئاوای کەرکووک", with ڕیاز read as a town abroad): still only a locator
            gap = tx.gap_tokens(tx.ends[i - 1], max(tx.ends[i - 1], lead), 4)
            point = tx.places[i - 1].kind in _POINT_KINDS
            if gap is not None and not _and_glued(tx, i) and all(
                t in tx.links and (point or t not in _COMMAS) for t in gap
            ):
                hit = replace(hit, locator="direction")
        if n:
            gap = tx.gap_tokens(tx.ends[run[n - 1]], max(tx.ends[run[n - 1]], lead), 8) or []
            anded = _and_glued(tx, i) or any(t in _AND or t[:1] == "و" for t in gap)
            point = tx.places[run[n - 1]].kind in _POINT_KINDS  # "the village of X, northeast of Baqubah"
            if hit.modifier in DIRECTIONS and not anded and all(
                t in tx.links and (point or t not in _COMMAS) for t in gap
            ):
                hit = replace(hit, locator_of=n - 1, locator="direction")
            elif len(gap) <= 5 and not anded:
                hit = replace(hit, linked=True)
            prev_text = tx.mentions[run[n - 1]].text
            if (gap and gap[0] in tx.possessives and len(gap) <= 2) or prev_text.endswith(_POSSESSIVE_ENDS):
                prev = out[n - 1]
                out[n - 1] = replace(prev, locator_of=n, locator="possessive")
        out.append(hit)
    return out


def _facility(tx: _Text, i: int) -> str | None:
    """``"near"`` when a facility word stands right next to the mention ("Makhmour refugee camp",
    "قاعدة حرير"): the zone is the place's town and its surroundings, not its whole unit."""
    if not tx.facilities:
        return None
    before = tx.gap_tokens(max(0, tx.starts[i] - 24), tx.starts[i], 12) or []
    after = tx.gap_tokens(tx.ends[i], min(len(tx.text), tx.ends[i] + 24), 12) or []
    near = [*before[-1:], *after[:2]]
    return "near" if any(w in tx.facilities for w in near) else None


def _and_glued(tx: _Text, i: int) -> bool:
    """Whether the mention (or its modifier) starts with the proclitic "و" ("وكركوك", "وشمال بابل")
    rather than a name that begins with the letter (واسط)."""
    if tx.text[tx.starts[i] : tx.starts[i] + 1] != "و":
        return False
    name = fold_token(tx.places[i].name_ar or "")
    m = tx.mentions[i]
    return not (name.startswith("و") and tx.starts[i] == m.start)


def _modifier_before(text: str, pos: int) -> tuple[str, int] | None:
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


def _distance_before(text: str, pos: int) -> float | None:
    """The distance (km) written just before ``pos`` ("60 كيلومترا جنوب"), if any."""
    window = text[max(0, pos - _DISTANCE_REACH) : pos]
    found = None
    for found in _DISTANCE.finditer(window):
        pass
    if found is None or window[found.end() :].strip(" \u00a0,،-"):
        return None
    digits = found.group("n").translate(_DIGITS).replace(",", ".")
    try:
        value = float(digits)
    except ValueError:
        return None
    return value if 0 < value <= 500 else None


#: Gaps with these words join places of one list; without them a unit after a place may locate it.
_AND = frozenset({"و", "and", "or", "او", "ثم", "then", "as", "well", "اضافة", "فضلا", "جانب"})
_COMMAS = frozenset({",", "،"})
_POINT_KINDS = frozenset({"town", "village", "other"})
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


# --- the reading -----------------------------------------------------------------------------------


def read_article(
    text: str, places: list[Place], *, rules: ZoneRules, tokens: Tokens, triggers: list[Trigger] | None = None
) -> ArticleReading:
    """Every kind's readings: accepted triggers and references with the places they name.

    Parameters
    ----------
    text, places, tokens
        The article, its resolved places and its tokens.
    rules
        The zone rules.
    triggers
        The triggers already found (:func:`geo.zones.triggers.find_triggers`); found here otherwise.
    """
    found = triggers if triggers is not None else find_triggers(text, rules=rules, tokens=tokens)
    tx = _Text(text, places, rules, tokens)
    accepted, excluded = _exclude(text, found, rules, tokens, tx)
    refs = _references(text, accepted, rules, tokens)
    readings: dict[str, list[Reading]] = {}
    for kind, rule in rules.kinds.items():
        own = [t for t in accepted if t.kind == kind]
        if not own:
            continue
        # the places after another kind's trigger are that trigger's ("غرف التنسيق ... بعد تزايد
        # هجمات «داعش» في ديالى"); corridors share theirs with the attack in them
        stops = sorted(
            t.span.start for t in (*accepted, *refs) if t.kind != kind and "corridor" not in (t.kind, kind)
        )
        readings[kind] = _read_kind(tx, rule, own, [r for r in refs if r.kind == kind], stops)
    return ArticleReading(readings, accepted, excluded, refs)


def _exclude(
    text: str, found: list[Trigger], rules: ZoneRules, tokens: Tokens, tx: _Text
) -> tuple[list[Trigger], list[tuple[Trigger, str]]]:
    """The triggers no exclusion phrase of their kind cancels, and the cancelled ones with why."""
    prules = _phrase_rules(rules, "exclude")
    if not found or not prules.kinds:
        return list(found), []
    marks = find_triggers(text, rules=prules, tokens=tokens)
    by_kind: dict[str, list[Trigger]] = {}
    for m in marks:
        by_kind.setdefault(m.kind, []).append(m)
    starts_of = {k: [m.span.start for m in v] for k, v in by_kind.items()}
    kept, dropped = [], []
    for t in found:
        rule = rules.kinds[t.kind]
        near = by_kind.get(t.kind, [])
        reason = None
        if near and rule.exclude_window:
            starts = starts_of[t.kind]
            lo = bisect_left(starts, max(t.sentence.start, t.span.start - _EXCLUDE_REACH))
            for m in near[lo:]:
                if m.span.start >= min(t.sentence.end, t.span.end + _EXCLUDE_REACH):
                    break
                if m.span.start < t.span.end and m.span.end > t.span.start and m.span.text != t.span.text:
                    reason = m.span.text  # the phrase itself is an exclusion ("operating room")
                    break
                a, b = sorted((t.span.end, m.span.start)) if m.span.start >= t.span.end else (m.span.end, t.span.start)
                if a <= b and tx.words(a, b) <= rule.exclude_window:
                    reason = m.span.text
                    break
        if reason is None:
            kept.append(t)
        else:
            dropped.append((t, f"{reason!r} next to it: not a {rule.label.lower()}"))
    return kept, dropped


def _references(text: str, accepted: list[Trigger], rules: ZoneRules, tokens: Tokens) -> list[Trigger]:
    """``refer_*`` phrases that follow an accepted trigger of their kind and overlap none."""
    prules = _phrase_rules(rules, "refer")
    if not prules.kinds:
        return []
    first: dict[str, int] = {}
    spans = []
    for t in accepted:
        first.setdefault(t.kind, t.span.start)
        spans.append((t.span.start, t.span.end))
    kinds = {k: v for k, v in prules.kinds.items() if k in first}
    if not kinds:
        return []
    spans.sort()
    out = []
    for r in find_triggers(text, rules=replace(prules, kinds=kinds), tokens=tokens):
        if r.span.start <= first[r.kind]:
            continue
        i = bisect_left(spans, (r.span.end, -1))
        if i and spans[i - 1][1] > r.span.start:  # inside a trigger ("الغرف" of "الغرف المشتركة")
            continue
        out.append(r)
    return out


def _read_kind(
    tx: _Text, rule: KindRule, own: list[Trigger], refs: list[Trigger], stops: list[int]
) -> list[Reading]:
    """The readings of one kind: each trigger's places, then each reference's, in text order."""
    if rule.attach == "none":
        return [Reading(t, [], "named", 0.9) for t in own]
    out: list[Reading] = []
    everything = sorted([(t, False) for t in own] + [(r, True) for r in refs], key=lambda p: p[0].span.start)
    for t, is_ref in everything:
        a, b = t.span.end, tx.clause_end(t.span.end)
        k = bisect_right(stops, t.span.start)
        if k < len(stops):
            b = min(b, stops[k])
        runs = _runs(tx, a, b, rule)
        if rule.attach == "clause" and runs:
            first = runs[0][0]
            chosen = []
            for i in tx.after(tx.starts[first], b):
                if tx.places[i].kind in rule.place_kinds:
                    chosen.append(i)
                    if len(chosen) >= 2 * rule.max_places:
                        break
            chosen = _no_overlap(tx, chosen)[: rule.max_places]
            how = "named in the same clause"
        elif runs:
            chosen = max(runs, key=len)
            how = "listed after"
            if tx.gap_words(a, tx.starts[chosen[0]]) > 6:
                how = "listed (late) after"
            if len(chosen) > 1 and any(
                any(tx.is_enumerator(w) for w in (tx.gap_tokens(tx.ends[p], tx.starts[q], 30) or []))
                for p, q in zip(chosen, chosen[1:], strict=False)
            ):
                how = "enumerated after"
        elif not is_ref and (
            rule.attach_before == "always"
            or (rule.attach_before == "arabic_script" and _arabic_script(t.span.text))
        ):
            k = bisect_left(stops, t.span.start)
            chosen = _run_before(tx, t.span.start, rule, stops[k - 1] if k else 0)
            how = "named just before"
        else:
            chosen = []
            how = ""
        if len(chosen) < rule.min_places:
            chosen = []
        hits = _attached(tx, chosen)
        confidence = {"listed after": 0.9, "named in the same clause": 0.85}.get(how, 0.8)
        if how == "named just before":
            confidence = 0.7
        if is_ref:
            confidence = min(confidence, 0.75)
        out.append(Reading(t, hits, how, confidence, [t] if is_ref else []))
    return _own(out)


def _arabic_script(s: str) -> bool:
    """Whether ``s`` is written in Arabic script (Arabic or Sorani): in English the place before an
    attack noun is its subject ("Erbil had launched an attack"), not where it happened."""
    return any("\u0600" <= ch <= "\u06ff" for ch in s)


def _no_overlap(tx: _Text, chosen: list[int]) -> list[int]:
    out: list[int] = []
    end = -1
    for i in chosen:
        if tx.starts[i] >= end:
            out.append(i)
            end = tx.ends[i]
    return out


def _own(readings: list[Reading]) -> list[Reading]:
    """Each mention goes to the nearest reading before it; readings left with nothing they
    reached are dropped (part of a nearer trigger's phrase), the rest keep their own hits."""
    owner: dict[int, int] = {}
    for n, r in enumerate(readings):
        for h in r.hits:
            held = owner.get(h.start)
            if held is None or r.trigger.span.start > readings[held].trigger.span.start:
                owner[h.start] = n
    out = []
    for n, r in enumerate(readings):
        if not r.hits:
            out.append(r)
            continue
        keep = [h for h in r.hits if owner[h.start] == n]
        if not keep:
            log.debug("trigger %r at %d shares its places with a nearer trigger", r.trigger.span.text, r.trigger.span.start)
            continue
        if len(keep) != len(r.hits):
            keep = _renumber(r.hits, keep)
        r.hits = keep
        out.append(r)
    return out


def _renumber(hits: list[Attached], keep: list[Attached]) -> list[Attached]:
    """``keep`` (a subset of ``hits``) with locator numbers pointing into ``keep``."""
    index = {id(h): n for n, h in enumerate(keep)}
    out = []
    for h in keep:
        target = hits[h.locator_of] if h.locator_of is not None else None
        if target is not None and id(target) in index:
            out.append(replace(h, locator_of=index[id(target)]))
        else:
            out.append(replace(h, locator_of=None, locator=None))
    return out

