"""The CLI as a shell user meets it: pager, error style, pipes, completion, `reader serve`.

These run `reader` as a real process (a pipe, a terminal, an HTTP client), since
what is tested is how it behaves towards them.
"""

from __future__ import annotations

import os
import pty
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import NOT_A_TERMINAL, cli
from reader.library import Library
from reader.library_sources import import_sources

ROOT = Path(__file__).resolve().parent.parent
FIRST = "the-hard-won-playbook-for-shipping-streaming-pipelines-fast"


def reader_env(data: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "READER_DATA_DIR": str(data), **extra}


def run(data: Path, *args: str, **streams: object) -> subprocess.CompletedProcess[str]:
    """`reader ARGS` as a process; its output captured unless `streams` say where it goes."""
    if not streams:
        streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "reader", *args],
        env=reader_env(data),
        text=True,
        timeout=120,
        check=False,
        **streams,
    )


def test_show_in_a_pipe_prints_plain_text(samples: Path) -> None:
    result = run(samples, "show", FIRST)
    assert result.returncode == 0
    assert result.stdout.startswith("# The Hard-Won Playbook")
    assert "\x1b" not in result.stdout


def test_show_on_a_terminal_pages_through_pager(samples: Path, tmp_path: Path) -> None:
    paged = tmp_path / "paged.txt"
    pager = f"{sys.executable} -c 'import sys; open(sys.argv[1], \"w\").write(sys.stdin.read())'"
    main, child = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "reader", "show", FIRST],
            env=reader_env(samples, PAGER=f"{pager} {paged}", TERM="xterm"),
            stdin=child,
            stdout=child,
            stderr=subprocess.PIPE,
            timeout=120,
            check=False,
        )
    finally:
        os.close(child)
        os.close(main)
    assert proc.returncode == 0, proc.stderr
    text = paged.read_text()
    assert "The Hard-Won Playbook" in text and "The Migration Path" in text
    assert not text.startswith("# ")  # rendered, not the Markdown source


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["show", "no-such-post"], 1),
        (["nosuch"], 2),
        (["list", "--sort", "sideways"], 2),
        (["search", "is:bookmrk"], 2),
        (["remove"], 2),
    ],
)
def test_errors_have_one_prefix(library: Library, args: list[str], code: int) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == code
    errors = [line for line in result.stderr.splitlines() if "rror" in line]
    assert errors and all(line.startswith("reader: error: ") for line in errors), result.stderr
    assert "Error:" not in result.stderr


def test_a_closed_pipe_exits_0_without_a_traceback(tmp_path: Path) -> None:
    folder = tmp_path / "posts"
    folder.mkdir()
    tags = ", ".join(f"tag{n}" for n in range(12))
    for i in range(500):
        title = f"Post {i:03d} " + "with a long title " * 8
        (folder / f"p{i:03d}.md").write_text(f"---\ntitle: {title}\ntags: [{tags}]\n---\n\nBody.\n")
    data = tmp_path / "data"
    Library.open(data, seed=False).import_paths([folder])
    for args in (["list"], ["list", "--json"]):
        lister = subprocess.Popen(
            [sys.executable, "-m", "reader", *args],
            env=reader_env(data),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert lister.stdout is not None and lister.stderr is not None
        head = subprocess.run(["head", "-1"], stdin=lister.stdout, capture_output=True, check=True)
        lister.stdout.close()  # head has gone: only its end of the pipe was open
        code = lister.wait(timeout=120)
        stderr = lister.stderr.read().decode()
        lister.stderr.close()
        assert head.stdout.strip()
        # More than a pipe's buffer, so the writer did meet the closed pipe.
        assert sum(len(p.read_bytes()) for p in folder.iterdir()) > 65536
        assert (code, stderr) == (0, ""), stderr


def test_bare_reader_with_output_redirected_says_so(samples: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    with out.open("w") as stdout:
        result = run(samples, stdout=stdout, stderr=subprocess.PIPE)
    assert result.returncode == 2
    assert out.read_text() == ""
    assert result.stderr.strip() == f"reader: error: {NOT_A_TERMINAL}"


def complete(data: Path, words: str, shell: str = "bash") -> list[str]:
    """What the shell would offer for the last of `words` (click's completion protocol)."""
    parts = words.split(" ")
    result = subprocess.run(
        [sys.executable, "-m", "reader"],
        env=reader_env(
            data,
            _READER_COMPLETE=f"{shell}_complete",
            COMP_WORDS=words,
            COMP_CWORD=str(len(parts) - 1),
        ),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stderr == ""
    return [line.split(",", 1)[1] for line in result.stdout.splitlines() if line]


def test_completion_offers_slugs_tags_and_sources(tmp_path: Path) -> None:
    folder = tmp_path / "garden"
    folder.mkdir()
    (folder / "compost.md").write_text("---\ntitle: Compost Heaps\ntags: [garden]\n---\n\nText.\n")
    (folder / "redis.md").write_text("---\ntitle: Redis Notes\ntags: [redis]\n---\n\nText.\n")
    data = tmp_path / "data"
    import_sources(Library.open(data, seed=False), [folder])  # remembered, as `reader import` does
    assert complete(data, "reader show red") == ["redis-notes"]
    assert complete(data, "reader bookmark comp") == ["compost-heaps"]
    assert complete(data, "reader remove ") == ["compost-heaps", "redis-notes"]
    assert complete(data, "reader list --tag re") == ["redis"]
    assert complete(data, "reader search --tag gar") == ["garden"]
    assert complete(data, f"reader remove --source {tmp_path}") == [str(folder)]
    assert complete(data, "reader show zzz") == []


@pytest.fixture
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_serve_answers_a_browser_on_loopback(
    samples: Path, free_port: int, processes: list[subprocess.Popen[bytes]]
) -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "reader", "serve", "--port", str(free_port)],
        env=reader_env(samples),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    processes.append(server)
    url = f"http://127.0.0.1:{free_port}/"
    deadline = time.monotonic() + 60
    page = ""
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                assert response.status == 200
                page = response.read().decode()
                break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)  # polling a server that is starting, not waiting for a result
    assert page, "reader serve never answered"
    assert "textual.js" in page
    assert f'data-session-websocket-url="ws://127.0.0.1:{free_port}/ws"' in page
