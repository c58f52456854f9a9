"""Throughput on every core and on Dask: extract and ingest, against the quick dictionary script.

In one run, on the same files, each command a fresh process (start-up and gazetteer load counted,
as a user would run them):

1. the quick dictionary script (:mod:`quick_dictionary`, places only);
2. ``python -m geo extract --format jsonl`` (places, zones and events) with ``--workers 1`` and
   ``--workers 2``; budget: the full pipeline on every core >= 3x the quick script's throughput;
3. ``python -m geo ingest`` into a fresh store with ``--workers 1``, ``--workers 2`` and
   ``--dask`` on a cluster this script starts on loopback (a ``dask scheduler`` and two
   ``dask worker`` processes, one thread each): articles/s, articles/s per worker, and the peak
   memory (RSS) of each worker process.

The files are the dev-set articles (Arabic, English, Sorani; datelines, site chrome, long
sentences) repeated to ``--files`` with a distinct last line each, so no two are the same text.
``--synthetic N`` ingests N synthetic articles instead (:mod:`corpus_gen`, one JSONL file), for the
10^5-article run of the issue.

Run: ZONE_ATLAS_MIRROR=../shared/data .venv/bin/python tests/benchmarks/bench_parallel.py
     [--files 950] [--synthetic 100000] [--skip-dask]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "store"))
sys.path.insert(0, str(REPO / "tests" / "benchmarks"))
PY = sys.executable
MIN_RATIO = 3.0  # the full pipeline on every core vs the quick dictionary script


def write_files(folder: Path, n: int) -> list[Path]:
    """``n`` article files from the dev sets, cycled, each with a distinct last line."""
    sources = sorted((REPO / "tests" / "devsets").rglob("articles/*.txt"))
    if not sources:
        raise SystemExit("no dev-set articles under tests/devsets/*/*/articles")
    texts = [p.read_text(encoding="utf-8") for p in sources]
    folder.mkdir(parents=True)
    paths = []
    for i in range(n):
        path = folder / f"a{i:06d}.txt"
        path.write_text(f"{texts[i % len(texts)].rstrip()}\n\n({i})\n", encoding="utf-8")
        paths.append(path)
    return paths


def run(cmd: list[str], *, watch: list[int] | None = None) -> tuple[float, dict[int, int]]:
    """Wall seconds of ``cmd`` and the peak RSS (bytes) of each process polled meanwhile: the
    command's own process tree, plus the trees of the ``watch`` pids (a cluster's workers)."""
    peaks: dict[int, int] = {}
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    roots = [proc.pid, *(watch or [])]
    while proc.poll() is None:
        for root in roots:
            try:
                tree = [psutil.Process(root), *psutil.Process(root).children(recursive=True)]
            except psutil.NoSuchProcess:
                continue
            for p in tree:
                try:
                    peaks[p.pid] = max(peaks.get(p.pid, 0), p.memory_info().rss)
                except psutil.NoSuchProcess:
                    pass
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd[:4])} ... failed ({proc.returncode}):\n{err[-2000:]}")
    return seconds, peaks


def mb(n: int) -> str:
    return f"{n / 2**20:.0f} MB"


@contextmanager
def maybe_cluster(folder: Path, skip: bool) -> Iterator[tuple[str, list[int]] | None]:
    if skip:
        yield None
        return
    from dask_cluster import cluster

    with cluster(folder, workers=2) as (address, workers):
        yield address, [w.pid for w in workers]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=950, help="article files for extract and ingest")
    ap.add_argument("--synthetic", type=int, default=0, help="ingest this many synthetic articles instead")
    ap.add_argument("--skip-dask", action="store_true", help="no Dask run")
    args = ap.parse_args()
    cores = os.cpu_count() or 1
    print(f"machine: {cores} cores, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="bench-parallel-") as tmp:
        root = Path(tmp)
        files = write_files(root / "files", args.files)
        names = [str(p) for p in files]
        n = len(files)

        quick, _ = run([PY, str(REPO / "tests" / "benchmarks" / "quick_dictionary.py"), *names])
        print(f"quick dictionary script (places only): {quick:.1f} s, {n / quick:.0f} articles/s")
        extract = {}
        for w in (1, 2):
            extract[w], _ = run(
                [PY, "-m", "geo", "extract", "--format", "jsonl", "--workers", str(w), *names]
            )
            print(
                f"geo extract --workers {w} (places, zones, events): {extract[w]:.1f} s, "
                f"{n / extract[w]:.0f} articles/s, {quick / extract[w]:.2f}x the quick script"
            )
        ratio = quick / extract[min(2, cores)]
        verdict = "MET" if ratio >= MIN_RATIO else "NOT met"
        print(
            f"full pipeline on every core vs the quick script: {ratio:.2f}x (budget >= {MIN_RATIO:.0f}x): {verdict}"
        )

        if args.synthetic:
            import corpus_gen

            source = corpus_gen.write_jsonl(root / "synthetic.jsonl", args.synthetic)
            n = args.synthetic
            label = f"{n} synthetic articles"
        else:
            source = root / "files"
            label = f"{n} files"
        print(f"ingest of {label} into a fresh store:")
        for w in (1, 2):
            seconds, peaks = run(
                [
                    PY,
                    "-m",
                    "geo",
                    "ingest",
                    "--quiet",
                    "--workers",
                    str(w),
                    "--store",
                    str(root / f"s{w}"),
                    str(source),
                ]
            )
            per = sorted(peaks.values(), reverse=True)
            memory = ", ".join(mb(v) for v in per[: w + 1])
            print(
                f"  --workers {w}: {seconds:.1f} s, {n / seconds:.0f} articles/s, "
                f"{n / seconds / w:.0f} per worker; peak RSS per process: {memory}"
            )
        with maybe_cluster(root / "cluster", args.skip_dask) as dask:
            if dask is not None:
                address, pids = dask
                seconds, peaks = run(
                    [
                        PY,
                        "-m",
                        "geo",
                        "ingest",
                        "--quiet",
                        "--dask",
                        address,
                        "--store",
                        str(root / "sd"),
                        str(source),
                    ],
                    watch=pids,
                )
                worker_pids = {p.pid for pid in pids for p in psutil.Process(pid).children(recursive=True)}
                worker_pids |= set(pids)
                memory = ", ".join(
                    mb(v) for pid, v in sorted(peaks.items()) if pid in worker_pids and v > 100 * 2**20
                )
                print(
                    f"  --dask (2 workers, 1 thread each): {seconds:.1f} s, {n / seconds:.0f} articles/s, "
                    f"{n / seconds / 2:.0f} per worker; peak RSS of the worker processes: {memory}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
