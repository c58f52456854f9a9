"""Reading zones in an article: which places each trigger names, and how the text says it.

:func:`read_article` applies the five general steps of ``data/zone_rules.toml`` ("How places attach
to a trigger") on the shared token stream (:class:`geo.text.tokens.Tokens`) and the resolved places:

1. clauses: the rules' clause breaks, with quotation marks read through («داعش», "ISIS");
2. triggers (:func:`geo.zones.triggers.find_triggers`), each dropped when one of its kind's
   ``exclude_*`` phrases stands near it in the same sentence;
3. runs of places after each trigger (:mod:`geo.zones.runs`): places joined by connectors, or by short gaps holding an
   enumerator ("the first in X, the second in Y"); the longest run within reach wins;
4. references: ``refer_*`` phrases ("those gaps", "الغرف الست", "ژوورەکان") that stand for an
   earlier accepted trigger of their kind and give it their places, unless the kind's ``exclude_*``
   phrases cancel them or another kind's trigger opens their clause ("بهجوم استهدف مركز شرطة");
   a run after a venue or source word ("اجتماع عقد في بغداد", "a source in Diyala") is left out;
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
import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace

from geo.model import Place
from geo.text.tokens import Tokens
from geo.zones.article_text import ArticleText
from geo.zones.locators import Attached, attached_run
from geo.zones.rules import KindRule, ZoneRules
from geo.zones.runs import enumeration_follows, run_before, runs_after
from geo.zones.triggers import Trigger, find_triggers

log = logging.getLogger(__name__)

#: A month and a year after a trigger ("في كانون الثاني 2021", "in January 2021"): a past event
#: cited for context, not the area of the attacks reported (``exclude_dated``).
_MONTHS = (
    "كانون الثاني|كانون الاول|كانون الأول|شباط|آذار|اذار|نيسان|أيار|ايار|حزيران|تموز|آب|اب|أيلول|ايلول|"
    "تشرين الأول|تشرين الاول|تشرين الثاني|يناير|فبراير|مارس|أبريل|ابريل|مايو|يونيو|يوليو|أغسطس|اغسطس|"
    "سبتمبر|أكتوبر|اكتوبر|نوفمبر|ديسمبر|January|February|March|April|May|June|July|August|September|"
    "October|November|December|کانوونی دووەم|شوبات|ئازار|نیسان|ئایار|حوزەیران|تەممووز|ئاب|ئەیلوول|"
    "تشرینی یەکەم|تشرینی دووەم|کانوونی یەکەم"
)
_DATED = re.compile(rf"(?:{_MONTHS})\s*/?\s*(?:19|20|١٩|٢٠)[0-9٠-٩]{{2}}\b")
_DATED_REACH = 120

#: How far around a trigger (characters) an exclusion phrase is looked for.
_EXCLUDE_REACH = 300


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


def _phrases_in(text: str, prules: ZoneRules, tokens: Tokens, group: str) -> list[Trigger]:
    """The phrases of ``prules`` in ``text``, kept for the last few short texts (the dashboard
    derives the zones of one article again whenever a setting changes)."""
    if len(text) > _PHRASE_CACHE_CHARS:
        return find_triggers(text, rules=prules, tokens=tokens)
    key = (text, group, id(prules))
    with _PHRASE_LOCK:
        found = _PHRASE_CACHE.get(key)
    if found is None:
        found = find_triggers(text, rules=prules, tokens=tokens)
        with _PHRASE_LOCK:
            _PHRASE_CACHE[key] = found
            while len(_PHRASE_CACHE) > 16:
                _PHRASE_CACHE.pop(next(iter(_PHRASE_CACHE)))
    return found


_PHRASE_CACHE: dict[tuple[str, str, int], list[Trigger]] = {}

_PHRASE_CACHE_CHARS = 200_000

_PHRASE_LOCK = threading.Lock()

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
    tx = ArticleText(text, places, rules, tokens)
    accepted, excluded = _exclude(text, found, rules, tokens, tx)
    refs = _own_clause(tx, _references(text, accepted, rules, tokens), accepted)
    refs, _cancelled = _exclude(text, refs, rules, tokens, tx)  # "مركز صحي", "ژوورێک لە نەخۆشخانە"
    readings: dict[str, list[Reading]] = {}
    for kind, rule in rules.kinds.items():
        own = [t for t in accepted if t.kind == kind]
        if not own:
            continue
        # the places after another kind's trigger are that trigger's ("غرف التنسيق ... بعد تزايد
        # هجمات «داعش» في ديالى"); corridors share theirs with the attack in them
        stops = (
            sorted(
                t.span.start
                for t in (*accepted, *refs)
                if t.kind != kind and "corridor" not in (t.kind, kind)
            )
            if rule.attach == "list"
            else []  # a trajectory runs on past an attack named in it
        )
        readings[kind] = _read_kind(tx, rule, own, [r for r in refs if r.kind == kind], stops)
    return ArticleReading(readings, accepted, excluded, refs)


def _exclude(
    text: str, found: list[Trigger], rules: ZoneRules, tokens: Tokens, tx: ArticleText
) -> tuple[list[Trigger], list[tuple[Trigger, str]]]:
    """The triggers no exclusion phrase of their kind cancels, and the cancelled ones with why."""
    prules = _phrase_rules(rules, "exclude")
    if not found or not prules.kinds:
        return list(found), []
    marks = _phrases_in(text, prules, tokens, "exclude")
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
                a, b = (
                    sorted((t.span.end, m.span.start))
                    if m.span.start >= t.span.end
                    else (m.span.end, t.span.start)
                )
                if a <= b and tx.words(a, b) <= rule.exclude_window:
                    reason = m.span.text
                    break
        if reason is None and rule.exclude_dated:
            dated = _DATED.search(text, t.span.end, min(tx.clause_end(t.span.end), t.span.end + _DATED_REACH))
            if dated:
                reason = f"dated {dated.group(0)!r}, a past event cited for context"
        if reason is None:
            kept.append(t)
        else:
            dropped.append((t, f"{reason!r} next to it: not read as {rule.label.lower()}"))
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
    if not any(k in first for k in prules.kinds):
        return []
    spans.sort()
    out = []
    for r in _phrases_in(text, prules, tokens, "refer"):
        if r.kind not in first or r.span.start <= first[r.kind]:
            continue
        i = bisect_left(spans, (r.span.end, -1))
        if i and spans[i - 1][1] > r.span.start:  # inside a trigger ("الغرف" of "الغرف المشتركة")
            continue
        out.append(r)
    return out


def _own_clause(tx: ArticleText, refs: list[Trigger], accepted: list[Trigger]) -> list[Trigger]:
    """The references that no accepted trigger of another kind precedes in their clause: after
    "بهجوم استهدف مركز شرطة في الحويجة" the places are the attack's, and "مركز" is no room. An
    attack and a corridor share theirs ("دوو هێرشی داعش لەو ناوچەیە": an attack in the corridor)."""
    starts = sorted((t.span.start, t.kind) for t in accepted)
    out = []
    for r in refs:
        lo = tx.clause_start(r.span.start)
        k = bisect_left(starts, (lo, ""))
        while (
            k < len(starts)
            and starts[k][0] < r.span.start
            and (starts[k][1] == r.kind or "corridor" in (starts[k][1], r.kind))
        ):
            k += 1
        if k < len(starts) and starts[k][0] < r.span.start:
            continue  # another kind's trigger opens the clause before the reference
        out.append(r)
    return out


def _read_kind(
    tx: ArticleText, rule: KindRule, own: list[Trigger], refs: list[Trigger], stops: list[int]
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
        runs = runs_after(tx, a, b, rule)
        if not runs and rule.attach == "list" and enumeration_follows(tx, b):
            # "ثلاث غرف عمليات؛ تقع أولاها في ناحية الشمال، وثانيتها في ...": the list after a
            # semicolon that opens with an ordinal is the trigger's
            c = tx.clause_end(b + 1)
            runs = runs_after(tx, b + 1, min(c, stops[k]) if k < len(stops) else c, rule)
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
        elif (
            not is_ref
            and rule.attach_before != "never"
            and (rule.attach_before != "arabic_script" or _arabic_script(t.span.text))
        ):
            k = bisect_left(stops, t.span.start)
            fronted = rule.attach_before == "fronted" or (
                rule.attach_before == "arabic_script_or_fronted" and not _arabic_script(t.span.text)
            )
            chosen = run_before(tx, t.span.start, rule, stops[k - 1] if k else 0, fronted=fronted)
            how = "named just before"
        else:
            chosen = []
            how = ""
        if len(chosen) < rule.min_places:
            chosen = []
        hits = attached_run(tx, chosen)
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


def _no_overlap(tx: ArticleText, chosen: list[int]) -> list[int]:
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
            log.debug(
                "trigger %r at %d shares its places with a nearer trigger",
                r.trigger.span.text,
                r.trigger.span.start,
            )
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
