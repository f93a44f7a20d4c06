"""The layout holds: no import cycles (deferred imports count), modules readable in one sitting, a pure music core."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from functools import cache
from itertools import pairwise
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "sketchbook"
MAX_LINES = 400
CORE = "sketchbook.music"
# Importing anything in the core runs the package's __init__ first, which names the version: allowed, and nothing else.
PACKAGE_INIT = {"sketchbook", "sketchbook.version"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _is_package(name: str) -> bool:
    return _modules()[name].name == "__init__.py"


def _imports(name: str) -> list[tuple[str, int]]:
    return _imports_in(_modules()[name].read_text(encoding="utf-8"), name, package=_is_package(name))


def _imports_in(source: str, name: str, *, package: bool = False) -> list[tuple[str, int]]:
    """Every module ``name`` imports anywhere in its text (top level, in functions, under TYPE_CHECKING), with the
    line: absolute names as written, relative ones resolved, and ``from pkg import sub`` counted as ``pkg.sub``
    (names that are not modules fall out when the graph keeps only modules that exist)."""
    tree = ast.parse(source)
    here = name if package else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            found.append((source, node.lineno))
            found += [(f"{source}.{alias.name}", node.lineno) for alias in node.names]
    return found


@cache
def _graph() -> dict[str, dict[str, int]]:
    """sketchbook module -> {sketchbook module it imports: line}. A package means its __init__. Importing ``a.b.c``
    from outside ``a.b`` runs ``a.b``'s __init__ first, so that is an edge too (``batch`` importing ``cli.explain``
    runs ``cli/__init__``, which registers every command); from inside ``a.b`` the package is already running."""
    modules = _modules()
    graph: dict[str, dict[str, int]] = {}
    for name in modules:
        edges: dict[str, int] = {}
        for target, line in _imports(name):
            parts = target.split(".")
            for depth in range(1, len(parts) + 1):
                step = ".".join(parts[:depth])
                if step in modules and step != name and not name.startswith(step + "."):
                    edges.setdefault(step, line)
        graph[name] = edges
    return graph


def _find_cycle(graph: dict[str, dict[str, int]]) -> list[str] | None:
    """One cycle as a path ``[a, b, ..., a]``, or None (iterative depth-first search, three colours)."""
    colour = dict.fromkeys(graph, 0)  # 0 unseen, 1 on the current path, 2 done
    for start in sorted(graph):
        if colour[start]:
            continue
        path, stack = [start], [iter(sorted(graph[start]))]
        colour[start] = 1
        while stack:
            step = next(stack[-1], None)
            if step is None:
                colour[path.pop()] = 2
                stack.pop()
            elif colour.get(step) == 1:
                return path[path.index(step):] + [step]
            elif colour.get(step) == 0:
                colour[step] = 1
                path.append(step)
                stack.append(iter(sorted(graph[step])))
    return None


def _describe(cycle: list[str]) -> str:
    graph = _graph()
    return "\n".join(f"  {a} imports {b} (line {graph[a][b]})" for a, b in pairwise(cycle))


def test_the_package_has_no_import_cycle():
    cycle = _find_cycle(_graph())
    assert cycle is None, "import cycle:\n" + _describe(cycle)


def test_the_cycle_finder_finds_a_cycle_and_reads_deferred_imports():
    assert _find_cycle({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b": 1}, "b": {}, "c": {"a": 1, "b": 1}}) is None
    source = ("import os\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import sketchbook.load\n"
              "def f():\n    from sketchbook.music import model\n    from .. import files\n    from .smf import x\n")
    found = set(_imports_in(source, "sketchbook.formats.midi"))
    assert {("sketchbook.load", 4), ("sketchbook.music.model", 6), ("sketchbook.files", 7),
            ("sketchbook.formats.smf", 8), ("os", 1)} <= found
    assert ("sketchbook.music", 6) in found and ("sketchbook", 7) in found  # the packages run too


def test_every_module_is_readable_in_one_sitting():
    long = {name: n for name, path in _modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines (split them): {long}"


def _outside_the_core(target: str) -> bool:
    top = target.partition(".")[0]
    if top == "sketchbook":
        return not (target == CORE or target.startswith(CORE + ".") or target in PACKAGE_INIT)
    return top not in sys.stdlib_module_names


def test_the_music_core_imports_only_the_standard_library_as_written():
    core = [name for name in _modules() if name == CORE or name.startswith(CORE + ".")]
    assert len(core) > 15
    strays = {f"{name} line {line}: {target}" for name in core for target, line in _imports(name)
              if _outside_the_core(target)
              # `from sketchbook import music` names the core itself, and the bare package only runs its lazy __init__
              and target not in {"sketchbook.music"}}
    assert not strays, "the music core imports outside the standard library and itself:\n" + "\n".join(sorted(strays))


def test_the_core_check_sees_a_stray_import():
    assert _outside_the_core("numpy") and _outside_the_core("sketchbook.formats.midi")
    assert _outside_the_core("sketchbook.files") and not _outside_the_core("fractions")
    assert not _outside_the_core("sketchbook.music.model") and not _outside_the_core("collections.abc")


_PROBE = """
import importlib, json, pkgutil, sys
before = set(sys.modules)
import sketchbook.music
names = ["sketchbook.music"] + [m.name for m in pkgutil.walk_packages(sketchbook.music.__path__, "sketchbook.music.")]
for name in names:
    importlib.import_module(name)
print(json.dumps({"imported": names, "loaded": sorted(set(sys.modules) - before)}))
"""


def test_importing_the_music_core_loads_only_the_standard_library():
    done = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, cwd=REPO, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    expected = {name for name in _modules() if name == CORE or name.startswith(CORE + ".")}
    assert set(report["imported"]) == expected
    strays = [name for name in report["loaded"]
              if name.partition(".")[0] not in sys.stdlib_module_names
              and not (name in PACKAGE_INIT or name == CORE or name.startswith(CORE + "."))]
    assert not strays, f"importing the music core loaded: {strays}"


FILE_SUFFIXES = {"py", "toml", "json", "tn", "mid", "midi", "musicxml", "xml", "mxl", "html", "ogg", "wav", "md", "pdf"}


def _readme_module(token: str) -> Path | None:
    """The file a README name such as `files.py`, `formats/midi.py` or `music/hear.py` means, if it exists."""
    name = token if token.endswith(".py") else token.replace(".", "/") + ".py"
    for base in (REPO, PACKAGE, *sorted(p for p in PACKAGE.iterdir() if p.is_dir())):
        if (base / name).is_file():
            return base / name
    return None


def test_every_module_and_function_the_readme_names_exists():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    missing = []
    for token in sorted(set(re.findall(r"`([A-Za-z_/]+\.py)`", text))):
        if _readme_module(token) is None:
            missing.append(token)
    # `module.function` and `module.Class.method` (e.g. `request.plan`, `api.Sketch.develop`)
    for module, attribute in sorted(set(re.findall(r"`((?:[a-z_]+/)*[a-z_]+)\.([A-Za-z_]+)(?:\.[a-z_]+)?`", text))):
        if attribute in FILE_SUFFIXES:
            continue  # a file's name, checked above when it is Python
        path = _readme_module(module)
        if path is None:
            if module in {m.rpartition(".")[2] for m in _modules()} or "/" in module:
                missing.append(f"{module}.{attribute}")
            continue  # not a module name (a file such as `sketch.json`)
        if not re.search(rf"^(?:def|class) {attribute}\b|^{attribute}\b.*=", path.read_text(encoding="utf-8"), re.M):
            missing.append(f"{module}.{attribute}")
    assert not missing, f"the README names modules or functions that do not exist: {missing}"


def test_the_slow_list_names_tests_that_exist():
    """A renamed test must not silently rejoin the quick subset: every entry in conftest's lists is real."""
    from tests.conftest import SAMPLED, SLOW, SLOW_MODULES

    missing = [module for module in SLOW_MODULES if not (REPO / "tests" / module).is_file()]
    for module, names in (*SLOW.items(), *SAMPLED.items()):
        path = REPO / "tests" / module
        defined = {node.name for node in ast.parse(path.read_text(encoding="utf-8")).body
                   if isinstance(node, ast.FunctionDef)} if path.is_file() else set()
        missing += [f"{module}::{name}" for name in sorted(names - defined)]
    assert not missing, f"tests/conftest.py marks tests that do not exist: {missing}"
    assert not [(m, n) for m in SLOW for n in SLOW[m] & SAMPLED.get(m, set())]
    # the quick subset still reaches every test module but the wholly slow ones
    unreached = []
    for path in sorted((REPO / "tests").rglob("test_*.py")):
        module = path.relative_to(REPO / "tests").as_posix()
        tests = {node.name for node in ast.parse(path.read_text(encoding="utf-8")).body
                 if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}
        if module not in SLOW_MODULES and not tests - SLOW.get(module, set()):
            unreached.append(module)
    assert not unreached, f"every test of these modules is marked slow: {unreached}"
