"""The quick dictionary script: the baseline the full pipeline's throughput is compared with.

Places only, the way a first script would do it: load the gazetteer, fold every 1-4 word run of
each file (with the Arabic proclitics و ب ل ف ك stripped from the first word) and look the run up
in the gazetteer's name index, taking the most populous entry; one JSON line per file with the
names it found. No context, no zones, no events: what ``geo extract`` does beyond this is what the
comparison prices.

Run: .venv/bin/python tests/benchmarks/quick_dictionary.py FILE... > out.jsonl
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

WORD = re.compile(r"[\w\u0600-\u06ff]+")
PROCLITICS = ("و", "ب", "ل", "ف", "ك")


def main(paths: list[str]) -> int:
    from geo.data.gazetteer import load_gazetteer
    from geo.text.normalize import fold

    gaz = load_gazetteer()
    index, entries = gaz.index, gaz.entries
    out = sys.stdout
    for name in paths:
        text = Path(name).read_text(encoding="utf-8", errors="replace")
        words = WORD.findall(text)
        found: list[str] = []
        for i in range(len(words)):
            first = words[i]
            heads = [first]
            if len(first) > 3 and first.startswith(PROCLITICS):
                heads.append(first[1:])
            for head in heads:
                for n in range(4, 0, -1):
                    key = fold(" ".join([head, *words[i + 1 : i + n]]))
                    hits = index.get(key)
                    if hits:
                        best = max(hits, key=lambda k: entries[k].population)
                        found.append(entries[best].name)
                        break
        out.write(json.dumps({"file": name, "places": found}, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
