"""Where `reader` keeps its files. Nothing here runs at import time.

The data directory is platformdirs' user data dir, unless `--data-dir` or the
`READER_DATA_DIR` environment variable says otherwise (tests use the latter);
the config file is `config.toml` in the user config dir, unless `--config` or
`READER_CONFIG` names another.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from platformdirs import user_config_path, user_data_path

__all__ = [
    "CONFIG_ENV",
    "DATA_DIR_ENV",
    "bundled_content_dir",
    "config_path",
    "data_dir",
    "library_dir",
    "state_path",
]

DATA_DIR_ENV = "READER_DATA_DIR"
CONFIG_ENV = "READER_CONFIG"
APP_NAME = "reader"


def data_dir(override: str | Path | None = None) -> Path:
    """The directory holding the library and the user state, created if needed."""
    chosen = override or os.environ.get(DATA_DIR_ENV) or user_data_path(APP_NAME, appauthor=False)
    path = Path(chosen).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_path(override: str | Path | None = None) -> Path:
    """The user's settings file (it need not exist; nothing is created)."""
    chosen = override or os.environ.get(CONFIG_ENV)
    if chosen:
        return Path(chosen).expanduser()
    return user_config_path(APP_NAME, appauthor=False) / "config.toml"


def library_dir(root: Path) -> Path:
    """The post library: rebuildable from its sources at any time."""
    return root / "library"


def state_path(root: Path) -> Path:
    """The user's state: bookmarks, read marks, positions, settings. Never rebuilt."""
    return root / "state.json"


def bundled_content_dir() -> Path:
    """The posts shipped with `reader`.

    In a wheel they are packaged as `reader/content`; in a source checkout
    (editable install) they are the repository's top-level `content/`.
    """
    packaged = Path(str(resources.files("reader"))) / "content"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "content"
