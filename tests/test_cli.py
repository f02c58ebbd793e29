"""The CLI: same core as the TUI, JSON for scripts, errors on stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader import __version__
from reader.cli import cli
from reader.library import Library

EMPTY = "the library is empty: add posts with `reader import PATH`"


@pytest.fixture(autouse=True)
def seeded(isolated_data_dir: Path) -> None:
    """The sample posts, as the TUI seeds them on a new machine (the CLI never does)."""
    Library.open(isolated_data_dir)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_list_json_of_the_samples() -> None:
    code, out, _ = run("list", "--json")
    assert code == 0
    posts = json.loads(out)
    assert len(posts) == 10
    assert all("Machine Learning" in p["tags"] for p in posts)
    assert {"slug", "title", "tags", "sections"} <= posts[0].keys()
    (streaming,) = [p for p in posts if "Streaming Pipelines" in p["title"]]
    assert streaming["sections"] == ["The Migration Path", "Monitoring Setup"]


def test_list_by_tag_and_plain_output() -> None:
    code, out, _ = run("list", "--tag", "redis")
    assert code == 0
    assert out.count("\n") == 1 and "Debugging Redis Caching" in out
    code, out, err = run("list", "--tag", "no-such-tag", "--json")
    assert code == 0 and json.loads(out) == []
    assert "no-such-tag" in err


def test_tags() -> None:
    code, out, _ = run("tags", "--json")
    tags = {t["name"]: t["count"] for t in json.loads(out)}
    assert code == 0 and tags["Machine Learning"] == 10 and tags["redis"] == 1
    code, out, _ = run("tags")
    assert out.splitlines()[0] == "10\tMachine Learning"


def test_show_in_a_pipe_is_plain_markdown() -> None:
    code, out, _ = run("show", "debugging-redis-caching-7-techniques-you-need-to-know")
    assert code == 0
    assert out.startswith("# Debugging Redis Caching: 7 Techniques You Need to Know\n")
    assert "## Results and Metrics" in out and "\x1b" not in out


def test_show_unknown_slug_names_it_on_stderr() -> None:
    code, out, err = run("show", "no-such-post")
    assert code == 1 and out == ""
    assert "no-such-post" in err


def test_import_reports_bad_files_and_exit_code(tmp_path: Path) -> None:
    good = tmp_path / "good.md"
    good.write_text("# Good one\n\ntext\n")
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"\xff bad")  # not FF FE: that is a UTF-16 byte-order mark
    code, out, err = run("import", str(good), str(bad))
    assert code == 1
    assert "1 added" in out and "1 failed" in out
    assert f"{bad}:1: not UTF-8" in err
    code, out, _ = run("import", str(good))
    assert code == 0 and "1 unchanged" in out


def test_data_dir_option(tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    code, out, err = run("--data-dir", str(other), "list", "--json")
    assert code == 0 and json.loads(out) == [] and EMPTY in err  # never seeded by the CLI
    note = tmp_path / "note.md"
    note.write_text("# A note\n\ntext\n")
    assert run("--data-dir", str(other), "import", str(note))[0] == 0
    assert (other / "library" / "posts.json").exists()
    code, out, err = run("--data-dir", str(other), "list", "--json")
    assert [p["title"] for p in json.loads(out)] == ["A note"] and err == ""


def test_version_and_python_m(isolated_data_dir: Path) -> None:
    code, out, _ = run("--version")
    assert code == 0 and __version__ in out
    result = subprocess.run(
        [sys.executable, "-m", "reader", "list", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert len(json.loads(result.stdout)) == 10
