"""Start-up benchmark: time to the first painted screen, and peak memory, beside a bare app.

Each app runs in a pseudo-terminal of a fixed size (120x40, TERM=xterm-256color),
as a user would start it, with no hooks inside the app:

* **Time to first paint** is the wall time from spawning the process until its
  terminal output, with escape sequences removed, contains every marker of
  the case. For `reader` the markers are the start of the first post's
  title and the first words of its body, so the first post must be listed
  *and* shown in the reader pane; for the bare app (bench/bare_app.py) it is
  the text of its pane. Textual writes each frame in one write, so this is
  the end of the first frame showing them, to within one read of the pty.
* **Peak memory** is the child's peak resident set size (Linux `VmHWM`, else
  `ru_maxrss`) once it has settled: after the first paint the harness waits
  until the app has been quiet for a moment (workers done), reads the peak,
  then sends `q`.

Cases run interleaved (the order rotates every round) so that they share the
machine's noise, after one warm-up round; figures are medians.

    python bench/startup.py [--runs 7] [--posts 10000] [--write-docs]

The 10k library is generated and imported once, then cached under bench/out/.
"""

from __future__ import annotations

import argparse
import codecs
import datetime as dt
import fcntl
import json
import os
import platform
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
PERFORMANCE_MD = REPO / "docs" / "PERFORMANCE.md"
SECTION = "## Start-up"

BARE_MARKER = "Nothing to read yet."
"""Must match `bench.bare_app.MARKER` (not imported: that would load Textual here)."""

SETTLE_S = 0.3
"""After the first paint, quiet output for this long means the app has settled."""
SETTLE_MAX_S = 5.0
QUIT_GRACE_S = 5.0

# CSI, OSC, charset selection and two-character escapes.
_ESCAPE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[@-Z\\-_=>]"
)


@dataclass(frozen=True, slots=True)
class Case:
    """One app to start: its command, environment and what its first screen shows."""

    name: str
    argv: tuple[str, ...]
    markers: tuple[str, ...]
    env: tuple[tuple[str, str], ...] = ()
    cwd: Path = REPO
    """Where it runs: `python -m` puts this folder first on `sys.path`, before PYTHONPATH."""


@dataclass(frozen=True, slots=True)
class Run:
    """One start of one case."""

    case: str
    paint_ms: float | None
    """None when the markers never appeared before the timeout."""
    peak_mb: float
    rss_mb: float | None = None
    """Resident set size once settled (`VmRSS`), when /proc has it."""


def visible_text(output: str) -> str:
    """Terminal output without escape sequences: the characters that reached the screen."""
    return _ESCAPE.sub("", output)


def _child_env(case: Case, cols: int, rows: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    for key in ("NO_COLOR", "COLUMNS", "LINES", "TERM_PROGRAM"):
        env.pop(key, None)
    env.update(TERM="xterm-256color", COLORTERM="truecolor", COLUMNS=str(cols), LINES=str(rows))
    env.update(dict(case.env))
    return env


def _become_terminal_owner() -> None:
    # Runs in the child after setsid(): make the pty its controlling terminal, like a shell does.
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _max_rss_mb(usage: object) -> float:
    rss = float(getattr(usage, "ru_maxrss", 0))
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10


def _high_water_mb(pid: int, line: str = "VmHWM") -> float | None:
    """The process's peak RSS so far (Linux `VmHWM`), or None where /proc has no such line.

    Preferred to `ru_maxrss`, which also counts the harness's own pages the
    child had before `exec`.
    """
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    found = re.search(rf"^{line}:\s+(\d+) kB", status, re.M)
    return int(found.group(1)) / 2**10 if found else None


def _forget_user_state(case: Case) -> None:
    """Delete the user state of the case's data directory before a run.

    The app resumes where the last run quit (filter, post, position), so
    without this every run after the first could open on a different post
    and never show the markers. The library itself is kept.
    """
    for name, value in case.env:
        if name == "READER_DATA_DIR":
            for leftover in Path(value).glob("state.json*"):
                leftover.unlink(missing_ok=True)


def measure(case: Case, cols: int = 120, rows: int = 40, timeout: float = 60.0) -> Run:
    """Start `case` in a pty, time its first paint, let it settle, quit it, read its peak RSS."""
    _forget_user_state(case)
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    started = time.perf_counter()
    proc = subprocess.Popen(
        case.argv,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=_child_env(case, cols, rows),
        cwd=case.cwd,
        start_new_session=True,
        preexec_fn=_become_terminal_owner,  # safe: the harness runs no threads
    )
    os.close(slave)
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    output = ""
    painted: float | None = None
    last_output = started
    quit_sent: float | None = None
    high_water: float | None = None
    resident: float | None = None
    status: tuple[int, int, object] | None = None
    try:
        while status is None:
            ready, _, _ = select.select([master], [], [], 0.02)
            now = time.perf_counter()
            if ready:
                try:
                    data = os.read(master, 1 << 16)
                except OSError:  # EIO: the child closed the terminal
                    data = b""
                if data:
                    last_output = now
                    output += decoder.decode(data)
                    if painted is None:
                        screen = visible_text(output)
                        if all(marker in screen for marker in case.markers):
                            painted = now
                    continue
            if quit_sent is None:
                settled = painted is not None and (
                    now - last_output > SETTLE_S or now - painted > SETTLE_MAX_S
                )
                if settled or now - started > timeout:
                    high_water = _high_water_mb(proc.pid)
                    resident = _high_water_mb(proc.pid, "VmRSS")
                    os.write(master, b"q")
                    quit_sent = now
            elif now - quit_sent > QUIT_GRACE_S:
                os.killpg(proc.pid, signal.SIGKILL)
            pid, code, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                status = (pid, code, usage)
            elif ready:  # EOF but not yet exited: don't spin on the closed pty
                time.sleep(0.01)
    finally:
        if status is None:
            os.killpg(proc.pid, signal.SIGKILL)
            status = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status[1])
        os.close(master)
    paint_ms = (painted - started) * 1000 if painted is not None else None
    if painted is None:
        tail = visible_text(output)[-400:]
        why = f"exit code {proc.returncode}" if quit_sent is None else f"{timeout:.0f} s timeout"
        print(f"  {case.name}: no first paint ({why}); screen ends {tail!r}")
    peak = high_water if high_water is not None else _max_rss_mb(status[2])
    return Run(case.name, paint_ms, peak, resident)


def first_post_markers(data_dir: Path) -> tuple[str, str]:
    """The start of the first post's title and the first words of its body."""
    from reader.library import Library

    library = Library(data_dir)
    # The first row of the list as the app opens with no saved state: the default order.
    posts = library.summaries(order=library.orders().default)
    if not posts:
        raise RuntimeError(f"no posts in {data_dir}")
    first = library.get(posts[0].slug)
    assert first is not None
    line = next(ln for ln in first.body.splitlines() if ln.strip() and not ln.startswith("#"))
    # Two words: a longer marker may wrap in a narrow reader pane and never show whole.
    return first.title[:20], " ".join(line.split()[:2])


def size_name(posts: int) -> str:
    """`1k`, `10k`, `50k`: a library's name in the cases and the table."""
    return f"{posts // 1000}k" if posts % 1000 == 0 else str(posts)


def prepare(sizes: Sequence[int], seed: int) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Build (or reuse) both data directories; return each with its markers.

    Runs in a child process (`--prepare`), so that loading 10,000 posts does
    not grow the harness, whose pages a forked child would count as its own.
    """
    from bench.generate import ensure_bundled_data_dir, ensure_data_dir

    found: dict[str, tuple[str, tuple[str, ...]]] = {}
    for name, root in (
        ("bundled", ensure_bundled_data_dir()),
        *((size_name(n), ensure_data_dir(n, seed)) for n in sizes),
    ):
        found[name] = (str(root), first_post_markers(root))
    return found


def reader_cases(sizes: Sequence[int], seed: int, before: Path | None = None) -> list[Case]:
    """`python -m reader` on the bundled and each generated library; with `before`, the
    same libraries again with the code of that other checkout (`before-...` cases)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--prepare", "--seed", str(seed)]
    command += ["--sizes", *(str(n) for n in sizes)]
    done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True, cwd=REPO)
    prepared = json.loads(done.stdout)
    checkouts = [("", REPO)] + ([("before-", before)] if before is not None else [])
    return [
        Case(
            prefix + name,
            (sys.executable, "-m", "reader"),
            tuple(markers),
            (("READER_DATA_DIR", root), ("PYTHONPATH", str(code))),
            code,
        )
        for prefix, code in checkouts
        for name, (root, markers) in prepared.items()
    ]


def bare_case() -> Case:
    """The bare Textual app with the same three widgets."""
    return Case("bare", (sys.executable, str(BENCH_DIR / "bare_app.py")), (BARE_MARKER,))


def run_rounds(
    cases: Sequence[Case], runs: int, timeout: float, size: tuple[int, int]
) -> list[Run]:
    """One warm-up round, then `runs` rounds, rotating the order of the cases each round."""
    cols, rows = size
    print(f"warm-up: {', '.join(c.name for c in cases)}")
    for case in cases:
        measure(case, cols, rows, timeout)
    results: list[Run] = []
    for round_no in range(runs):
        shift = round_no % len(cases)
        ordered = list(cases[shift:]) + list(cases[:shift])
        figures = []
        for case in ordered:
            run = measure(case, cols, rows, timeout)
            results.append(run)
            paint = f"{run.paint_ms:.0f} ms" if run.paint_ms is not None else "timeout"
            figures.append(f"{case.name} {paint} {run.peak_mb:.0f} MB")
        print(f"round {round_no + 1}/{runs}: " + ", ".join(figures))
    return results


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the table: one library, ours (and before) beside the baselines."""

    library: str
    ours_ms: float
    bundled_ms: float
    bare_ms: float
    ours_rss: float
    ours_peak: float
    before_ms: float | None = None
    before_bundled_ms: float | None = None
    before_rss: float | None = None

    @property
    def ratio(self) -> float:
        """Our first paint over our bundled library's, measured in the same run."""
        return self.ours_ms / self.bundled_ms

    @property
    def before_ratio(self) -> float | None:
        """The same ratio for the other checkout."""
        if self.before_ms is None or not self.before_bundled_ms:
            return None
        return self.before_ms / self.before_bundled_ms

    @property
    def met(self) -> bool:
        """First paint within `GOAL_RATIO` of the bundled library's, RSS under `GOAL_MB`."""
        return self.ratio <= GOAL_RATIO and self.ours_rss < GOAL_MB


GOAL_RATIO = 1.25
"""First paint of a generated library over the bundled library's (issue 12)."""
GOAL_MB = 150.0
"""Resident memory once settled (issue 12)."""


def _median(values: Sequence[float | None]) -> float:
    found = [v for v in values if v is not None]
    return statistics.median(found) if found else float("nan")


def summarise(results: Sequence[Run], names: Sequence[str]) -> list[Row]:
    """Medians per library: ours and before, each beside its own bundled library and the
    bare app."""

    def of(name: str, pick: str) -> float:
        return _median([getattr(r, pick) for r in results if r.case == name])

    def maybe(name: str, pick: str) -> float | None:
        found = [r for r in results if r.case == name]
        return of(name, pick) if found else None

    rows = []
    for name in names:
        rows.append(
            Row(
                name,
                of(name, "paint_ms"),
                of("bundled", "paint_ms"),
                of("bare", "paint_ms"),
                of(name, "rss_mb"),
                of(name, "peak_mb"),
                maybe(f"before-{name}", "paint_ms"),
                maybe("before-bundled", "paint_ms"),
                maybe(f"before-{name}", "rss_mb"),
            )
        )
    return rows


def _figure(value: float | None, form: str) -> str:
    return "" if value is None or value != value else format(value, form)


def table(rows: Sequence[Row]) -> str:
    """The results as a Markdown table."""
    lines = [
        "| library | first paint ms | x bundled | x bare | RSS MB (peak) "
        "| before ms | before x bundled | before RSS MB | goal | met |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for row in rows:
        goal = f"≤ {GOAL_RATIO:g}x bundled, < {GOAL_MB:g} MB" if row.library != "bundled" else ""
        met = ("yes" if row.met else "no") if goal else ""
        lines.append(
            f"| {row.library} | {row.ours_ms:.0f} | {row.ratio:.2f}x "
            f"| {row.ours_ms / row.bare_ms:.2f}x | {row.ours_rss:.0f} ({row.ours_peak:.0f}) "
            f"| {_figure(row.before_ms, '.0f')} | {_figure(row.before_ratio, '.2f')} "
            f"| {_figure(row.before_rss, '.0f')} | {goal} | {met} |"
        )
    return "\n".join(lines)


def machine() -> str:
    """What the figures were measured on."""
    import textual  # only to name its version; the harness itself never runs Textual

    version = getattr(textual, "__version__", "?")
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs (nproc), "
        f"Python {platform.python_version()}, Textual {version}"
    )


def section_text(
    rows: Sequence[Row], runs: int, sizes: Sequence[int], size: tuple[int, int], spread: str
) -> str:
    """The "## Start-up" section of docs/PERFORMANCE.md."""
    today = dt.date.today().isoformat()
    names = ", ".join(f"{n:,}" for n in sizes)
    return f"""{SECTION}

Time from process start to the first painted screen, and memory, of
`python -m reader` on the bundled library and on generated libraries of
{names} posts, beside a bare Textual app with the same three widgets
(bench/bare_app.py) and, with `--before`, the same libraries opened by
another checkout, all measured in the same run: {runs} interleaved rounds
after one warm-up, medians. Measured {today} on {machine()}.
Ratios are steadier than absolute times when the machine is busy.

{table(rows)}

Range of the first-paint times (ms, min-max): {spread}.

- *First painted screen*: each app runs in a pseudo-terminal of {size[0]}x{size[1]}
  (TERM=xterm-256color); the clock stops when the app's output, escape
  sequences removed, first contains its markers: for `reader` the start of
  the first post's title and the first words of its body (listed and shown),
  for the bare app the text of its pane. No hooks in the app.
- *RSS* is the child's resident set (`VmRSS`) once the app has settled after
  the first paint (0.3 s without output, at most 5 s), before `q`; *peak* its
  high-water mark (`VmHWM`) then.
- Libraries: `bench/generate.py --posts N --seed 0` (1% long posts of
  30-300 KB), imported once into data directories cached under `bench/out/`
  (or `READER_BENCH_CACHE`); "bundled" is the ten posts shipped with `reader`.

Reproduce: `python bench/startup.py --runs {runs} --sizes {" ".join(map(str, sizes))}
--before ../main --write-docs`.
"""


def write_section(text: str, path: Path = PERFORMANCE_MD) -> None:
    """Replace (or add) the "## Start-up" section, leaving other sections alone."""
    if path.exists():
        current = path.read_text(encoding="utf-8")
    else:
        current = (
            "# Performance\n\nMeasured figures for `reader`, each beside a baseline measured in "
            "the same run. Every section says how to reproduce it.\n"
        )
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(current):
        updated = pattern.sub(lambda _: text.rstrip("\n") + "\n\n", current, count=1)
    else:
        updated = current.rstrip("\n") + "\n\n" + text
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(updated.rstrip("\n") + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the table; optionally write it into docs/PERFORMANCE.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="rounds after warm-up (default 7)")
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[1000, 10_000, 50_000], help="library sizes"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--size", default="120x40", help="terminal COLSxROWS (default 120x40)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for a paint")
    parser.add_argument("--before", type=Path, help="another checkout to run beside ours")
    parser.add_argument(
        "--bare-only", action="store_true", help="only the bare app (harness check)"
    )
    parser.add_argument("--write-docs", action="store_true", help="update docs/PERFORMANCE.md")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare:
        sys.path.insert(0, str(REPO))
        print(json.dumps(prepare(args.sizes, args.seed)))
        return 0
    cols, rows = (int(n) for n in args.size.lower().split("x"))

    cases = [bare_case()]
    if not args.bare_only:
        before = args.before.resolve() if args.before else None
        cases += reader_cases(args.sizes, args.seed, before)
    results = run_rounds(cases, args.runs, args.timeout, (cols, rows))
    failed = [r for r in results if r.paint_ms is None]
    spread = []
    for case in cases:
        mine = [r.paint_ms for r in results if r.case == case.name and r.paint_ms is not None]
        if mine:
            spread.append(f"{case.name} {min(mine):.0f}-{max(mine):.0f}")
            print(
                f"{case.name}: median {statistics.median(mine):.0f} ms "
                f"(min {min(mine):.0f}, max {max(mine):.0f}, n={len(mine)})"
            )
    names = ["bundled", *(size_name(n) for n in args.sizes)]
    summary = summarise(results, names) if not args.bare_only else []
    print()
    print(table(summary))
    if args.write_docs and summary and not failed:
        text = section_text(summary, args.runs, args.sizes, (cols, rows), ", ".join(spread))
        write_section(text)
        print(f"\nwrote {SECTION!r} in {PERFORMANCE_MD}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
