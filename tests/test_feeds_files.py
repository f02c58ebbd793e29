"""Feed files and OPML through `reader import` and `reader export --opml`: every format,
sanitising, and what reaches the screen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import cli

FEEDS = Path(__file__).parent / "data" / "feeds"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def posts() -> dict[str, dict[str, object]]:
    code, out, _ = run("list", "--json")
    assert code == 0
    return {p["title"]: p for p in json.loads(out)}


@pytest.mark.parametrize(
    ("name", "title", "tags"),
    [
        ("rss2.xml", "Spring tides explained", ["oceans", "tide-notes"]),
        ("rss091.xml", "Valve amplifiers", ["old-radio"]),
        ("rss1.rdf", "A grey heron", ["bird-log"]),
        ("atom.xml", "Glaze firing", ["pottery", "kiln-diary"]),
        ("feed.json", "Twill patterns", ["weaving", "loom-weekly"]),
    ],
)
def test_each_feed_format_imports_as_posts(name: str, title: str, tags: list[str]) -> None:
    code, out, err = run("import", str(FEEDS / name))
    assert code == 0, err
    assert "added" in out
    assert posts()[title]["tags"] == tags


def test_an_rss_entry_keeps_its_fields_and_sections() -> None:
    run("import", str(FEEDS / "rss2.xml"))
    post = posts()["Spring tides explained"]
    assert post["authors"] == ["Ana Moss"]
    assert post["url"] == "http://127.0.0.1/tide/spring"
    assert post["summary"] == "A short summary about spring tides."
    assert str(post["date"]).startswith("2024-05-06")
    assert post["sections"] == ["Moon and sun", "Neap tides"]
    _, shown, _ = run("show", str(post["slug"]))
    assert "When the moon and sun line up, the *range* grows." in shown


def test_an_entry_with_only_a_summary_shows_it_and_its_url() -> None:
    run("import", str(FEEDS / "rss2.xml"))
    post = posts()["Only a summary"]
    assert post["url"] == "http://127.0.0.1/tide/summary"
    _, shown, _ = run("show", str(post["slug"]))
    assert "Just the summary of a tide table." in shown


def test_json_feed_text_items_and_feed_authors() -> None:
    run("import", str(FEEDS / "feed.json"))
    post = posts()["Plain text item"]
    assert post["authors"] == ["Cy Weaver"]
    _, shown, _ = run("show", str(post["slug"]))
    assert "Tabby weave is the plainest." in shown


def test_a_malformed_feed_is_imported_where_recovered_and_named() -> None:
    code, _, err = run("import", str(FEEDS / "malformed.xml"))
    assert "malformed.xml: malformed feed" in err
    assert code == 0
    assert "Leaky & joints" in posts()


def test_feed_html_is_sanitised() -> None:
    run("import", str(FEEDS / "hostile.xml"))
    (post,) = posts().values()
    assert post["url"] == ""  # a javascript: link is not kept
    assert "\x1b" not in str(post["title"])
    _, shown, _ = run("show", str(post["slug"]))
    assert "Visible text" in shown
    assert "[good link](http://127.0.0.1/good)" in shown
    for gone in ("alert", "steal", "color:red", "frame text", "pixel.gif", "javascript", "data:"):
        assert gone not in shown
    assert "bad link" in shown  # the text stays, the link goes
    assert not any(ord(c) < 32 and c not in "\n\t" for c in shown)


def test_opml_in_and_out(tmp_path: Path) -> None:
    code, out, _ = run("import", str(FEEDS / "subscriptions.opml"))
    assert code == 0
    assert "2 feeds subscribed" in out
    code, out, _ = run("feeds", "--json")
    listed = json.loads(out)
    assert [(f["title"], f["url"]) for f in listed] == [
        ("Tide Notes", "http://127.0.0.1:1/tide.xml"),
        ("Kiln", "http://127.0.0.1:1/kiln.xml"),
    ]
    assert listed[0]["fetched"] is None
    code, opml, _ = run("export", "--opml")
    assert code == 0
    assert 'xmlUrl="http://127.0.0.1:1/tide.xml"' in opml
    assert "javascript" not in opml
    # What we write, we read back the same.
    exported = tmp_path / "exported.opml"
    exported.write_text(opml, "utf-8")
    _, again, _ = run("import", str(exported))
    assert "0 feeds subscribed" in again


def test_a_file_that_is_not_a_feed_fails_with_its_name(tmp_path: Path) -> None:
    bad = tmp_path / "notes.xml"
    bad.write_text("<html><body>hello</body></html>", "utf-8")
    code, _, err = run("import", str(bad))
    assert code == 1
    assert "notes.xml: not a feed" in err


def test_no_control_characters_reach_the_screen() -> None:
    run("import", str(FEEDS / "hostile.json"))
    (post,) = posts().values()
    _, listed, _ = run("list")
    _, shown, _ = run("show", str(post["slug"]))
    for text in (listed, shown, str(post["title"]), str(post["authors"])):
        assert not any((ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) < 0xA0 for c in text)
    assert "Clear[2J screen text" in shown
