"""KML export: valid OGC KML 2.2, and article text in it only ever text.

Every document is validated against the OGC KML 2.2 schema (``ogckml22.xsd`` and the atom and xAL
schemas it imports) as shipped in the ``pykml`` package, offline: the schema's imports are pointed
at their official URLs and resolved to the local copies, with the network switched off. Then the
tree is walked: every element must be one the writer makes, in the KML namespace, so an article
can never plant a ``<NetworkLink>`` (or anything else) in a file an analyst opens.
"""

from __future__ import annotations

import dataclasses
import shutil
from importlib.resources import files as package_files
from pathlib import Path
from typing import Any

import export_samples
import geopandas as gpd
import lxml.html
import pandas as pd
import pytest
from export_samples import STYLES, empty_analysis, hand_analysis
from lxml import etree

from geo.errors import ExportError
from geo.model import Analysis
from geo.render import export, kml

seed_analysis = export_samples.seed_analysis  # the seed article through the pipeline (fixture)

NS = "http://www.opengis.net/kml/2.2"
K = f"{{{NS}}}"
XS = "{http://www.w3.org/2001/XMLSchema}"
REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "data" / "samples" / "article-000.txt"
HOSTILE_ARTICLE = Path(__file__).resolve().parents[1] / "fixtures" / "kml" / "network-link.txt"

#: Every element the KML writer makes. Anything else in a file did not come from us.
OUR_ELEMENTS = frozenset({
    "kml", "Document", "Folder", "Placemark", "name", "description", "styleUrl",
    "Style", "IconStyle", "LineStyle", "PolyStyle", "BalloonStyle", "color", "scale", "width", "text",
    "ExtendedData", "Data", "value",
    "Point", "LineString", "Polygon", "MultiGeometry", "outerBoundaryIs", "innerBoundaryIs",
    "LinearRing", "coordinates", "tessellate",
})  # fmt: skip
#: The attributes it sets, per element (none on the others).
OUR_ATTRIBUTES = {
    "Document": {"id"},
    "Folder": {"id"},
    "Placemark": {"id"},
    "Style": {"id"},
    "Data": {"name"},
}
#: Where the official KML 2.2 schema imports its parts from; resolved to pykml's copies here.
REMOTE_IMPORTS = {
    "atom-author-link.xsd": "http://schemas.opengis.net/kml/2.2.0/atom-author-link.xsd",
    "xAL.xsd": "http://docs.oasis-open.org/election/external/xAL.xsd",
}
NETWORK_LINK = (
    "</description><NetworkLink><name>update</name><Link><href>http://203.0.113.9/live.kml</href>"
    "<refreshMode>onInterval</refreshMode><refreshInterval>30</refreshInterval></Link></NetworkLink>"
    "<description>"
)
#: The hand-made article with markup, an ampersand and a formula in both sentences.
HOSTILE_TEXT = (
    f"{NETWORK_LINK} غرف العمليات الأربعة هذه ستكون في ديالى & كركوك <b>.\n"
    '=HYPERLINK("http://203.0.113.9/x","open") وتمتد الفراغات من محافظة نينوى وصولا إلى ديالى على حدود إيران.'
)


class LocalSchemas(etree.Resolver):
    """Resolve a schema URL to the file of the same name pykml ships; anything else is not found."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder
        self.asked: list[str] = []

    def resolve(self, system_url: str, public_id: str, context: Any) -> Any:
        self.asked.append(system_url)
        local = self.folder / system_url.rsplit("/", 1)[-1]
        if local.is_file():
            return self.resolve_filename(str(local), context)
        return None  # and the parser has no network: the schema fails to load


@pytest.fixture(scope="module")
def kml_schema() -> etree.XMLSchema:
    """The OGC KML 2.2 schema, every import resolved to a local file."""
    folder = Path(str(package_files("pykml") / "schemas"))
    resolver = LocalSchemas(folder)
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(resolver)
    document = etree.parse(str(folder / "ogckml22.xsd"), parser)
    # pykml's copy already points at local files; put the official URLs back so that the resolver
    # (not the package's edit) is what keeps this offline
    imports = list(document.getroot().iter(f"{XS}import"))
    assert sorted(Path(i.get("schemaLocation")).name for i in imports) == sorted(REMOTE_IMPORTS)
    for element in imports:
        element.set("schemaLocation", REMOTE_IMPORTS[Path(element.get("schemaLocation")).name])
    schema = etree.XMLSchema(document)
    assert set(REMOTE_IMPORTS.values()) <= set(resolver.asked)
    return schema


def check_kml(path: Path, schema: etree.XMLSchema) -> etree._ElementTree:
    """Parse ``path`` (no network, no entities), validate it and check that every node is ours."""
    tree = etree.parse(str(path), etree.XMLParser(no_network=True, resolve_entities=False))
    schema.assertValid(tree)
    root = tree.getroot()
    assert root.nsmap == {None: NS}
    ids: list[str] = []
    for node in root.iter():
        assert isinstance(node.tag, str), f"unexpected {node!r} (comment or processing instruction)"
        assert node.tag.startswith(K), node.tag
        local = node.tag[len(K) :]
        assert local in OUR_ELEMENTS, f"element {local!r} is not one the KML writer makes"
        assert set(node.attrib) <= OUR_ATTRIBUTES.get(local, set()), (local, dict(node.attrib))
        if "id" in node.attrib:
            ids.append(node.attrib["id"])
    assert len(ids) == len(set(ids))
    for url in root.iter(f"{K}styleUrl"):
        assert url.text is not None and url.text.startswith("#") and url.text[1:] in ids
    return tree


def placemarks(tree: etree._ElementTree, folder: str) -> dict[str, etree._Element]:
    """``{name: Placemark}`` of one folder (``Places`` or ``Zones``)."""
    (found,) = [f for f in tree.getroot().iter(f"{K}Folder") if f.findtext(f"{K}name") == folder]
    return {p.findtext(f"{K}name"): p for p in found.iter(f"{K}Placemark")}


def data(placemark: etree._Element) -> dict[str, str]:
    """The ExtendedData of a placemark as ``{name: value}``."""
    return {d.get("name"): d.findtext(f"{K}value") or "" for d in placemark.iter(f"{K}Data")}


# --- the validator itself ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        '<Document id="1"><name>numeric ids are not xsd:ID</name></Document>',
        "<Placemark><styleUrl>#a</styleUrl><name>name after styleUrl</name></Placemark>",
        '<Document><Folder><Style id="s"/><name>Style before name</name></Folder></Document>',
        "<Document><NetworkLinkX/></Document>",
    ],
)
def test_schema_rejects_invalid_kml(kml_schema: etree.XMLSchema, body: str) -> None:
    assert not kml_schema.validate(etree.fromstring(f'<kml xmlns="{NS}">{body}</kml>'))


def test_schema_accepts_a_minimal_kml(kml_schema: etree.XMLSchema) -> None:
    doc = f'<kml xmlns="{NS}"><Document id="d"><name>x</name><Folder id="f"/></Document></kml>'
    assert kml_schema.validate(etree.fromstring(doc)), kml_schema.error_log


# --- every export is valid and only ours ---------------------------------------------------------


def test_hand_made_kml_is_valid_and_only_ours(kml_schema: etree.XMLSchema, tmp_path: Path) -> None:
    tree = check_kml(export.write_kml(hand_analysis(), tmp_path, styles=STYLES), kml_schema)
    places = placemarks(tree, "Places")
    assert list(places) == ["Diyala", "Kirkuk"]
    assert [p.get("id") for p in places.values()] == ["place-1", "place-2"]
    zones = placemarks(tree, "Zones")
    assert [z.get("id") for z in zones.values()] == ["zone-1", "zone-2"]
    belt = zones["Security vacuum belt"]
    # the multipolygon with a hole: two polygons, the first with an inner ring
    polygons = belt.findall(f"{K}MultiGeometry/{K}Polygon")
    assert len(polygons) == 2 and len(polygons[0].findall(f"{K}innerBoundaryIs")) == 1
    assert belt.findtext(f"{K}styleUrl") == "#style-security_vacuum"
    assert places["Diyala"].findtext(f"{K}Point/{K}coordinates") == "45.0,33.95"


def test_empty_article_kml_is_valid(kml_schema: etree.XMLSchema, tmp_path: Path) -> None:
    tree = check_kml(export.write_kml(empty_analysis(), tmp_path, styles=STYLES), kml_schema)
    assert placemarks(tree, "Places") == {} and placemarks(tree, "Zones") == {}


def test_seed_kml_is_valid_and_only_ours(
    seed_analysis: Analysis, kml_schema: etree.XMLSchema, tmp_path: Path
) -> None:
    tree = check_kml(export.write_kml(seed_analysis, tmp_path), kml_schema)
    assert len(placemarks(tree, "Places")) == len(seed_analysis.places) > 0
    assert len(placemarks(tree, "Zones")) == len([z for z in seed_analysis.zones if z.geometry is not None])
    for placemark in tree.getroot().iter(f"{K}Placemark"):
        assert data(placemark)["article"] == "data/samples/article-000.txt"


# --- article text is text ------------------------------------------------------------------------


def test_injected_network_link_is_only_text(kml_schema: etree.XMLSchema, tmp_path: Path) -> None:
    analysis = hand_analysis(text=HOSTILE_TEXT, source="news/Kirkuk & Mosul <live>.txt")
    path = export.write_kml(analysis, tmp_path, styles=STYLES)
    raw = path.read_text(encoding="utf-8")
    assert "<NetworkLink>" not in raw and "&lt;NetworkLink&gt;" in raw
    tree = check_kml(path, kml_schema)  # valid, and no NetworkLink, Link or href element
    first_sentence = HOSTILE_TEXT.split("\n")[0]
    diyala = placemarks(tree, "Places")["Diyala"]
    # the data keeps the article's text as it was, character for character
    assert data(diyala)["sentence"] == first_sentence
    assert data(diyala)["article"] == "news/Kirkuk & Mosul <live>.txt"
    assert tree.getroot().findtext(f"{K}Document/{K}name") == "Zone Atlas: news/Kirkuk & Mosul <live>.txt"
    # GIS software reads the same text back
    back = gpd.read_file(path, layer="Places", engine="pyogrio")
    assert back["sentence"].tolist() == [first_sentence, first_sentence]


@pytest.mark.parametrize("folder", ["Places", "Zones"])
def test_descriptions_are_escaped_html_with_only_our_tags(
    kml_schema: etree.XMLSchema, tmp_path: Path, folder: str
) -> None:
    tree = check_kml(export.write_kml(hand_analysis(text=HOSTILE_TEXT), tmp_path, styles=STYLES), kml_schema)
    for placemark in placemarks(tree, folder).values():
        description = placemark.findtext(f"{K}description")
        assert description is not None
        # what a viewer renders: the article's markup shows as text inside our three tags
        fragments = lxml.html.fragments_fromstring(f"<div>{description}</div>")
        (body,) = fragments
        assert {e.tag for e in body.iter()} <= {"div", "b", "br", "span"}
        assert data(placemark)["sentence"] in body.text_content()
    for style in tree.getroot().iter(f"{K}Style"):
        assert style.findtext(f"{K}BalloonStyle/{K}text") == "$[description]"


def test_characters_xml_cannot_carry_become_replacement_characters(
    kml_schema: etree.XMLSchema, tmp_path: Path
) -> None:
    analysis = hand_analysis(text=export_samples.TEXT.replace("هذه", "هذه\x01\x0c"))
    sentence = analysis.places[0].mentions[0].sentence.text
    assert "\x01\x0c" in sentence
    bad = dataclasses.replace(analysis, source="a\x00b\x0b\x1f.txt")
    tree = check_kml(export.write_kml(bad, tmp_path, stem="bad", styles=STYLES), kml_schema)
    diyala = placemarks(tree, "Places")["Diyala"]
    assert data(diyala)["article"] == "a\ufffdb\ufffd\ufffd.txt"
    assert data(diyala)["sentence"] == sentence.replace("\x01\x0c", "\ufffd\ufffd")


def test_xml_text_of_values() -> None:
    assert kml.xml_text(None) == kml.xml_text(float("nan")) == kml.xml_text(pd.NA) == ""
    assert kml.xml_text(0.5) == "0.5"
    assert kml.xml_text("a\ud800b\ufffe\x7f\U0001f600") == "a\ufffdb\ufffd\x7f\U0001f600"
    assert kml.xml_text("tab\tnew\nline\r") == "tab\tnew\nline\r"


def test_cli_batch_with_a_hostile_article_exports_every_article(
    seed_analysis: Analysis, kml_schema: etree.XMLSchema, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from geo.cli import main

    hostile = tmp_path / "Kirkuk & Mosul <live>.txt"  # & and < in the file name as well
    shutil.copy(HOSTILE_ARTICLE, hostile)
    out = tmp_path / "out"
    out.mkdir()
    assert main(["export", str(hostile), str(SEED), "--out", str(out), "--kml"]) == 0
    assert "Traceback" not in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["Kirkuk-Mosul-live.kml", "article-000.kml"]
    check_kml(out / "article-000.kml", kml_schema)
    tree = check_kml(out / "Kirkuk-Mosul-live.kml", kml_schema)
    kirkuk = placemarks(tree, "Places")["Kirkuk"]
    assert NETWORK_LINK in data(kirkuk)["sentence"] and " & Mosul " in data(kirkuk)["sentence"]
    assert data(kirkuk)["article"] == str(hostile)


# --- styles and colours --------------------------------------------------------------------------


def test_style_ids_are_unique_xml_ids() -> None:
    ids = kml._style_ids(["operations_room", "a b", "a-b", "", "operations_room", "عربي"])
    assert ids == {
        "operations_room": "style-operations_room",
        "a b": "style-a-b",
        "a-b": "style-a-b-2",
        "": "style-zone",
        "عربي": "style-zone-2",
    }


def test_kind_without_a_style_gets_the_default(kml_schema: etree.XMLSchema, tmp_path: Path) -> None:
    only_rooms = {"operations_room": STYLES["operations_room"]}
    tree = check_kml(export.write_kml(hand_analysis(), tmp_path, styles=only_rooms), kml_schema)
    (belt_style,) = [s for s in tree.getroot().iter(f"{K}Style") if s.get("id") == "style-security_vacuum"]
    assert belt_style.findtext(f"{K}LineStyle/{K}color") == kml.kml_color(kml.DEFAULT_STYLE["color"])


def test_colours_must_be_hex() -> None:
    with pytest.raises(ExportError, match="#rrggbb"):
        kml.kml_color("#12345g")
