"""Config benchmark: what reading `config.toml` adds to a start.

Ours: `reader.tui.settings.load_for_tui` on the commented default file with a
keymap line: the check for settings to move out of `state.json`, the parse,
gathering every binding id and theme, and checking each value. Baseline,
measured in the same run: `tomllib.loads` of the same file alone. Both after
importing the TUI, which a start does anyway. Medians of 200 runs.

    python bench/bench_config.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

import reader.tui.app  # noqa: F401  (a start imports the TUI anyway)
from reader.config_file import DEFAULT_TEXT
from reader.state import StateStore
from reader.tui.settings import load_for_tui


def median_ms(run: Callable[[], object], rounds: int = 200) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-config-"))
    config = folder / "config.toml"
    config.write_text(DEFAULT_TEXT + '"main.bookmark" = "ctrl+b"\n', encoding="utf-8")
    state = StateStore(folder / "state.json")
    base = median_ms(lambda: tomllib.loads(config.read_text(encoding="utf-8")))
    ours = median_ms(lambda: load_for_tui(state, config))
    print(f"{'case':<44} {'median ms':>10} {'ratio':>7}")
    print(f"{'baseline: tomllib.loads of the file':<44} {base:>10.3f} {1.0:>6.2f}x")
    print(
        f"{'ours: load_for_tui (move, ids, themes, check)':<44} {ours:>10.3f} {ours / base:>6.2f}x"
    )


if __name__ == "__main__":
    main()
