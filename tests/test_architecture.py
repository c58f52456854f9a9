"""The shape of geo/: stage order of imports, no import cycles, no module over ~500 lines.

Read from the source with :mod:`ast` (nothing is imported or run), so the test also covers imports
inside functions and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

GEO = Path(__file__).resolve().parent.parent / "geo"

#: Stages in the order data flows; a module may import its own stage and the ones before it.
#: ``base`` holds what every stage shares (errors, settings, the dataclasses, atomic writes).
STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    # geo.text.normalize is the folding that both the gazetteer (data) and the text stage key
    # names by: pure string functions with no geo imports, so it sits below both
    (
        "base",
        ("geo", "geo.errors", "geo.config", "geo.model", "geo.files", "geo.accounts", "geo.text.normalize"),
    ),
    ("data", ("geo.data",)),
    ("text", ("geo.text",)),
    ("zones", ("geo.zones",)),
    ("events", ("geo.events",)),
    ("pipeline", ("geo.pipeline",)),
    ("store", ("geo.store",)),
    ("render", ("geo.render",)),
    ("cli", ("geo.cli", "geo.__main__")),
)

#: Largest module allowed (lines); split by concept long before this.
MAX_LINES = 520


def module_name(path: Path) -> str:
    rel = path.relative_to(GEO.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def stage_of(module: str) -> int:
    best, best_len = -1, -1
    for rank, (_, prefixes) in enumerate(STAGES):
        for prefix in prefixes:
            matches = module == prefix or module.startswith(prefix + ".")
            if matches and len(prefix) > best_len and not (prefix == "geo" and module != "geo"):
                best, best_len = rank, len(prefix)
    if best < 0:
        msg = f"module {module} is in no stage of STAGES: add it to the stage it belongs to"
        raise AssertionError(msg)
    return best


def geo_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(GEO.rglob("*.py"))}


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of the nodes inside ``if TYPE_CHECKING:`` blocks (imports for annotations only)."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
            if name == "TYPE_CHECKING":
                for child in node.body:
                    inside.update(id(n) for n in ast.walk(child))
    return inside


def imports_of(path: Path, module: str, *, runtime_only: bool = False) -> set[str]:
    """Every ``geo`` module ``path`` imports (absolute or relative, at any depth of the code).

    ``runtime_only`` leaves out imports under ``if TYPE_CHECKING:``, which never run.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    known = geo_modules()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    skip = _type_checking_nodes(tree) if runtime_only else set()
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from geo.text import resolve`` imports the module geo.text.resolve
            names = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names
            ]
        else:
            continue
        for name in names:
            if name == "geo" or name.startswith("geo."):
                while name not in known and "." in name:
                    name = name.rpartition(".")[0]
                if name in known and name != module:
                    found.add(name)
    return found


def import_graph(*, runtime_only: bool = False) -> dict[str, set[str]]:
    return {name: imports_of(path, name, runtime_only=runtime_only) for name, path in geo_modules().items()}


def test_every_module_belongs_to_a_stage() -> None:
    for name in geo_modules():
        stage_of(name)


def test_no_module_imports_a_later_stage() -> None:
    wrong = []
    for module, targets in import_graph().items():
        for target in sorted(targets):
            if target == "geo":
                continue
            if stage_of(target) > stage_of(module):
                wrong.append(
                    f"{module} ({STAGES[stage_of(module)][0]}) imports {target} ({STAGES[stage_of(target)][0]})"
                )
    assert not wrong, "imports against the stage order:\n" + "\n".join(wrong)


def test_no_import_cycles() -> None:
    # annotation-only imports (under TYPE_CHECKING) never run, so they close no cycle; the stage
    # check above still counts them
    graph = import_graph(runtime_only=True)
    # package __init__ files that only name their submodules lazily (importlib) add no edges
    state: dict[str, int] = defaultdict(int)  # 0 new, 1 on the stack, 2 done
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state[nxt] == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif state[nxt] == 0:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if state[node] == 0:
            visit(node, [])
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_no_module_is_over_the_size_limit() -> None:
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in geo_modules().items()}
    over = {name: n for name, n in sizes.items() if n > MAX_LINES}
    assert not over, f"modules over {MAX_LINES} lines (split them by concept): {over}"


def test_the_library_never_imports_streamlit() -> None:
    offenders = []
    for path in GEO.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "streamlit" or n.startswith("streamlit.") for n in names):
                offenders.append(str(path.relative_to(GEO.parent)))
    assert not offenders, f"geo/ must not import streamlit: {offenders}"


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("geo.zones.derivation", "from geo.text import resolve\n", {"geo.text.resolve"}),
        ("geo.zones.derivation", "from geo.errors import InputError\n", {"geo.errors"}),
        ("geo.zones.derivation", "def f():\n    from . import geometry\n", {"geo.zones.geometry"}),
        ("geo.zones.derivation", "from ..render import webmap\n", {"geo.render.webmap"}),
        (
            "geo.zones.derivation",
            "if TYPE_CHECKING:\n    from geo.text import resolve\n",
            {"geo.text.resolve"},
        ),
    ],
)
def test_the_import_reader_sees_every_form(
    module: str, source: str, expected: set[str], tmp_path: Path
) -> None:
    path = tmp_path / "mod.py"
    path.write_text(source)
    assert imports_of(path, module) == expected


def test_the_stage_check_catches_a_backwards_import() -> None:
    assert stage_of("geo.render.webmap") > stage_of("geo.zones.derivation")
    assert stage_of("geo.text.resolve") < stage_of("geo.zones.triggers")
    assert stage_of("geo.errors") == 0


def test_annotation_only_imports_are_left_out_of_the_runtime_graph(tmp_path: Path) -> None:
    path = tmp_path / "mod.py"
    path.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from geo.text import resolve\n")
    assert imports_of(path, "geo.zones.derivation", runtime_only=True) == set()
