"""The dashboard's pages under Streamlit's AppTest, and its pure input helpers.

Every page runs on the seed article through the real pipeline; uploads, pasted text and the map
controls change what the page shows; bad input gives a message, never an exception.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import inputs, state
from geo.data import boundaries
from geo.errors import InputError
from geo.pipeline import Settings, analyze

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
TIMEOUT = 120
XSS_HTML = b"""<!doctype html><html><head><title>&lt;img src=x onerror=window.__pwned=1&gt;</title></head>
<body><article><h1>&lt;script&gt;window.__pwned=1&lt;/script&gt;</h1>
<p>\xd9\x87\xd8\xac\xd9\x88\xd9\x85 \xd9\x81\xd9\x8a \xd9\x83\xd8\xb1\xd9\x83\xd9\x88\xd9\x83 &lt;script&gt;window.__pwned=1&lt;/script&gt; ${window.__pwned=1}</p>
<p><img src=x onerror="window.__pwned=1"> <a href="javascript:window.__pwned=1">link</a> `x`</p>
<script>window.__pwned=1</script></article></body></html>"""


@cache
def _seed_analysis() -> Any:
    return analyze(inputs.seed().text, inputs.seed().source, Settings())


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()  # a session's first run draws the map alone ...
    at.run()  # ... and the map's first report (in a browser) reruns the page, which draws the rest
    return at


def test_a_sessions_first_run_draws_the_map_alone_and_the_next_the_rest() -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not _problems(at), _problems(at)
    assert _map_args(at)  # the map is there
    assert not at.sidebar.slider and not at.dataframe and not at.tabs  # nothing else yet
    assert at.session_state[state.MAP_FIRST]  # the fallback timer is armed
    at.run()
    assert not _problems(at), _problems(at)
    assert _map_args(at) and at.sidebar.slider and at.dataframe
    assert not at.session_state[state.MAP_FIRST]


def _problems(at: AppTest) -> list[str]:
    return [e.value for e in at.exception] + [e.value for e in at.error]


def _map_args(at: AppTest) -> dict[str, Any]:
    found = []

    def walk(node: Any) -> None:
        for child in getattr(node, "children", {}).values():
            if getattr(child, "type", "") == "component_instance":
                found.append(json.loads(child.proto.json_args))
            walk(child)

    walk(at.main)
    assert len(found) == 1, "expected exactly one map on the page"
    return found[0]


def _table(at: AppTest, key: str) -> Any:
    """The frame of the table with widget key ``key`` (other tables may share the page)."""
    found = [d.value for d in at.dataframe if d.key == key]
    assert len(found) == 1, f"expected one table {key!r}, found {len(found)}"
    return found[0]


def _html(at: AppTest) -> str:
    return "\n".join(h.proto.body for h in at.get("html"))


# --- Map page ---------------------------------------------------------------------------------


def test_map_page_opens_on_the_seed_article() -> None:
    at = _app()
    assert not _problems(at)
    seed = _seed_analysis()
    assert seed.places and seed.zones
    caption = at.caption[0].value if at.caption else ""
    assert any(f"{len(seed.places)} places · {len(seed.zones)} zones" in c.value for c in at.caption), caption
    args = _map_args(at)
    layers = args["feature_group"]
    assert layers.count("za-place ") == len(seed.places)
    assert layers.count("za-zone ") == sum(z.geometry is not None for z in seed.zones)
    assert "/app/static/vendor/leaflet/dist/leaflet.js" in args["js_links"]
    assert all(link.startswith("/app/static/vendor/") for link in args["js_links"] + args["css_links"])
    assert set(args["returned_objects"]) == {"last_object_clicked_count", "last_object_clicked_tooltip"}
    # panning and zooming send nothing back, so they never rerun the page
    assert not {"bounds", "zoom", "center", "last_clicked"} & set(args["returned_objects"])
    assert 'dir="rtl"' in _html(at) and "za-mention" in _html(at)
    places = _table(at, state.PLACES_TABLE)
    assert list(places["name"]) == [p.name for p in seed.places]
    assert not [d for d in at.dataframe if d.key == state.ZONES_TABLE]
    at.session_state[state.DETAILS_TAB] = "Zones"  # only the open tab is drawn
    at.run()
    assert not [d for d in at.dataframe if d.key == state.PLACES_TABLE]
    assert list(_table(at, state.ZONES_TABLE)["label"]) == [z.label for z in seed.zones]
    at.session_state[state.DETAILS_TAB] = "Downloads"
    at.run()
    assert not _problems(at)
    assert any(b.proto.label.endswith(".geojson") for b in at.get("download_button"))


def test_belt_width_changes_the_zones_not_the_base_map() -> None:
    at = _app()
    before = _map_args(at)
    slider = at.slider(key=state.BELT_KM)
    assert slider.value == Settings().belt_km
    slider.set_value(45.0).run()
    assert not _problems(at)
    after = _map_args(at)
    assert after["script"] == before["script"]  # the browser keeps its map and swaps the layers
    assert after["feature_group"] != before["feature_group"]
    assert any("belt 45 km" in c.value for c in at.caption)
    at.session_state[state.DETAILS_TAB] = "Zones"
    at.run()
    zones = _table(at, state.ZONES_TABLE)
    belt_rows = zones[zones["label"].str.contains("45 km")]
    assert len(belt_rows) == 1


def test_zone_kinds_and_admin_levels_change_the_map() -> None:
    at = _app()
    kinds = at.multiselect(key=state.ZONE_KINDS)
    assert "security_vacuum" in kinds.value
    kinds.unselect("security_vacuum").run()
    before = _map_args(at)
    assert "za-zone-security_vacuum" not in before["feature_group"]
    at.multiselect(key=state.ADMIN_LEVELS).select(3).run()
    assert not _problems(at)
    args = _map_args(at)
    assert "Sub-districts (ADM3)" in args["layer_control"]
    assert args["script"] == before["script"]  # a boundary level is a layer swap, not a new map
    assert args["feature_group"].count("L.geoJson(") == 3  # governorates, districts, sub-districts


def test_boundaries_travel_as_published_files_not_in_every_rerun() -> None:
    at = _app()
    args = _map_args(at)
    sent = args["script"] + args["feature_group"]
    assert '"pcode"' not in sent  # no boundary feature in what each rerun sends
    urls = sorted(set(re.findall(r"/app/static/layers/adm[123]-[0-9a-f]{12}\.js", sent)))
    assert [u.split("/")[-1][:4] for u in urls] == ["adm1", "adm2"]  # the levels shown
    static = Path(APP).parent / "static" / "layers"
    for url in urls:
        text = (static / url.split("/")[-1]).read_text(encoding="utf-8")
        level = int(url.split("/")[-1][3])
        assert text.startswith("window.zaLayers = window.zaLayers || {};")
        assert text.count('"pcode"') == len(boundaries.load_level(level, web=True))
    assert len(sent.encode()) < 400_000  # was 525 kB with the boundaries inline


def test_every_map_control_but_the_minimap_swaps_layers_and_keeps_the_map() -> None:
    at = _app()
    first = _map_args(at)
    script, layers = first["script"], first["feature_group"]
    for widget, value in (
        (at.radio(key=state.LABEL_LANG), "ar"),
        (at.radio(key=state.BASEMAP), "osm"),
        (at.slider(key=state.BELT_KM), 30.0),
        (at.multiselect(key=state.ADMIN_LEVELS), [1]),
    ):
        widget.set_value(value).run()
        assert not _problems(at)
        now = _map_args(at)
        assert now["script"] == script, widget.key  # the browser keeps its map
        assert now["feature_group"] != layers, widget.key  # and swaps what changed
        layers = now["feature_group"]
    assert "tile.openstreetmap.org" in layers and "za-adm2" not in layers
    assert "window.zaGroups" in layers  # unchanged layers are kept in the browser, not drawn again


def test_minimum_confidence_above_every_place_says_so() -> None:
    at = _app()
    at.slider(key=state.MIN_CONFIDENCE).set_value(1.0).run()
    assert not _problems(at)
    assert any("No places were found" in w.value for w in at.warning)


def test_go_to_selects_a_place_and_centres_the_map() -> None:
    at = _app()
    seed = _seed_analysis()
    index = max(range(len(seed.places)), key=lambda i: len(seed.places[i].mentions))
    at.selectbox(key=state.GOTO).set_value(f"P{index}").run()
    assert not _problems(at)
    assert at.session_state[state.SELECTED] == f"P{index}"
    (lat, lon), zoom, _nonce = at.session_state[state.VIEW]
    assert abs(lat - seed.places[index].lat) < 1e-6 and abs(lon - seed.places[index].lon) < 1e-6
    args = _map_args(at)
    assert args["zoom"] == zoom and abs(args["center"][0] - seed.places[index].lat) < 1e-6
    page = _html(at)
    assert "za-quote" in page and "<mark>" in page and "za-selected" in page


def test_settings_survive_a_visit_to_another_page() -> None:
    at = _app()
    at.slider(key=state.BELT_KM).set_value(30.0).run()
    at.switch_page("app_pages/about.py").run()
    at.switch_page("app_pages/map.py").run()
    assert not _problems(at)
    assert at.slider(key=state.BELT_KM).value == 30.0


# --- Articles page ----------------------------------------------------------------------------


def _articles_page() -> AppTest:
    at = _app()
    at.switch_page("app_pages/articles.py").run()
    assert not _problems(at)
    return at


def test_upload_adds_articles_and_shows_the_last_one() -> None:
    at = _articles_page()
    english = b"Clashes were reported in Kirkuk and near Tuz Khurmatu on Monday."
    at.file_uploader[0].set_value([("a.txt", english, "text/plain"), ("b.html", XSS_HTML, "text/html")]).run()
    assert not _problems(at)
    articles = at.session_state[state.ARTICLES]
    assert len(articles) == 3
    current = articles[at.session_state[state.CURRENT]]
    assert current.source == "b.html" and current.format == "html"
    page = _html(at)
    assert "<script>window" not in page and "<img src" not in page and "${" not in page
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page  # shown as text
    at.switch_page("app_pages/map.py").run()
    assert not _problems(at)
    assert "<script>window" not in _html(at) and "<script>window" not in _map_args(at)["feature_group"]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\t ", "whitespace"),
        ("binary.txt", b"\x00\x01\x02binary\x00", "binary"),
        ("big.txt", b"a" * (inputs.MAX_UPLOAD_BYTES + 1), "limit"),
    ],
)
def test_bad_uploads_give_a_message(name: str, data: bytes, message: str) -> None:
    at = _articles_page()
    at.file_uploader[0].set_value((name, data, "application/octet-stream")).run()
    assert not at.exception
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    assert len(at.session_state[state.ARTICLES]) == 1  # nothing added, the seed still shown


def test_pasted_text_becomes_the_current_article() -> None:
    at = _articles_page()
    at.text_area(key=state.PASTE_TEXT).input("هجوم لداعش في قضاء مخمور جنوب اربيل")
    at.button[0].click().run()  # the form's submit button
    assert not _problems(at)
    current = at.session_state[state.ARTICLES][at.session_state[state.CURRENT]]
    assert current.source == "Pasted text 1" and current.lang == "ar"
    at.switch_page("app_pages/map.py").run()
    assert not _problems(at)


def test_text_with_no_places_is_explained() -> None:
    at = _articles_page()
    at.text_area(key=state.PASTE_TEXT).input("The weather was mild and nothing else happened today.")
    at.button[0].click().run()
    at.switch_page("app_pages/map.py").run()
    assert not at.exception
    assert any("No places were found" in w.value for w in at.warning)


def test_empty_paste_gives_a_message() -> None:
    at = _articles_page()
    at.text_area(key=state.PASTE_TEXT).input("   ")
    at.button[0].click().run()
    assert any("empty" in e.value for e in at.error)


# --- About page -------------------------------------------------------------------------------


def test_about_page_lists_datasets_and_licences() -> None:
    at = _app()
    at.switch_page("app_pages/about.py").run()
    assert not _problems(at)
    datasets = at.dataframe[0].value
    assert "CC BY 3.0 IGO" in set(datasets["license"])
    libraries = at.dataframe[1].value
    assert {"leaflet", "leaflet-minimap"} <= set(libraries["library"])


# --- Input helpers ----------------------------------------------------------------------------


def test_inputs_refuse_bad_text() -> None:
    with pytest.raises(InputError, match="empty"):
        inputs.from_text(" \n ", "x")
    with pytest.raises(InputError, match="limit"):
        inputs.from_text("a" * (inputs.MAX_CHARS + 1), "x")
    with pytest.raises(InputError, match="binary"):
        inputs.from_text("a\x00b", "x")


def test_inputs_refuse_other_file_types() -> None:
    # the upload widget filters types in the browser too; this is the check behind it
    with pytest.raises(InputError, match="not articles"):
        inputs.from_upload("report.pdf", b"%PDF-1.4")


def test_inputs_read_uploads_and_deduplicate() -> None:
    record = inputs.from_upload("a.md", "# عنوان\n\nهجوم في كركوك".encode())
    assert record.lang == "ar" and record.format == "text"
    cp1256 = inputs.from_upload("b.txt", "هجوم في كركوك".encode("cp1256"))
    assert cp1256.text == "هجوم في كركوك"
    articles: dict[str, inputs.ArticleRecord] = {}
    assert inputs.add(articles, record) == inputs.add(
        articles, inputs.from_upload("c.txt", record.text.encode())
    )
    assert len(articles) == 1
    assert inputs.language_name("ckb") == "Kurdish (Sorani) (ckb)"


# --- first screen, names, legend, details ----------------------------------------------------------


def _label_texts(script: str) -> list[str]:
    """The names the map's label layer of the article carries (third field of each row)."""
    found = re.search(r'zaLabelEngine\.add\("analysis", \w+,\s*(\[.*?\]\])\);', script, re.DOTALL)
    assert found, "no label layer"
    return [row[2] for row in json.loads(found.group(1))]


def test_first_screen_names_the_product_and_says_what_it_does() -> None:
    at = _app()
    assert not _problems(at)
    page = _html(at)
    assert '<span class="za-name">Zone Atlas</span>' in page and "news about Iraq" in page
    assert any("The sample article" in c.value for c in at.caption)
    assert at.session_state[state.WARM]  # the "Preparing the map" status is only for the first paint
    assert not any("Preparing the map" in i.value for i in at.info)


def test_map_labels_follow_the_language_toggle_and_the_legend_is_beside_the_map() -> None:
    at = _app()
    seed = _seed_analysis()
    english = _map_args(at)
    assert {p.name for p in seed.places} <= set(_label_texts(english["feature_group"]))
    assert "za-legend" not in english["script"] and "L.Control.MiniMap" not in english["script"]
    assert "za-legend-strip" in _html(at)  # the legend, outside the map
    at.radio(key=state.LABEL_LANG).set_value("ar").run()
    assert not _problems(at)
    arabic = _map_args(at)
    assert arabic["script"] == english["script"]  # the map is kept: only its layers change
    assert re.findall(r'zaLabelEngine\.add\("base"', arabic["feature_group"])  # basemap names too
    names = set(_label_texts(arabic["feature_group"]))
    assert {p.name_ar for p in seed.places if p.name_ar} <= names and "Kirkuk" not in names
    at.toggle(key=state.MINIMAP).set_value(True).run()
    assert "L.Control.MiniMap" in _map_args(at)["script"]


def test_zones_tab_keeps_the_construction_under_details() -> None:
    at = _app()
    at.session_state[state.DETAILS_TAB] = "Zones"
    at.run()
    assert not _problems(at)
    assert any(e.label.startswith("Details") for e in at.expander)
    details = next(d.value for d in at.dataframe if "construction" in d.value.columns)
    assert "construction" in details.columns and "seat_and_area" in set(details["construction"])


def test_upload_box_and_its_label_give_one_limit() -> None:
    assert (
        inputs.UPLOAD_BOX_MB * 1_000_000 >= inputs.MAX_UPLOAD_BYTES > (inputs.UPLOAD_BOX_MB - 1) * 1_000_000
    )
    at = _articles_page()
    uploader = at.file_uploader[0]
    assert f"up to {inputs.MAX_UPLOAD_BYTES / 1e6:g} MB each" in uploader.label
    assert uploader.proto.max_upload_size_mb == inputs.UPLOAD_BOX_MB
