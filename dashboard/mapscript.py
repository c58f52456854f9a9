"""The map's layers rendered to JavaScript once, and handed to ``st_folium`` as text on reruns.

``st_folium`` turns every layer of ``feature_group_to_add`` into a script on every rerun: folium
builds hundreds of elements (each with a random id and a compiled template) for an article's
zones, places and names, the larger part of a rerun's server time. The script of a layer only
depends on what it draws, so it is rendered once per (layer, position) and kept here; a rerun
that shows the same layers gets :class:`Prerendered` groups that carry that text and render
nothing.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from textwrap import dedent
from typing import Any

import folium
from folium.template import Template
from streamlit_folium import generate_leaflet_string, get_full_id

#: Scripts kept (one entry per layer list shown; a session switching back and forth hits them).
MAX_ENTRIES = 96
_scripts: OrderedDict[Hashable, list[tuple[str, str, bool]]] = OrderedDict()
_lock = threading.Lock()


class Prerendered(folium.FeatureGroup):
    """A feature group whose script is already written (its children are in the text)."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.script }}{% endmacro %}")

    def __init__(self, script: str, *, name: str, control: bool) -> None:
        super().__init__(name=name, control=control)
        self.script = script

    def render(self, **kwargs: Any) -> None:
        """Nothing to render: the script is written."""


def _render(groups: Sequence[folium.FeatureGroup], start: int) -> list[tuple[str, str, bool]]:
    """The script, name and switcher flag of each group, as ``st_folium`` would write it at its
    position (``start`` + its index in the list)."""
    out = []
    scratch = folium.Map(tiles=None)
    map_id = get_full_id(scratch)
    for i, group in enumerate(groups, start=start):
        group._id = f"feature_group_{i}"  # the name st_folium gives the group at this position
        group.add_to(scratch)
        group.render()
        text = dedent(generate_leaflet_string(group, base_id=f"feature_group_{i}").replace(map_id, "map_div"))
        out.append((_kept(text, f"feature_group_feature_group_{i}"), group.layer_name, bool(group.control)))
    return out


def _kept(text: str, name: str) -> str:
    """``text`` run only when the page has no layer made by the same text (see
    :class:`geo.render.webmap.KeptLayers`); the layer is kept in ``window.zaGroups``."""
    key = json.dumps(hashlib.sha256(text.encode("utf-8")).hexdigest()[:20])
    return (
        f"var {name} = (window.zaGroups = window.zaGroups || {{}})[{key}], {name}_new = !{name};\n"
        f"if ({name}_new) {{\n{name} = (function () {{\n{text}\nreturn {name};\n}})();\n"
        f"{name}.zaKey = {key};\nwindow.zaGroups[{key}] = {name};\n}}\n"
        f"if (map_div.zaKeep) map_div.zaKeep({name}, {name}_new);\n"
    )


def layers(
    key: Hashable, build: Callable[[], Sequence[folium.FeatureGroup]], *, start: int = 0
) -> list[folium.FeatureGroup]:
    """The groups ``build`` makes, rendered once per ``key`` and position ``start``.

    ``key`` must name everything the groups depend on (the analysis, the options).
    """
    with _lock:
        scripts = _scripts.get((key, start))
        if scripts is not None:
            _scripts.move_to_end((key, start))
    if scripts is None:
        scripts = _render(build(), start)
        with _lock:
            _scripts[(key, start)] = scripts
            while len(_scripts) > MAX_ENTRIES:
                _scripts.popitem(last=False)
    return [Prerendered(text, name=name, control=control) for text, name, control in scripts]
