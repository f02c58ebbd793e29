"""The Textual application: one main screen over a `Library`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.theme import ThemeProvider

from reader.config import Config, LoadedConfig
from reader.session import ReadingSession, WriteQueue
from reader.state import StateWriteError
from reader.tui.document_cache import DocumentCache
from reader.tui.palette import PROVIDERS
from reader.tui.screens.command_palette import ReaderPalette
from reader.tui.screens.main import MainScreen
from reader.tui.timings import Timings

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from reader.library import Library

__all__ = ["THEME_SETTING", "ReaderApp", "run_app", "save_on_exit", "start_theme"]

THEME_SETTING = "theme"
"""The state setting that remembers the theme picked at run time."""
DEFAULT_THEME = "textual-dark"


class ReaderApp(App[None]):
    """Read, search and keep posts."""

    CSS_PATH = "app.tcss"
    TITLE = "reader"
    COMMANDS = App.COMMANDS | PROVIDERS
    """Textual's own commands (themes, keys, quit) and ours (`reader/tui/palette.py`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        Binding(
            "ctrl+p", "command_palette", "Commands", id="app.palette", priority=True, show=False
        ),
    ]
    """Keys that work everywhere. Ids let a `keymap` setting remap them."""

    def __init__(
        self,
        library: Library,
        timings: Timings | None = None,
        config: LoadedConfig | Config | None = None,
        moved: str | None = None,
    ) -> None:
        super().__init__()
        self.library = library
        self.loaded = config if isinstance(config, LoadedConfig) else None
        """The config file as read, with its problems (None: settings given directly)."""
        self.config = config.config if isinstance(config, LoadedConfig) else config or Config()
        """The user's settings in effect (`config.toml`)."""
        self.moved = moved
        """What the one-time move of settings out of `state.json` did, to say so."""
        library.use_config(self.config)
        self.timings = Timings() if timings is None else timings
        """How long the timers wait (tests pass short delays)."""
        self.documents = DocumentCache()
        """Posts parsed for the reader, by content: going back to one is instant."""
        self.session = ReadingSession(library, on_error=self._not_saved)
        """The user's marks as shown; every write to them goes through it, in order."""

    @property
    def state_writer(self) -> WriteQueue:
        """The session's queue of state writes (tests wait on it with `drain`)."""
        return self.session.writes

    def _not_saved(self, what: str, error: BaseException) -> None:
        # Called on the writer thread: `notify` only posts a message, which is
        # safe from any thread and never waits for the event loop.
        self.notify(
            f"Could not save {what}: {error}",
            title="Not saved yet",
            severity="error",
            timeout=8,
            markup=False,
        )

    async def on_event(self, event: events.Event) -> None:
        """Drop input that arrives once quitting has begun.

        Keys read in the same batch as `q` (or still queued when the app is
        shut down) would otherwise reach the app while its screens are being
        taken down (`ScreenStackError`).
        """
        quitting = self.return_code is not None or not self.screen_stack
        if isinstance(event, events.InputEvent) and quitting:
            return
        await super().on_event(event)

    def on_load(self) -> None:
        self.set_keymap(dict(self.config.keymap))
        self.theme = start_theme(self.config, self.library.state.settings(), self.available_themes)
        self._theme_ready = True

    def on_mount(self) -> None:
        """Say what is wrong in the config file, and that old settings moved into it."""
        for problem in self.loaded.problems if self.loaded else ():
            self.notify(str(problem), title="Config", severity="warning", timeout=30, markup=False)
        if self.moved:
            self.notify(self.moved, title="Config", timeout=15, markup=False)

    def watch_theme(self, theme: str) -> None:
        """Remember a theme picked at run time (the command palette) for the next start."""
        if not getattr(self, "_theme_ready", False):
            return
        self.session.save_settings({THEME_SETTING: theme})
        chosen = self.config.theme
        if chosen is not None and chosen != theme:
            self.notify(
                f"config.toml sets theme = {chosen!r}: it comes back at the next start.",
                title="Theme",
                timeout=6,
                markup=False,
            )

    def get_default_screen(self) -> Screen[Any]:
        """The main screen, from the start: a key typed while the app starts reaches it."""
        return MainScreen(
            self.library, self.session, self.timings, documents=self.documents, config=self.config
        )

    def on_unmount(self) -> None:
        # Nothing the user did is lost on quit: finish the queued writes.
        self.session.close()
        self.library.state.on_wait = None  # later waits (the save on exit) are not ours to show

    async def action_quit(self) -> None:
        """Save where the reader is, then quit (the writes finish before exit)."""
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                screen.save_before_quit()
                screen.keep_resume_screen()
        self.exit()

    def action_command_palette(self) -> None:
        """Open the command palette (ours: it survives keys read after the one closing it)."""
        if self.use_command_palette and not isinstance(self.screen, ReaderPalette):
            self.push_screen(ReaderPalette())

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's commands, but "Screenshot" saves in the current folder.

        Textual's own saves in the Downloads folder, and fails with no word of
        why when there is none (a server, a container). In a browser
        (`reader serve`) the browser gets it, as Textual does.
        """
        for command in super().get_system_commands(screen):
            if command.title == "Screenshot" and not self.is_web:
                yield SystemCommand(
                    "Screenshot",
                    "Save an SVG 'screenshot' of the screen in the current folder",
                    lambda: self.set_timer(0.1, self.save_screenshot_here),  # the palette gone
                )
            else:
                yield command

    def save_screenshot_here(self) -> None:
        """Save an SVG of the screen in the current folder and say where, or why not."""
        try:
            path = Path(self.save_screenshot()).resolve()
        except OSError as error:
            self.notify(
                f"Could not save the screenshot: {error.strerror or error} ({error.filename})",
                title="Screenshot",
                severity="error",
                markup=False,
            )
            return
        self.notify(f"Saved {path}", title="Screenshot", timeout=6, markup=False)

    def search_themes(self) -> None:
        """The palette of themes (Textual's "Theme" command), as safe as ours against keys
        read in one batch: Textual's own palette dismissed twice pops the main screen."""
        self.push_screen(ReaderPalette(providers=[ThemeProvider], placeholder="Search for themes…"))

    def action_help(self) -> None:
        """Show every key binding."""
        if isinstance(self.screen, MainScreen):
            self.screen.show_help()


def start_theme(config: Config, settings: dict[str, Any], themes: Mapping[str, object]) -> str:
    """The theme at start: the config's, else the one picked last, else Textual's default."""
    picked = settings.get(THEME_SETTING)
    for name in (config.theme, picked):
        if isinstance(name, str) and name in themes:
            return name
    return DEFAULT_THEME


def run_app(library: Library, config: LoadedConfig | None = None, moved: str | None = None) -> None:
    """Run the TUI until the user quits; say so if some changes could not be saved."""
    app = ReaderApp(library, config=config, moved=moved)
    app.run()
    feeds = sys.modules.get("reader.feeds.refresh")  # imported by a refresh, not at start
    if feeds is not None and feeds.fetching():
        # The refresh is stopped; the fetches under way end within their timeout.
        print("reader: refresh stopped; waiting for the feeds being fetched…", file=sys.stderr)
    code = save_on_exit(library)
    if code or app.return_code:
        sys.exit(code or app.return_code)


def save_on_exit(library: Library) -> int:
    """Write what is still queued in memory; the exit code (1 when something is not saved).

    When the disk refuses, say on stderr what was not saved and where the
    recovery file kept it (`reader import-bookmarks` takes its bookmarks back).
    """
    state = library.state
    try:
        state.flush()
    except StateWriteError as error:
        # Not "will retry": the process is ending.
        print(f"reader: could not save to {error.path}: {error.reason}", file=sys.stderr)
        print(f"reader: {state.describe_unsaved(state.save_unsaved())}", file=sys.stderr)
        return 1
    return 0
