"""Feeds: subscriptions to RSS, Atom and JSON Feed, fetched into the post library.

`fetch` gets a feed over HTTP (conditional GET, timeout, size cap, redirects),
`parse` reads RSS/Atom (feedparser) and JSON Feed (json) into `Entry`s,
`clean` sanitises their HTML and converts it to Markdown, `subscriptions`
keeps the subscribed feeds in `feeds.json`, and `refresh` ties them together
by writing each entry as a Markdown file the ordinary importer reads;
`counts` gives the sidebar each feed's unread posts.
No Textual here.
"""
