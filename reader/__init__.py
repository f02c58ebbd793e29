"""reader: read, search and keep a collection of posts from the terminal.

The package has two halves. The core (`models`, `text`, `parsing`, `digest`,
`importer`, `storage`, `store`, `library`, `paths`) knows nothing about the
terminal; the `tui` package and the `cli` module both sit on top of it.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
