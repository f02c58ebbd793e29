"""`python -m reader`: the same entry point as the `reader` command."""

from __future__ import annotations

from reader.cli import main

if __name__ == "__main__":  # pragma: no cover - exercised through subprocess tests
    main()
