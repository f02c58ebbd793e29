"""`reader import` shows a progress bar on a terminal, and nothing in a pipe."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

POSTS = 60


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    notes = tmp_path / "notes"
    notes.mkdir()
    for n in range(POSTS):
        (notes / f"note-{n}.md").write_text(f"# Note {n}\n\nSome words of note {n}.\n")
    return notes


def test_no_progress_in_a_pipe(folder: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "reader", "import", str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert f"{POSTS} added" in done.stdout
    assert done.stderr == ""  # no bar, no carriage returns, no escape sequences


@pytest.mark.skipif(not hasattr(pty, "openpty"), reason="needs a pseudo-terminal")
def test_a_bar_with_rate_and_time_left_on_a_terminal(folder: Path) -> None:
    master, slave = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-m", "reader", "import", str(folder)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
    ) as proc:
        os.close(slave)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        assert proc.stdout is not None
        out = proc.stdout.read().decode()
    os.close(master)
    assert proc.returncode == 0 and f"{POSTS} added" in out
    text = seen.decode(errors="replace")
    assert "reading" in text and f"{POSTS}/{POSTS}" in text  # the bar, with its position
    assert "documents/s" in text  # the rate
    assert "eta" in text.lower() or "saving and indexing" in text
