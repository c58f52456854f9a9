"""Events: the incidents an article reports, and their trends.

One module per concept: :mod:`~geo.events.phrases` (phrase lists on the shared tokens),
:mod:`~geo.events.kinds` (event types, ``data/event_rules.toml``), :mod:`~geo.events.actors`
(the actor table, ``data/actors.toml``), :mod:`~geo.events.casualties` (killed and wounded),
:mod:`~geo.events.when` (dates relative to the article), :mod:`~geo.events.places` (the incident's
place and precision), :mod:`~geo.events.merge` (one event per incident),
:mod:`~geo.events.extract` (the recipe: :func:`~geo.events.extract.extract_events`),
:mod:`~geo.events.trends` (counts and surge flags) and :mod:`~geo.events.evaluate` (the gold set's
scorer). The stage sits after :mod:`geo.zones` and before :mod:`geo.pipeline`.
"""
