"""Markup people write that is not Markdown, as stored at import: HTML blocks, shortcodes, Liquid.

What the user sees is the body `reader show` prints (the body the store keeps,
which the search index and snippets are made from). Inside code everything
stays exactly as written.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import cli
from reader.library import Library
from reader.markup import normalize_markup
from reader.parsing import parse_markdown

MARKUP = Path(__file__).parent / "data" / "markup"


def show(slug: str) -> str:
    result = CliRunner().invoke(cli, ["show", slug])
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.fixture
def imported(isolated_data_dir: Path) -> Library:
    library = Library.open(isolated_data_dir, seed=False)
    report = library.import_paths([MARKUP])
    assert report.ok, report.problems
    return library


def test_hugo_shortcodes_outside_code_show_what_they_wrap(imported: Library) -> None:
    out = show("hugo-shortcodes")
    assert "{{<" not in out.split("```go-html-template")[0].replace("{{< alert >}} to show", "")
    assert "Intro with an icon, and a [reference](docs/install#requirements)." in out
    # Box shortcodes become callouts, which the reader draws as boxes.
    assert "\n> [!note]\n> Alerts keep their **text**.\n" in out
    assert "\n> [!note]\n> Percent shortcodes keep theirs.\n" in out
    assert '```go\nfunc main() {\n    fmt.Println("hello")\n}\n```' in out
    # An escaped shortcode is shown as Hugo prints it.
    assert "Write {{< alert >}} to show an alert." in out


def test_hugo_shortcodes_inside_code_stay_exactly_as_written(imported: Library) -> None:
    out = show("hugo-shortcodes")
    assert (
        "```go-html-template\n{{< alert >}}Inside code this stays{{< /alert >}}\n"
        "{{ .Site.Title }}\n```" in out
    )
    assert '    {{< figure src="indented.png" >}} stays too' in out
    assert 'And `{{< icon "x" >}}` in a code span stays.' in out


def test_liquid_tags_become_what_the_site_shows(imported: Library) -> None:
    out = show("liquid-and-html")
    assert "Read the [guide](/guides/start/) first.\n" in out  # baseurl and IAL gone
    assert '```ruby\nputs "hello"\n```' in out
    assert "Templates use {{ page.title }} here." in out  # raw keeps its content
    assert "\nAfter the include.\n" in out and "include" not in out.split("After")[0]
    assert "```liquid\n{% if user %}{{ site.baseurl }}{% endif %}\n```" in out


def test_html_blocks_become_markdown_and_keep_their_text(imported: Library) -> None:
    out = show("liquid-and-html")
    assert "**Click to expand**" in out and "Hidden **details** inside." in out
    assert "| Fruit | Count |\n| --- | --- |\n| Pears | 12 |" in out
    assert "![A lantern](https://example.com/lantern.png)" in out
    assert "[Lantern video](https://www.youtube.com/embed/abc)" in out
    blocks = out.split("A demo:")[0]  # inline HTML after it is the reader's to draw
    for gone in ("<details", "<summary", "<table", "<div", "<img", "<iframe", "<!--"):
        assert gone not in blocks
    assert "alert(" not in out and "color: red" not in out
    assert "\n\n\n" not in out  # what went leaves one blank line, not many


def test_obsidian_comments_go_outside_code_only(imported: Library) -> None:
    out = show("garden-index")
    assert "private comment" not in out
    assert "```markdown\n%% comments in code stay %% and [[Links In Code]] too\n```" in out
    assert "`%% kept %%`" in out


def test_the_search_index_holds_the_text_not_the_markup(imported: Library) -> None:
    assert [hit.slug for hit in imported.search("private").hits] == []
    assert [hit.slug for hit in imported.search("percent shortcodes").hits] == ["hugo-shortcodes"]
    assert "liquid-and-html" in [hit.slug for hit in imported.search("lantern video").hits]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("a {{< icon github >}} b", "a b"),
        (
            '{{< youtube "ZJthWmvUzzc" >}}',
            "[YouTube video](https://www.youtube.com/watch?v=ZJthWmvUzzc)",
        ),
        ("{{< gist jp a87 >}}", "[Gist](https://gist.github.com/jp/a87)"),
        ('{{< tweet user="jp" id="12" >}}', "[Post on X](https://x.com/jp/status/12)"),
        ("{{< vimeo >}}", ""),
        ('{{< figure src="x.png" caption="A cat" >}}', "![A cat](x.png)"),
        ('[x]({{< relref "/docs/y" >}})', "[x](/docs/y)"),
        ("{{% /* notice */ %}}", "{{% notice %}}"),
        ('{{ "/img/a.png" | relative_url }}', "/img/a.png"),
        ("{% comment %}secret{% endcomment %}visible", "visible"),
        ('{{ resize_image(path="a.jpg", width=5) }}', "![](a.jpg)"),
        ('{% admonition(type="tip") %}\nZola body\n{% end %}', "> [!tip]\n> Zola body\n"),
        (
            "{% admonition(type='warning', title='Mind') %}\n```\n{% end %}\n```\n{% end %}",
            "> [!warning] Mind\n> ```\n> {% end %}\n> ```\n",
        ),
        ("{{% notice tip %}}\nLearn\n{{% /notice %}}", "> [!tip]\n> Learn\n"),
        (
            "- item\n\n    {{< alert >}}\n    In a list\n    {{< /alert >}}",
            "- item\n\n    In a list\n",
        ),
        ('{% aside(position="right") %}\nZola aside\n{% end %}', "\nZola aside\n"),
        ("{% mermaid() %}\ngraph TD\n  A --> B\n{% end %}", "```mermaid\ngraph TD\n  A --> B\n```"),
        (
            "Zola prints {{/* f(a=1) */}} and {%/* end */%}",
            "Zola prints {{ f(a=1) }} and {% end %}",
        ),
        ('{{ image_toggler(default_src="d.webp", default_alt="Day") }}', "![Day](d.webp)"),
        (
            '{{ admonition(type="warning", title="Mind", text="Say \\"hi\\" `x`") }}',
            '> [!warning] Mind\n> Say "hi" `x`',
        ),
        ('A {{ admonition(text="kept text") }} inline', "A kept text inline"),
        ("%%\nhidden\nlines\n%%\nshown", "\nshown"),
        ("100%% sure", "100%% sure"),
        ("a {: .note } b", "a b"),
        ("Text here. ^8cdfd9\n\n^image-id\n\n2 ^ 3 and x^2", "Text here.\n\n2 ^ 3 and x^2"),
        ("## Pausing[[pause]]\n\n## See [[Note]]", "## Pausing\n\n## See [[Note]]"),
        ("```\ncode ^abc\n## H[[x]]\n```", "```\ncode ^abc\n## H[[x]]\n```"),
        ("{% raw %}{{ a }}{% endraw %} {{ b }}", "{{ a }} "),
        ("``{{< x >}}`` and ` {% y %} `", "``{{< x >}}`` and ` {% y %} `"),
    ],
)
def test_template_tags(source: str, expected: str) -> None:
    assert normalize_markup(source) == expected


def test_an_obsidian_comment_hides_the_html_and_code_it_spans() -> None:
    source = "%%\n<iframe src='#x'></iframe>\n%%\n\nshown\n\n%%\n```\ncode\n```\n%%\nend %% lone"
    assert normalize_markup(source) == "\nshown\n\nend %% lone"


def test_liquid_highlight_in_an_indented_code_example_stays() -> None:
    source = "Example:\n\n    {% highlight ruby %}\n    puts 1\n    {% endhighlight %}\n"
    assert normalize_markup(source) == source


def test_html_inside_a_fence_and_a_body_without_markup_are_untouched() -> None:
    source = "```html\n<details><summary>x</summary></details>\n<!-- c -->\n```\n"
    assert normalize_markup(source) == source
    plain = "Just text with a < b and 50% off.\n"
    assert normalize_markup(plain) is plain


def test_headings_are_read_after_the_markup_is_gone() -> None:
    parsed = parse_markdown(
        "---\ntitle: T\n---\n<h2>Setup</h2>\n\n{{< alert >}}\n## Inside\n{{< /alert >}}\n"
    )
    assert [s.heading for s in parsed.sections] == ["Setup", "Inside"]
    assert parsed.body.startswith("## Setup\n")


def test_html_made_markdown_carries_no_control_characters_or_markup() -> None:
    parsed = parse_markdown("# T\n\n<div>&#27;[31m red &#x9b;2J [bold]x[/bold]</div>\n")
    assert "red" in parsed.body and "[bold]x[/bold]" in parsed.body
    assert not any((ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) < 0xA0 for c in parsed.body)
