"""What `reader` relies on in Textual beyond its public API, pinned so an upgrade says so.

`PostList._update_lines` fills `OptionList`'s line cache itself, because
`OptionList` measures every row on each fill and resize (~35 ms per pass at
10,000 posts) and has no public way to say that all rows are one height.
If Textual renames or reshapes that cache, this fails first, before the
list silently becomes slow or draws the wrong rows.
"""

from __future__ import annotations

import inspect

from textual.widgets import OptionList
from textual.widgets._option_list import _LineCache

from reader.tui.widgets.post_list import PostList


def test_option_list_line_cache_has_the_shape_post_list_fills() -> None:
    cache = _LineCache()
    assert isinstance(cache.lines, list)
    assert isinstance(cache.heights, dict)
    assert isinstance(cache.index_to_line, dict)
    assert "_line_cache" in inspect.getsource(OptionList.__init__)
    assert "line_cache.lines" in inspect.getsource(OptionList._update_lines)
    assert PostList._update_lines is not OptionList._update_lines
