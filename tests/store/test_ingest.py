"""Ingest (geo.store.ingest, geo.store.documents): formats, dedupe, bad input, a kill half-way."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from geo.pipeline import analyze
from geo.store import Problem, Store, article_id, documents, ingest

REPO = Path(__file__).resolve().parents[2]
PLACES = ["Kirkuk", "Mosul", "Tikrit", "Samarra", "Baqubah", "Ramadi", "Fallujah", "Basra", "Najaf", "Sinjar"]

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Wire</title><link>http://example.org</link>
<item><title>Attack near Kirkuk</title><link>http://example.org/1</link>
<pubDate>Sat, 06 Mar 2021 10:00:00 +0300</pubDate>
<description>&lt;p&gt;An attack in Kirkuk killed two soldiers.&lt;/p&gt;</description></item>
<item><title>هجوم في الموصل</title><link>http://example.org/2</link><pubDate>Sun, 07 Mar 2021 10:00:00 +0300</pubDate>
<content:encoded><![CDATA[<p>هجوم لداعش في قضاء مخمور جنوب الموصل.</p>]]></content:encoded></item>
</channel></rss>
"""
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
<entry><title>Diyala operations room</title><link href="http://example.org/a1"/><id>urn:a1</id>
<published>2022-01-02T08:00:00Z</published>
<content type="html">&lt;p&gt;A joint operations room was set up in Diyala.&lt;/p&gt;</content></entry>
</feed>
"""
HTML = """<html><head><title>Attack in Basra</title>
<meta property="article:published_time" content="2020-02-03T10:00:00Z"></head><body><article>
<h1>Attack in Basra</h1><p>An attack in Basra and Najaf killed three people on Monday, officials said.
The security forces responded quickly to the scene of the attack.</p></article></body></html>
"""


def corpus(folder: Path, n: int) -> list[str]:
    """``n`` small English articles in ``folder``; their texts."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = []
    for i in range(n):
        a, b = PLACES[i % len(PLACES)], PLACES[(i * 3 + 1) % len(PLACES)]
        text = (
            f"Report {i}: {i % 28 + 1} March 2021 - An attack in {a} and {b} killed {i} people. "
            f"A joint operations room was set up in {a}.\n"
        )
        (folder / f"a{i:03d}.txt").write_text(text, encoding="utf-8")
        texts.append(text)
    return texts


def test_ingest_twice_adds_nothing_and_says_so(tmp_path: Path) -> None:
    corpus(tmp_path / "in", 4)
    with Store(tmp_path / "s") as store:
        first = ingest(store, [tmp_path / "in"])
        again = ingest(store, [tmp_path / "in", tmp_path / "in" / "a000.txt"])
        counts = store.counts()
    assert first.summary() == "4 new, 0 already in the store" and not first.problems
    assert again.summary() == "0 new, 5 already in the store"
    assert counts["articles"] == 4


def test_the_same_text_with_other_line_ends_is_the_same_article(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("An attack in Kirkuk.\n", encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_bytes(b"An attack in Kirkuk.  \r\n\r\n")
    with Store(tmp_path / "s") as store:
        report = ingest(store, [tmp_path / "in"])
    assert (report.new, report.known) == (1, 1)


def test_every_format_with_its_date_and_source(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "wire.xml").write_text(RSS, encoding="utf-8")
    (folder / "sub" / "atom.atom").write_text(ATOM, encoding="utf-8")
    (folder / "page.html").write_text(HTML, encoding="utf-8")
    (folder / "notes.md").write_text("Baghdad, 6 March 2021 - attacks in Diyala.", encoding="utf-8")
    (folder / "lines.jsonl").write_text(
        '{"text": "Attack in Tikrit and Samarra.", "date": "2023-05-01", "source": "wire-1", "title": "T"}\n'
        '{"text": "هجوم في كركوك يوم 3 أيار 2024", "date": "someday"}\n',
        encoding="utf-8",
    )
    (folder / "skip.pdf").write_bytes(b"%PDF")
    (folder / ".hidden.txt").write_text("An attack in Basra.", encoding="utf-8")
    with Store(tmp_path / "s") as store:
        report = ingest(store, [folder])
        table = store.articles().set_index("source")
    assert report.new == 7 and not report.problems
    assert report.warnings == [
        f"{folder / 'lines.jsonl'}:2: date 'someday' not understood; the date is taken from the text"
    ]
    got = {src: (str(row.date.date()), row.date_source) for src, row in table.iterrows()}
    assert got == {
        "http://example.org/1": ("2021-03-06", "feed"),
        "http://example.org/2": ("2021-03-07", "feed"),
        "http://example.org/a1": ("2022-01-02", "feed"),
        str(folder / "page.html"): ("2020-02-03", "html-meta"),
        str(folder / "notes.md"): ("2021-03-06", "text"),
        "wire-1": ("2023-05-01", "jsonl"),
        f"{folder / 'lines.jsonl'}:2": ("2024-05-03", "text"),
    }
    assert table.loc["http://example.org/2", "title"] == "هجوم في الموصل"
    assert table.loc["http://example.org/2", "places"] >= 2  # the entry's HTML content was read
    assert table.loc["wire-1", "title"] == "T"


def test_bad_lines_and_files_are_listed_and_the_rest_ingested(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_text(
        '{"text": "Attack in Kirkuk."}\nnot json\n{"text": ""}\n[1, 2]\n\n{"title": "no text"}\n'
        '{"text": "Attack in Mosul."}\n',
        encoding="utf-8",
    )
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (folder / "broken.xml").write_text(
        RSS.replace("</channel></rss>", "<item><title>x</title"), encoding="utf-8"
    )
    (folder / "ok.txt").write_text("An attack in Basra.", encoding="utf-8")
    with Store(tmp_path / "s") as store:
        report = ingest(store, [folder, tmp_path / "missing.txt"])
    problems = {p.where.removeprefix(str(folder) + "/"): p.reason for p in report.problems}
    assert report.new == 5  # 2 lines, ok.txt and the 2 entries before the broken one
    assert problems["a.jsonl:2"].startswith("not JSON (Expecting value at column 1)")
    assert problems["a.jsonl:3"] == 'expected a non-empty "text" string, got an empty string'
    assert problems["a.jsonl:4"] == 'expected a JSON object with a "text" string, got list'
    assert problems["a.jsonl:6"] == 'expected a non-empty "text" string, got no text'
    assert "empty" in problems["empty.txt"] and "binary" in problems["binary.txt"]
    assert (
        problems["broken.xml"].startswith("not a well-formed feed at line")
        and "2 entries before" in problems["broken.xml"]
    )
    assert problems[str(tmp_path / "missing.txt")] == "no such file or folder"
    assert "a.jsonl:5" not in problems  # a blank line is no article and no error
    assert report.summary() == "5 new, 0 already in the store; 8 could not be read"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads the process size from /proc")
def test_a_big_feed_is_streamed(tmp_path: Path) -> None:
    """10,000 entries are read one at a time: the process does not grow with the feed."""

    def resident_mb() -> float:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6

    body = "هجوم لداعش في قضاء مخمور جنوب الموصل وقتل جنديان في كركوك. " * 40
    path = tmp_path / "big.rss"
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>')
        for i in range(10_000):
            out.write(
                f"<item><title>خبر {i}</title><link>http://e.org/{i}</link>"
                f"<pubDate>Sat, 06 Mar 2021 10:00:00 +0300</pubDate><description>{i} {body}"
                "</description></item>"
            )
        out.write("</channel></rss>")
    sizes = {}
    for n, doc in enumerate(documents([path]), start=1):
        assert not isinstance(doc, Problem) and doc.source == f"http://e.org/{n - 1}"
        if n in (1000, 10_000):
            sizes[n] = resident_mb()
    assert list(sizes) == [1000, 10_000]
    feed_mb = path.stat().st_size / 1e6
    assert sizes[10_000] - sizes[1000] < feed_mb / 4, f"grew {sizes} MB over a {feed_mb:.0f} MB feed"


def _consistent(store: Store, texts: dict[str, str]) -> int:
    """Every stored article has exactly the places, mentions and zones its analysis gives; no orphan rows."""
    con = store.con
    orphans = con.execute(
        "SELECT (SELECT count(*) FROM mentions WHERE article_id NOT IN (SELECT id FROM articles)) + "
        "(SELECT count(*) FROM places WHERE article_id NOT IN (SELECT id FROM articles)) + "
        "(SELECT count(*) FROM zones WHERE article_id NOT IN (SELECT id FROM articles)) + "
        "(SELECT count(*) FROM zones WHERE shape_id IS NOT NULL AND shape_id NOT IN (SELECT shape_id FROM shapes))"
    ).fetchone()
    assert orphans == (0,)
    stored = con.execute("SELECT id FROM articles").fetchall()
    for (key,) in stored:
        fresh = analyze(texts[key])
        got = store.analysis(key)
        assert len(got.places) == len(fresh.places) and len(got.zones) == len(fresh.zones)
        assert sum(len(p.mentions) for p in got.places) == sum(len(p.mentions) for p in fresh.places)
    return len(stored)


@pytest.mark.slow
def test_killed_mid_ingest_keeps_whole_articles_and_a_rerun_finishes(tmp_path: Path) -> None:
    texts = {article_id(t): t for t in corpus(tmp_path / "in", 150)}
    store_dir = tmp_path / "s"
    proc = subprocess.Popen(
        [sys.executable, "-m", "geo", "ingest", str(tmp_path / "in"), "--store", str(store_dir)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    seen, buffer, deadline = 0, b"", time.monotonic() + 120
    while seen < 15 and time.monotonic() < deadline:
        chunk = os.read(proc.stderr.fileno(), 4096)
        if not chunk:
            break
        buffer = (buffer + chunk)[-4096:]
        counts = [int(n) for n in re.findall(rb"ingest: (\d+) article", buffer)]
        seen = max(counts, default=0)
    workers = psutil.Process(proc.pid).children(recursive=True)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 15 <= seen < 150, f"the ingest was not caught half-way (progress {seen})"
    # the worker processes do not outlive their parent
    _gone, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive, [p.cmdline() for p in alive]
    with Store(store_dir) as store:
        kept = _consistent(store, texts)
        assert seen <= kept < 150
        report = ingest(store, [tmp_path / "in"])
        assert (report.new, report.known) == (150 - kept, kept)
        assert _consistent(store, texts) == 150
