"""Real site formats, imported through `reader import` and checked as a user sees them.

`tests/data/formats/` holds one small fixture per tool: a Hugo page bundle
(`index.md`, `index.de.md`, `_index.md`, `_index.zh-CN.md`), Jekyll
`_posts` with and without a date, Zola TOML with a blank line before `+++`
and a `[taxonomies]` table, JSON front matter, an Obsidian note with inline
tags and no title, a Japanese post, drafts, a UTF-16 file, and `.txt`
files that are and are not digests.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reader.cli import cli
from reader.library import Library
from reader.models import Filter
from reader.paths import config_path
from reader.tui import ReaderApp
from reader.tui.settings import load_for_tui

FORMATS = Path(__file__).parent / "data" / "formats"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def imported() -> dict[str, dict[str, Any]]:
    """Every fixture imported in one go; the posts of `list --drafts --json`, by slug."""
    code, out, err = run("import", str(FORMATS))
    assert code == 0, err
    assert "0 failed" in out
    code, out, _ = run("list", "--drafts", "--json")
    assert code == 0
    return {post["slug"]: post for post in json.loads(out)}


def json_of(*args: str) -> Any:
    """What a `--json` command printed, once it has succeeded."""
    code, out, err = run(*args, "--json")
    assert code == 0, err
    return json.loads(out)


def shown(slug: str) -> str:
    code, out, err = run("show", slug)
    assert code == 0, err
    return out


def test_importing_again_changes_nothing(imported: dict[str, dict[str, Any]]) -> None:
    code, out, _ = run("import", str(FORMATS))
    assert code == 0 and out.startswith("0 added, 0 updated, 13 unchanged")


def test_hugo_page_bundles_take_the_folder_name_and_the_language(
    imported: dict[str, dict[str, Any]],
) -> None:
    trip = imported["my-trip"]  # posts/my-trip/index.md: no title, so the folder's name
    assert trip["title"] == "my-trip"
    assert trip["date"] == "2023-06-01"
    assert trip["updated"] == "2023-07-15T09:30:00+02:00"
    assert trip["summary"] == "A week of trains and mountains."
    assert trip["tags"] == ["travel", "Photography", "Europe"]  # "Travel" is "travel" again
    assert trip["draft"] is False
    german = imported["meine-reise-de"]  # index.de.md: its language, and a slug of its own
    assert (german["title"], german["lang"], german["date"]) == ("Meine Reise", "de", "2023-06-01")
    section = imported["start-here"]  # _index.md with a front-matter slug
    assert section["title"] == "Getting Started"
    assert section["authors"] == ["Ada Lovelace", "Charles Babbage"]
    assert section["summary"] == "How to install the theme."
    assert not any(slug.startswith("index") for slug in imported)


def test_a_heading_that_repeats_the_title_is_shown_once() -> None:
    run("import", str(FORMATS / "hugo"))
    out = shown("start-here")
    assert out.startswith("# Getting Started\n")
    assert "Getting  started" not in out  # the body's own `# Getting  started` is gone
    assert "## Configuration" in out


def test_jekyll_dates_come_from_the_front_matter_else_the_file_name(
    imported: dict[str, dict[str, Any]],
) -> None:
    hello = imported["hello-world"]  # 2014-05-14-hello-world.md, no date field
    assert hello["date"] == "2014-05-14"
    assert hello["title"] == "Hello, World"
    assert hello["authors"] == ["alice", "bob"]
    assert hello["tags"] == ["how we work", "open source", "announcements"]
    assert hello["summary"] == "In the movies & on TV, hackers type fast."  # HTML excerpt
    debt = imported["content-debt"]  # 2016-05-19-content-debt.md, dated in its front matter
    assert debt["date"] == "2016-05-20T11:02:00-04:00"
    assert debt["title"] == "content-debt"  # the file name without its date
    assert debt["draft"] is True  # published: false


def test_zola_toml_with_a_blank_line_before_the_fence(
    imported: dict[str, dict[str, Any]],
) -> None:
    post = imported["first-light"]
    assert post["title"] == "First Light"
    assert post["date"] == "2021-03-04T05:06:07+00:00"
    assert post["updated"] == "2021-04-01"
    assert post["tags"] == ["astronomy", "night"]  # every [taxonomies] list
    assert post["authors"] == ["Dana Scully"]  # [extra.author] name
    assert post["url"] == "https://example.org/first-light/"  # extra.canonical_url
    out = shown("first-light")
    assert "+++" not in out and "taxonomies" not in out and "canonical_url" not in out
    assert "The sky cleared after midnight." in out


def test_json_front_matter(imported: dict[str, dict[str, Any]]) -> None:
    post = imported["written-in-json"]
    assert (post["date"], post["lang"], post["url"]) == ("2020-02-29", "en", "/json/written/")
    assert post["tags"] == ["json", "formats", "data"]
    out = shown("written-in-json")
    assert '"title"' not in out and "A post whose front matter is a JSON object." in out


def test_obsidian_note_title_and_inline_tags(imported: dict[str, dict[str, Any]]) -> None:
    note = imported["vault-note"]
    assert note["title"] == "Vault Note"  # no front matter, no heading: the file name
    assert note["tags"] == ["project/alpha", "idea", "listtag"]


def test_japanese_title_slug_and_reading_time(imported: dict[str, dict[str, Any]]) -> None:
    post = imported["ホットキー"]
    assert post["title"] == "ホットキー" and post["tags"] == ["日本語"]
    # 56 characters of Japanese at 500 a minute: 26 word-equivalents, not 4 "words".
    assert 20 <= post["words"] <= 30
    chinese = imported["快速入门-zh-cn"]
    assert chinese["lang"] == "zh-CN" and chinese["date"] == "2024-01-05"


def test_utf16_file_with_a_byte_order_mark(imported: dict[str, dict[str, Any]]) -> None:
    assert imported["wide-characters"]["title"] == "Wide Characters"
    assert "café" in shown("wide-characters")


def test_txt_files_in_a_folder_are_imported_only_when_digests(
    imported: dict[str, dict[str, Any]],
) -> None:
    assert imported["a-digest-post-from-a-folder"]["tags"] == ["Weekly"]
    # By the file's name: the checkout's own path may hold "notes" (a worktree named so).
    assert not any(Path(post["source"]).name.startswith("notes") for post in imported.values())


def test_a_txt_file_given_by_name_must_be_a_digest() -> None:
    notes = FORMATS / "digests" / "notes.txt"
    code, out, err = run("import", str(notes))
    assert code == 1 and "1 failed" in out
    assert f"{notes}: not a digest" in err


def test_drafts_are_hidden_unless_asked_for(imported: dict[str, dict[str, Any]]) -> None:
    drafts = {slug for slug, post in imported.items() if post["draft"]}
    assert drafts == {"unfinished-thoughts", "content-debt"}
    code, out, _ = run("list", "--json")
    assert code == 0 and not drafts & {post["slug"] for post in json.loads(out)}
    code, out, _ = run("tags", "--json")
    travel = next(t["count"] for t in json.loads(out) if t["name"] == "travel")
    assert travel == 1  # the draft's "travel" is not counted
    code, out, err = run("search", "zanzibarquill")
    assert out == "" and "no matches" in err
    code, out, _ = run("search", "zanzibarquill", "is:draft", "--json")
    assert [hit["slug"] for hit in json.loads(out)] == ["unfinished-thoughts"]
    code, out, _ = run("search", "is:draft", "--json")
    assert {hit["slug"] for hit in json.loads(out)} == drafts


def test_front_matter_is_never_in_the_body_snippets_or_index() -> None:
    run("import", str(FORMATS / "jekyll"), str(FORMATS / "zola"), str(FORMATS / "hugo"))
    for word in ("layout", "taxonomies", "homepage", "lastmod", "Babbage"):
        code, out, _ = run("search", word, "--json")
        assert code == 1 and json.loads(out) == [], word  # 1: nothing matched, as grep
    for slug in ("hello-world", "first-light", "my-trip", "start-here"):
        out = shown(slug)
        assert "layout:" not in out and "lastmod" not in out and "---\n" not in out
    code, out, _ = run("search", "mountains", "--json")
    (hit,) = json.loads(out)
    assert hit["slug"] == "my-trip" and "date:" not in hit["snippet"]


def test_the_show_drafts_setting_shows_them_everywhere(
    imported: dict[str, dict[str, Any]], isolated_data_dir: Path
) -> None:
    Library.open(isolated_data_dir).state.update_settings({"show_drafts": True})
    assert {"unfinished-thoughts", "content-debt"} <= {p["slug"] for p in json_of("list")}
    hits = json_of("search", "zanzibarquill")
    assert [hit["slug"] for hit in hits] == ["unfinished-thoughts"]
    assert next(t["count"] for t in json_of("tags") if t["name"] == "travel") == 2


async def test_the_tui_reads_the_show_drafts_setting(
    imported: dict[str, dict[str, Any]], isolated_data_dir: Path
) -> None:
    library = Library.open(isolated_data_dir)
    app = ReaderApp(library)
    async with app.run_test(size=(80, 24)):
        await app.workers.wait_for_complete()
        assert "unfinished-thoughts" not in {p.slug for p in app.session.posts(Filter())}
    library.state.update_settings({"show_drafts": True})  # as an older reader kept it
    again = Library.open(isolated_data_dir)
    loaded, _ = load_for_tui(again.state, config_path())  # moved to config.toml, as at start
    app = ReaderApp(again, config=loaded)
    async with app.run_test(size=(80, 24)):
        await app.workers.wait_for_complete()
        assert "unfinished-thoughts" in {p.slug for p in app.session.posts(Filter())}


def test_a_title_from_a_hostile_file_name_is_clean(tmp_path: Path) -> None:
    hostile = tmp_path / "posts" / "\x1b[2Jwiped" / "index.md"
    hostile.parent.mkdir(parents=True)
    hostile.write_text("No heading, no front matter.\n", encoding="utf-8")
    run("import", str(hostile))
    (post,) = [p for p in json_of("list") if p["source"] == str(hostile.resolve())]
    assert post["title"] == "[2Jwiped"


@pytest.mark.parametrize("query", ["is", "is json", "tag:travel", "is -zzz"])
def test_hidden_drafts_are_out_of_hits_totals_and_tag_counts(
    imported: dict[str, dict[str, Any]], isolated_data_dir: Path, query: str
) -> None:
    drafts = {"unfinished-thoughts", "content-debt"}
    library = Library.open(isolated_data_dir)
    hidden = library.search(query, limit=50, all_slugs=True)
    library.show_drafts = True
    shown = library.search(query, limit=50, all_slugs=True)
    assert hidden.slugs is not None and shown.slugs is not None
    assert drafts & shown.slugs or query == "is json"
    assert not drafts & hidden.slugs and not drafts & {hit.slug for hit in hidden.hits}
    assert hidden.slugs == shown.slugs - drafts and hidden.total == len(hidden.slugs)
    assert [h.slug for h in hidden.hits] == [h.slug for h in shown.hits if h.slug not in drafts]
