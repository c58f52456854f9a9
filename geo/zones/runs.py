"""Runs of places around a trigger: the lists a trigger names (step 3 of the rules file).

:func:`runs_after` finds the runs of places after a trigger in its clause: places joined by
connectors, by short gaps holding an enumerator ("the first in X, the second in Y") or by a focus
word ("especially in ..."), without those after a venue or source word ("اجتماع عقد في بغداد"),
those of a relative clause that describes a run ("..., which borders ..."), organisations' names
("the Baghdad Operations Command") and the places after a kind's ``skip_after`` words ("withdrew
towards ..."). :func:`run_before` finds the run just before a trigger (Arabic and Sorani put the
place first), and :func:`enumeration_follows` whether a semicolon opens an ordinal list.
"""

from __future__ import annotations

from geo.zones.article_text import ArticleText
from geo.zones.rules import KindRule

#: How far before a trigger (characters) a place may stand for ``attach_before``.
_BEFORE_REACH = 400

#: How many words before a run, and how far (characters), a venue word is looked for.
_VENUE_WORDS = 4
_VENUE_REACH = 80


def _runs(tx: ArticleText, a: int, b: int, rule: KindRule) -> list[list[int]]:  # noqa: C901
    """Runs of mentions (numbers) of the kind's places in [a, b), first places within the lead."""
    runs: list[list[int]] = []
    current: list[int] = []
    late: set[int] = set()
    prev_end = a
    limit = max(rule.max_gap_words, 1) * 3 + 8
    for i in tx.after(a, b):
        if tx.starts[i] < prev_end:
            continue
        if tx.places[i].kind not in rule.place_kinds or tx.names_organisation(i) or _skipped(tx, i, rule):
            # a country or region inside a run ("near the Syrian border"), an organisation's
            # name ("the Baghdad Operations Command") and a place after one of the kind's
            # skip_after words ("withdrew towards the Tharthar desert") are passed over
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
            if not joined:
                # "... have risen over the past two weeks, especially around Tarmiyah": a focus
                # word just before the place narrows the same trigger's area
                joined = _after_focus(tx, i, prev_end)
        if joined and len(current) < rule.max_places:
            current.append(i)
        else:
            if current:
                runs.append(current)
                if _relative_between(tx, prev_end, tx.lead_start(i)):
                    # "another in Altun Kupri, which straddles the road between Erbil and
                    # Kirkuk": the places of a relative clause describe the run, they add none
                    current = []
                    break
            lead = tx.gap_words(a, tx.starts[i])
            if lead > rule.max_lead_words and not _after_focus(tx, i, a):
                if lead > rule.max_lead_words * _LATE_LIST_REACH:
                    current = []
                    break
                late.add(i)  # kept only if it opens a list of two or more
            current = [i]
        prev_end = tx.ends[i]
    if current:
        runs.append(current)
    # a list may start later than a single place may ("an uptick in attacks over the past two
    # weeks, most of them ... by militants on motorbikes, in Rawa, al-Qaim and Hit")
    return [run for run in runs if run[0] not in late or len(run) >= 2]


#: How much further than ``max_lead_words`` a list of two or more places may start.
_LATE_LIST_REACH = 1.5


def _after_focus(tx: ArticleText, i: int, floor: int) -> bool:
    """Whether one of [matching].focus_words stands in the :data:`_FOCUS_WORDS` words before
    mention ``i`` (after ``floor``): "ولا سيما في المناطق الحدودية التابعة لناحيتي مندلي"."""
    if not tx.focus:
        return False
    return any(w in tx.focus for w in tx.words_before(tx.lead_start(i), _FOCUS_WORDS, floor))


#: How many words before a place a focus word may stand.
_FOCUS_WORDS = 8


def _skipped(tx: ArticleText, i: int, rule: KindRule) -> bool:
    """Whether one of the kind's ``skip_after`` words stands in the three words before mention ``i``."""
    if not rule.skip_after:
        return False
    return any(w in rule.skip_after for w in tx.words_before(tx.lead_start(i), 3))


def _relative_between(tx: ArticleText, a: int, b: int) -> bool:
    """Whether one of [matching].relative_words stands in text[a:b] ("which", "الذي", "کە")."""
    if not tx.relatives:
        return False
    return any(w in tx.relatives for w in tx.words_between(a, b, 60))


def runs_after(tx: ArticleText, a: int, b: int, rule: KindRule) -> list[list[int]]:
    """:func:`_runs` in [a, b) but those that name a venue (:func:`_at_venue`)."""
    return [run for run in _runs(tx, a, b, rule) if not _at_venue(tx, a, run[0])]


def enumeration_follows(tx: ArticleText, b: int) -> bool:
    """Whether the clause break at ``b`` is a semicolon and the clause after it opens with an
    enumerator within its first :data:`_ENUMERATION_LEAD` words."""
    if b >= len(tx.text) or tx.text[b] not in "؛;":
        return False
    lead = tx.gap_tokens(b + 1, min(tx.clause_end(b + 1), b + 20 * _ENUMERATION_LEAD), 60) or []
    words = [w for w in lead if w[:1].isalnum()][:_ENUMERATION_LEAD]
    return any(tx.is_enumerator(w) for w in words)


#: Words after a semicolon within which an enumerator opens the trigger's list.
_ENUMERATION_LEAD = 3


def _at_venue(tx: ArticleText, a: int, first: int) -> bool:
    """Whether the run opening with mention ``first`` names where something else happened: one of
    [matching].venue_words stands in the last ``_VENUE_WORDS`` words before it, after ``a`` ("بعد
    اجتماع عقد في العاصمة بغداد", "taken to Kirkuk hospital", "a meeting held in Erbil")."""
    if not tx.venues:
        return False
    lead = tx.gap_tokens(max(a, tx.lead_start(first) - _VENUE_REACH), tx.lead_start(first), 4 * _VENUE_WORDS)
    if lead is None:
        return False
    words = [w for w in lead if w[:1].isalnum()][-_VENUE_WORDS:]
    return any(w in tx.venues for w in words)


def run_before(tx: ArticleText, pos: int, rule: KindRule, floor: int, *, fronted: bool = False) -> list[int]:
    """The run that ends just before ``pos`` in its clause (at most ``max_before_words`` words
    before it, and after ``floor``, where the last trigger of another kind stands). ``fronted``:
    the run must open its clause after a locative ([matching] locatives: "in", "في", "لە") and a
    comma must follow it: "In Makhmour, a joint room ...", not "Baghdad and Erbil agreed on joint
    rooms"."""
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
    if fronted:
        lead = tx.gap_tokens(a, tx.starts[run[0]], 6)
        if (
            not lead
            or lead[-1] not in tx.locatives
            and not (len(lead) > 1 and lead[-2] in tx.locatives and tx.is_connector(lead[-1]))
        ):
            return []  # "في مدينة كركوك،": a locative, at most one connector ("مدينة", "the city of")
        if not any(w in (",", "،") for w in between):
            return []
    return run
