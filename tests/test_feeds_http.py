"""Subscribing and refreshing against a local HTTP server on 127.0.0.1 (pytest-httpserver)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from reader.cli import cli
from reader.feeds.refresh import refresh, store_for
from reader.feeds.subscribe import add_feeds
from reader.library import Library
from tests.feed_server import threaded_server

FEEDS = Path(__file__).parent / "data" / "feeds"
RSS = "application/rss+xml"


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    return ("127.0.0.1", 0)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def feed_bytes(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def serve(server: HTTPServer, path: str, name: str, **headers: str) -> None:
    kind = "application/feed+json" if name.endswith(".json") else RSS
    server.expect_request(path).respond_with_data(
        feed_bytes(name), content_type=kind, headers=headers
    )


def titles() -> set[str]:
    _, out, _ = run("list", "--json")
    return {p["title"] for p in json.loads(out)}


def subscriptions() -> list[dict[str, object]]:
    code, out, _ = run("feeds", "--json")
    assert code == 0
    result: list[dict[str, object]] = json.loads(out)
    return result


def test_add_a_feed_fetches_its_posts(httpserver: HTTPServer) -> None:
    serve(httpserver, "/tide.xml", "rss2.xml")
    code, out, err = run("add", httpserver.url_for("/tide.xml"))
    assert code == 0, err
    assert "subscribed to Tide Notes" in out
    assert "2 new posts" in out
    assert {"Spring tides explained", "Only a summary"} <= titles()
    (feed,) = subscriptions()
    assert feed["posts"] == 2
    assert feed["fetched"] is not None
    assert feed["error"] is None


def test_the_user_agent_says_who_we_are(httpserver: HTTPServer) -> None:
    serve(httpserver, "/tide.xml", "rss2.xml")
    run("add", httpserver.url_for("/tide.xml"))
    request, _ = httpserver.log[0]
    assert request.headers["User-Agent"].startswith("reader-tui/")


def test_add_a_web_page_follows_its_alternate_link(httpserver: HTTPServer) -> None:
    page = (
        '<html><head><link rel="alternate" type="application/atom+xml" href="/kiln.xml">'
        "</head></html>"
    )
    httpserver.expect_request("/blog").respond_with_data(page, content_type="text/html")
    httpserver.expect_request("/kiln.xml").respond_with_data(
        feed_bytes("atom.xml"), content_type="application/atom+xml"
    )
    code, out, err = run("add", httpserver.url_for("/blog"))
    assert code == 0, err
    assert httpserver.url_for("/kiln.xml") in out
    assert "Glaze firing" in titles()


def test_a_json_feed_over_http(httpserver: HTTPServer) -> None:
    serve(httpserver, "/loom.json", "feed.json")
    code, _, err = run("add", httpserver.url_for("/loom.json"))
    assert code == 0, err
    assert "Twill patterns" in titles()


def test_conditional_get_and_a_304_costs_no_parse(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve(
        httpserver,
        "/tide.xml",
        "rss2.xml",
        ETag='"v1"',
        **{"Last-Modified": "Mon, 06 May 2024 10:00:00 GMT"},
    )
    run("add", httpserver.url_for("/tide.xml"))
    httpserver.clear()
    httpserver.expect_request(
        "/tide.xml",
        headers={"If-None-Match": '"v1"', "If-Modified-Since": "Mon, 06 May 2024 10:00:00 GMT"},
    ).respond_with_data("", status=304)

    def no_parse(*args: object) -> None:
        raise AssertionError("a 304 was parsed")

    monkeypatch.setattr("reader.feeds.refresh.parse_feed", no_parse)
    code, out, err = run("refresh")
    assert code == 0, err
    assert out.strip() == "0 new, 0 updated, 0 feeds with errors"
    assert len(httpserver.log) == 1
    assert httpserver.log[0][1].status_code == 304


def test_a_permanent_redirect_is_followed_and_remembered(httpserver: HTTPServer) -> None:
    serve(httpserver, "/old.xml", "rss2.xml")
    run("add", httpserver.url_for("/old.xml"))
    httpserver.clear()
    httpserver.expect_request("/old.xml").respond_with_data(
        "", status=301, headers={"Location": httpserver.url_for("/new.xml")}
    )
    changed = feed_bytes("rss2.xml").replace(b"Spring tides explained", b"Spring tides, moved")
    httpserver.expect_request("/new.xml").respond_with_data(changed, content_type=RSS)
    code, out, err = run("refresh")
    assert code == 0, err
    assert out.strip() == "0 new, 1 updated, 0 feeds with errors"
    (feed,) = subscriptions()
    assert feed["url"] == httpserver.url_for("/new.xml")
    assert feed["posts"] == 2  # the same posts, not a second copy


def test_add_follows_a_permanent_redirect_to_the_feed(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/old.xml").respond_with_data(
        "", status=308, headers={"Location": httpserver.url_for("/new.xml")}
    )
    serve(httpserver, "/new.xml", "rss2.xml")
    code, _, err = run("add", httpserver.url_for("/old.xml"))
    assert code == 0, err
    (feed,) = subscriptions()
    assert feed["url"] == httpserver.url_for("/new.xml")


def test_a_temporary_redirect_is_followed_not_remembered(httpserver: HTTPServer) -> None:
    serve(httpserver, "/tide.xml", "rss2.xml")
    run("add", httpserver.url_for("/tide.xml"))
    httpserver.clear()
    httpserver.expect_request("/tide.xml").respond_with_data(
        "", status=302, headers={"Location": httpserver.url_for("/elsewhere.xml")}
    )
    serve(httpserver, "/elsewhere.xml", "rss2.xml")
    code, _, err = run("refresh")
    assert code == 0, err
    (feed,) = subscriptions()
    assert feed["url"] == httpserver.url_for("/tide.xml")


def subscribe_all(server: HTTPServer, *names: str) -> None:
    opml = "".join(
        f'<outline type="rss" text="{n}" xmlUrl="{server.url_for("/" + n)}"/>' for n in names
    )
    path = Path("subs.opml").absolute()
    path.write_text(f'<opml version="2.0"><body>{opml}</body></opml>', "utf-8")
    try:
        assert run("import", str(path))[0] == 0
    finally:
        path.unlink()


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("status", "reason"), [(404, "NOT FOUND"), (410, "GONE"), (500, "INTERNAL SERVER ERROR")]
)
def test_http_errors_are_named_and_do_not_stop_the_others(
    httpserver: HTTPServer, in_tmp: Path, status: int, reason: str
) -> None:
    httpserver.expect_request("/bad").respond_with_data("no", status=status)
    serve(httpserver, "/good", "rss2.xml")
    subscribe_all(httpserver, "bad", "good")
    code, out, err = run("refresh")
    assert code == 1
    assert f"reader: bad: HTTP {status} {reason}" in err
    assert out.strip() == "2 new, 0 updated, 1 feed with errors"
    assert "Spring tides explained" in titles()
    bad = subscriptions()[0]
    assert str(bad["error"]).startswith(f"HTTP {status}")


@pytest.fixture
def threaded() -> Iterator[HTTPServer]:
    with threaded_server() as server:
        yield server


def test_a_timeout_is_named_and_does_not_stop_the_others(
    threaded: HTTPServer, in_tmp: Path
) -> None:
    release = threading.Event()

    def hang(request: Request) -> Response:
        release.wait(5)
        return Response("late", status=200)

    threaded.expect_request("/slow").respond_with_handler(hang)
    serve(threaded, "/good", "atom.xml")
    subscribe_all(threaded, "slow", "good")
    try:
        code, out, err = run("refresh", "--timeout", "0.2")
    finally:
        release.set()
    assert code == 1
    assert "reader: slow: timed out" in err
    assert "1 new, 0 updated, 1 feed with errors" in out
    assert subscriptions()[0]["error"] == "timed out"


def test_a_dns_or_connection_failure_is_named(in_tmp: Path, httpserver: HTTPServer) -> None:
    serve(httpserver, "/good", "atom.xml")
    subscribe_all(httpserver, "good")
    path = Path("dead.opml").absolute()
    path.write_text(
        '<opml><body><outline text="dead" xmlUrl="http://127.0.0.1:1/x"/></body></opml>', "utf-8"
    )
    run("import", str(path))
    code, out, err = run("refresh")
    assert code == 1
    assert "reader: dead: cannot connect" in err
    assert "1 new" in out


def test_an_oversized_response_is_refused(httpserver: HTTPServer, in_tmp: Path) -> None:
    serve(httpserver, "/big", "rss2.xml")
    subscribe_all(httpserver, "big")
    code, _, err = run("refresh", "--max-size", "200")
    assert code == 1
    assert "reader: big: response too large (over 200 bytes)" in err
    assert "Spring tides explained" not in titles()


def test_an_oversized_response_without_a_length_is_cut_off(
    httpserver: HTTPServer, in_tmp: Path
) -> None:
    def stream(request: Request) -> Response:
        # A generator: sent chunked, with no Content-Length to refuse it by.
        return Response((b"<rss>" + b" " * 1000 for _ in range(5)), content_type=RSS)

    httpserver.expect_request("/endless").respond_with_handler(stream)
    subscribe_all(httpserver, "endless")
    code, _, err = run("refresh", "--max-size", "2000")
    assert code == 1
    assert "reader: endless: response too large (over 2000 bytes)" in err


def test_a_malformed_feed_is_recovered_and_named(httpserver: HTTPServer, in_tmp: Path) -> None:
    serve(httpserver, "/pipes", "malformed.xml")
    subscribe_all(httpserver, "pipes")
    code, _, err = run("refresh")
    assert code == 1
    assert "reader: pipes: malformed feed" in err
    assert "Leaky & joints" in titles()


def test_an_updated_entry_updates_its_post_and_keeps_its_bookmark(httpserver: HTTPServer) -> None:
    serve(httpserver, "/tide.xml", "rss2.xml")
    run("add", httpserver.url_for("/tide.xml"))
    _, out, _ = run("list", "--json")
    (slug,) = [p["slug"] for p in json.loads(out) if p["title"] == "Spring tides explained"]
    assert run("bookmark", slug, "--note", "keep")[0] == 0
    httpserver.clear()
    changed = feed_bytes("rss2.xml").replace(b"Spring tides explained", b"Spring tides, revised")
    httpserver.expect_request("/tide.xml").respond_with_data(changed, content_type=RSS)
    code, out, _ = run("refresh", "Tide Notes")
    assert code == 0
    assert out.strip() == "0 new, 1 updated, 0 feeds with errors"
    _, marks, _ = run("bookmarks")
    assert f"{slug}\tSpring tides, revised" in marks
    assert "keep" in marks


def test_unsubscribe_removes_posts_and_keeps_bookmarks_as_missing(httpserver: HTTPServer) -> None:
    serve(httpserver, "/tide.xml", "rss2.xml")
    run("add", httpserver.url_for("/tide.xml"))
    _, out, _ = run("list", "--json")
    slug = next(p["slug"] for p in json.loads(out) if p["title"] == "Spring tides explained")
    run("bookmark", slug)
    code, out, _ = run("unsubscribe", "Tide Notes")
    assert code == 0
    assert "2 posts removed" in out
    assert subscriptions() == []
    assert "Spring tides explained" not in titles()
    _, marks, _ = run("bookmarks")
    assert "(missing)" in marks


def test_refresh_of_an_unknown_name_is_an_error() -> None:
    code, _, err = run("refresh", "nothing-here")
    assert code == 1
    assert "reader: nothing-here: no such subscription" in err


def test_add_refuses_a_non_http_address() -> None:
    code, _, err = run("add", "file:///etc/passwd")
    assert code == 1
    assert "only http and https" in err


class Stopped(BaseException):
    """The refresh is stopped midway, as by ctrl+c."""


def test_a_refresh_stopped_midway_keeps_what_it_stored_and_the_next_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()

    def slow_tide(request: Request) -> Response:
        release.wait(5)
        return Response(feed_bytes("rss2.xml"), content_type=RSS, headers={"ETag": '"t1"'})

    def kiln(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"k1"':
            return Response(status=304)
        return Response(feed_bytes("atom.xml"), content_type=RSS, headers={"ETag": '"k1"'})

    real = Library.import_groups
    commits: list[object] = []

    def stop_at_the_second(self: Library, groups: list[tuple[list[Path], str]]) -> object:
        commits.append(groups)
        if len(commits) == 2:
            raise Stopped
        stored = real(self, groups)
        release.set()  # the slow feed answers once the fast one is stored
        return stored

    data = tmp_path / "data"
    with threaded_server() as server:
        server.expect_request("/tide.xml").respond_with_handler(slow_tide)
        server.expect_request("/kiln.xml").respond_with_handler(kiln)
        tide, kiln_url = server.url_for("/tide.xml"), server.url_for("/kiln.xml")
        library = Library.open(data, seed=False)
        add_feeds(library, [(tide, ""), (kiln_url, "")])
        monkeypatch.setattr(Library, "import_groups", stop_at_the_second)
        with pytest.raises(Stopped):
            refresh(library)
        monkeypatch.undo()
        # The first commit (the fast feed) is in, with its ETag; the slow feed is not recorded.
        reopened = Library.open(data, seed=False)
        assert [p.title for p in reopened.summaries()] == ["Glaze firing"]
        subs = {s.url: s for s in store_for(reopened).load()}
        assert subs[kiln_url].etag == '"k1"'
        assert subs[tide].etag == ""
        report = refresh(reopened)
        assert report.errors == []
        assert report.not_modified == 1  # the fast feed is not fetched again in full
    titles = sorted(p.title for p in Library.open(data, seed=False).summaries())
    assert titles == ["Glaze firing", "Only a summary", "Spring tides explained"]
