"""The widgets of the main screen, one per module."""

from __future__ import annotations

from reader.tui.widgets.post_list import PostList
from reader.tui.widgets.reader_pane import ReaderPane
from reader.tui.widgets.search_bar import SearchBar
from reader.tui.widgets.tag_sidebar import TagSidebar

__all__ = ["PostList", "ReaderPane", "SearchBar", "TagSidebar"]
