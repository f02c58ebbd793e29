"""The core never imports Textual: the CLI and scripts stay light and UI-free.

Every module of the `reader` package outside `reader.tui` is the core.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys

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
