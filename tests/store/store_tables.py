"""Every table of a store as sorted rows, for comparing two stores built from the same articles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from geo.store import Store

#: Columns that say when and with which version of the data files a row was written, not what it
#: holds: ``analysed_with`` hashes the rule and alias files, which may change between two runs of
#: a long test in a working tree; every column of what was found is still compared.
WHEN = {"ingested_at", "analysed_with"}


def tables_of(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """``table -> sorted rows`` for every table but ``schema_version`` (geometries as WKT)."""
    con = store.con
    out = {}
    tables = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_name <> 'schema_version' ORDER BY table_name"
        ).fetchall()
    ]
    for table in tables:
        cols = [
            f"ST_AsText(CAST({name} AS GEOMETRY))" if kind in ("GEOMETRY", "POINT_2D") else name
            for name, kind in con.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
                "AND table_schema = 'main' ORDER BY ordinal_position",
                [table],
            ).fetchall()
            if name not in WHEN
        ]
        out[table] = con.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY ALL").fetchall()
    return out


def write_corpus(folder: Path, n: int) -> list[str]:
    """``n`` synthetic Arabic and English articles (tests/benchmarks/corpus_gen.py) as text files,
    half of them in one JSONL file with metadata dates, plus an empty file and a repeated text."""
    import json
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import corpus_gen

    folder.mkdir(parents=True, exist_ok=True)
    records = list(corpus_gen.articles(n, seed=7))
    with (folder / "wire.jsonl").open("w", encoding="utf-8") as out:
        for record in records[: n // 2]:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    for i, record in enumerate(records[n // 2 :]):
        (folder / f"a{i:04d}.txt").write_text(record["text"], encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "again.txt").write_text(records[-1]["text"] + "\r\n", encoding="utf-8")
    return [r["text"] for r in records]


def child_pids(pid: int) -> list[int]:
    """The direct children of a process (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(t) for t in text]
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def differences(one: dict[str, list[tuple[Any, ...]]], two: dict[str, list[tuple[Any, ...]]]) -> list[str]:
    """What differs between two :func:`tables_of` results (for the assertion message)."""
    found = []
    for table in sorted(set(one) | set(two)):
        a, b = one.get(table, []), two.get(table, [])
        if len(a) != len(b):
            found.append(f"{table}: {len(a)} rows vs {len(b)}")
            continue
        for x, y in zip(a, b, strict=True):
            cells = [
                f"column {i}: {u!r:.80} vs {v!r:.80}"
                for i, (u, v) in enumerate(zip(x, y, strict=True))
                if u != v
            ]
            if cells:
                found.append(f"{table}: " + "; ".join(cells))
                break
    return found
