"""The core never imports Textual: the CLI and scripts stay light and UI-free.

Every module of the `reader` package outside `reader.tui` is the core.
"""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import reader


def core_modules() -> list[str]:
    """Every importable module of the package except the TUI and `__main__`."""
    names = ["reader"]
    for info in pkgutil.walk_packages(reader.__path__, "reader."):
        if info.name.startswith("reader.tui") or info.name.endswith("__main__"):
            continue
        names.append(info.name)
    return names


def test_core_modules_do_not_import_textual() -> None:
    modules = core_modules()
    assert "reader.library" in modules and "reader.cli" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


STORES = ("reader.library", "reader.state", "reader.store", "reader.storage", "reader.importer")
"""The modules that read and write files: only the app, its screens and the CLI use them."""


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, at the top, in a function or under TYPE_CHECKING."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_widgets_never_import_the_stores() -> None:
    widgets = sorted((Path(reader.__file__).parent / "tui" / "widgets").glob("*.py"))
    assert len(widgets) >= 5
    for path in widgets:
        bad = {
            name
            for name in imported_modules(path)
            if any(name == store or name.startswith(store + ".") for store in STORES)
        }
        assert not bad, f"{path.name} imports {sorted(bad)}: widgets get data from their screen"


def test_the_layering_check_sees_a_store_import(tmp_path: Path) -> None:
    sample = tmp_path / "widget.py"
    sample.write_text("if True:\n    from reader.state import StateStore\n", encoding="utf-8")
    assert "reader.state" in imported_modules(sample)
