"""A search that finds nothing suggests what to try ("did you mean caching?"), in the CLI too."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from reader.cli import cli
from reader.library import Library


def test_a_near_word_is_suggested(library: Library) -> None:
    results = library.search("cahe")  # four letters: no typo matching, but a suggestion
    assert results.total == 0
    assert results.suggestions[0] == "cache"
    assert library.search(results.suggestions[0]).total > 0


def test_each_unknown_word_is_replaced_and_the_rest_kept(library: Library) -> None:
    results = library.search("Redsi cahe")
    assert results.total == 0 and results.suggestions[0] == "redis cache"


def test_a_suggestion_must_find_something(library: Library) -> None:
    assert library.search("zzyzx").suggestions == ()
    assert library.search("redis -redis").suggestions == ()  # every word is known
    assert library.search("cahe tag:no-such-tag").suggestions == ()


def test_the_cli_says_what_to_try(samples: Path) -> None:
    result = CliRunner().invoke(cli, ["search", "cahe"])
    assert result.exit_code == 1 and result.stdout == ""
    assert 'no matches for "cahe"; did you mean cache' in result.stderr
    plain = CliRunner().invoke(cli, ["search", "zzyzx"])
    assert plain.exit_code == 1 and plain.stderr.strip() == 'no matches for "zzyzx"'
