"""The period briefing: a store of small dated articles with a planted surge, the PDF read back
with poppler (pdftotext), the bottom line and the command line."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.cli import main
from geo.errors import ParameterError
from geo.render import period
from geo.store import Store, ingest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import events_corpus  # noqa: E402

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
PERIOD = period.Period(dt.date(2024, 2, 5), dt.date(2024, 3, 10))


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("period-store")
    with Store(folder / "store") as store:
        report = ingest(store, [events_corpus.write_feed(folder)], progress=False)
    assert report.new == len(events_corpus.articles()), report.problems
    return folder / "store"


@pytest.fixture
def store(store_dir: Path) -> Iterator[Store]:
    with Store(store_dir, read_only=True) as opened:
        yield opened


def _pdftotext(path: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    )
    return _BIDI.sub("", out.stdout)


def test_gather_finds_the_planted_surge_and_the_undated_event(store: Store) -> None:
    data = period.gather(store, PERIOD)
    code, name = events_corpus.SURGE_GOVERNORATE
    assert list(data.surges["pcode"]) == [code]
    assert data.surges.iloc[0]["start"] == events_corpus.SURGE_WEEK
    assert data.surges.iloc[0]["count"] == 5
    assert len(data.surges.iloc[0]["articles"]) == 5
    assert data.events["date"].min() >= dt.datetime(2024, 2, 5)  # the weeks before are baseline only
    line = " ".join(period.bottom_line(data, {}))
    assert "Surge (" in line and f"{name} in the week of 2024-03-04" in line
    assert "They rose most in Diyala: 5 against 0" in line


def test_a_quiet_period_has_no_surge_and_says_so(store: Store) -> None:
    data = period.gather(store, period.Period(dt.date(2024, 1, 1), dt.date(2024, 2, 25)))
    assert data.surges.empty
    line = period.bottom_line(data, {})
    assert any(s.startswith("No governorate surged") for s in line)
    assert any("joint operations room" in s for s in line)  # the Kirkuk room of 17 January is in force
    assert 3 <= len(line) <= 5


@needs_poppler
def test_the_pdf_holds_the_period_the_surge_and_the_arabic_quotes_in_logical_order(
    store: Store, tmp_path: Path
) -> None:
    out = period.write_period_briefing(store, tmp_path / "march.pdf", PERIOD)
    text = _pdftotext(out)
    flat = " ".join(text.split())
    assert "Period briefing: 5 February 2024 to 10 March 2024" in flat
    assert "Diyala" in flat and "IQG10" in flat
    assert "2024-03-04 to 2024-03-10" in flat  # the surge week in the surge list
    for quote in events_corpus.ARABIC_QUOTES:
        words = quote.rstrip(".").split()
        assert " ".join(words[:4]) in flat, words[:4]  # first word first: logical order
        assert " ".join(reversed(words[:4])) not in flat
    assert "Baqubah" in flat and "Al-Muqdadiya" in flat  # English place names in the glosses
    assert "used here: yes" in flat
    pages = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", pages).group(1)) >= 2  # type: ignore[union-attr]


def test_the_command_writes_html_and_refuses_bad_input(
    store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "brief.html"
    args = ["brief", "--store", str(store_dir), "--from", "2024-02-05", "--to", "2024-03-10"]
    assert main([*args, "--governorate", "IQG10", "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "Diyala" in page and "governorate: Diyala (IQG10)" in page
    assert "Kirkuk (" not in page.split("Key figures")[0]  # the bottom line keeps to Diyala
    assert main([*args, "--out", str(tmp_path / "brief.docx")]) == 2
    assert ".pdf or .html" in capsys.readouterr().err
    assert main(["brief", "--store", str(store_dir), "--from", "2024-03-10", "--to", "2024-02-05",
                 "--out", str(out)]) == 2  # fmt: skip
    assert "is after" in capsys.readouterr().err
    with pytest.raises(ParameterError, match="P-code"):
        period.Period(dt.date(2024, 1, 1), dt.date(2024, 1, 2), governorate="Diyala")
