"""Reading the zone stage's TOML files in ``data/``: text, syntax, line-numbered errors, cache keys.

:func:`read_toml` returns the parsed document with a :class:`Where` that finds the line of a table
or key in the raw text, so every :class:`geo.errors.RulesError` names the file and, where it can
be found, the line. :func:`stat_key` is what the loaders' caches are keyed on (a file that changes
is read again). Shared by :mod:`geo.zones.rules` and :mod:`geo.zones.lists`.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from geo.errors import RulesError

#: The folder of the rules file, the governorate seats and the unit lists.
DATA_DIR = Path(__file__).resolve().parents[2] / "data"


class Where:
    """Finds the line of a table or key in the raw TOML text, for error messages."""

    def __init__(self, path: Path, raw: str) -> None:
        self.path = path
        self.lines = raw.splitlines()

    def _header(self, table: str) -> int | None:
        pattern = re.compile(rf"^\s*\[\[?\s*{re.escape(table)}\s*\]\]?\s*(#.*)?$")
        for i, line in enumerate(self.lines):
            if pattern.match(line):
                return i
        loose = re.compile(rf"(^|[\s\[.]){re.escape(table.split('.')[-1])}\s*[.\]=]")
        for i, line in enumerate(self.lines):
            if loose.search(line) and not line.lstrip().startswith("#"):
                return i
        return None

    def line(self, table: str, key: str | None = None, *, nth: int | None = None) -> int | None:
        """1-based line of ``[table]`` (the ``nth`` ``[[table]]``), or of ``key`` inside it."""
        if nth is not None:
            pattern = re.compile(rf"^\s*\[\[\s*{re.escape(table)}\s*\]\]")
            seen = [i for i, line in enumerate(self.lines) if pattern.match(line)]
            start = seen[nth] if nth < len(seen) else None
        else:
            start = self._header(table)
        if start is None:
            return None
        if key is None:
            return start + 1
        key_re = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for i in range(start + 1, len(self.lines)):
            if self.lines[i].lstrip().startswith("["):
                break
            if key_re.match(self.lines[i]):
                return i + 1
        return start + 1

    def error(
        self, message: str, table: str, key: str | None = None, *, nth: int | None = None
    ) -> RulesError:
        line = self.line(table, key, nth=nth)
        where = f"{self.path}, line {line}" if line else str(self.path)
        return RulesError(f"{where}: {message}")


def read_toml(path: Path) -> tuple[dict[str, Any], Where]:
    """The parsed TOML document at ``path`` and its line finder.

    Raises
    ------
    RulesError
        When the file is missing, not UTF-8 text, or not valid TOML (naming the line).
    """
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        msg = f"{path}: rules file not found"
        raise RulesError(msg) from exc
    except (OSError, UnicodeDecodeError) as exc:
        msg = f"{path}: cannot read the rules file as UTF-8 text ({exc})"
        raise RulesError(msg) from exc
    try:
        doc = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+), column (\d+)", str(exc))
        where = f"{path}, line {found.group(1)}" if found else str(path)
        msg = f"{where}: TOML syntax error: {exc}"
        raise RulesError(msg) from exc
    return doc, Where(path, raw)


def stat_key(path: Path) -> tuple[str, int, int]:
    """``(resolved path, mtime in ns, size)`` of a file: the loaders' cache key."""
    try:
        st = path.stat()
    except OSError as exc:
        msg = f"{path}: rules file not found or unreadable ({exc.strerror or exc})"
        raise RulesError(msg) from exc
    return str(path.resolve()), st.st_mtime_ns, st.st_size
