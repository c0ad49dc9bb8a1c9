"""Themes: the bundled clinic theme, overriding one file, the extends chain and its errors."""
import shutil
from pathlib import Path

import lxml.html
import pytest

from generator import config as config_mod
from generator.engine import build
from generator.errors import ProblemError
from generator.theme import BUILTIN_THEMES

ROOT = Path(__file__).resolve().parent.parent


def parse(path: Path):
    return lxml.html.parse(str(path)).getroot()


def tree(site: Path) -> dict[str, bytes]:
    return {f.relative_to(site).as_posix(): f.read_bytes() for f in sorted(site.rglob("*")) if f.is_file()}


def publish(blog) -> None:
    blog.post("p", title="First", tags=["ecg"], summary="About ECGs.")
    blog.approve_twice("p")
    blog.post("q", title="Second", date="2025-02-01")
    blog.approve_twice("q")


def use_theme(blog, name: str) -> None:
    blog.__init__(blog.root, {"theme": name})


def test_clinic_theme_builds_the_sample(tmp_path):
    dest = tmp_path / "sample"
    shutil.copytree(ROOT / "content", dest / "content")
    shutil.copytree(ROOT / "reviews", dest / "reviews")
    text = (ROOT / "site.yaml").read_text(encoding="utf-8")
    assert "\ntheme: default\n" in text
    (dest / "site.yaml").write_text(text.replace("\ntheme: default\n", "\ntheme: clinic\n"), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1793491200")
        report = build.run(config_mod.load(dest / "site.yaml"), build.Options(out=dest / "site", no_cache=True))
    assert report.problems == []
    site = dest / "site"
    home = parse(site / "index.html")
    # clinic's own templates: base.html (extending default's), partials/header.html, index.html
    # Nothing blocks the first paint: default's critical CSS and clinic.css are inlined, in that order,
    # and the other stylesheets load as print media that switch themselves on (issue 16).
    inline = [s.text for s in home.xpath("/html/head/style[not(@media)]")]
    wanted = [(BUILTIN_THEMES / t / "static/css" / f).read_text(encoding="utf-8")
              for t, f in (("default", "critical.css"), ("clinic", "clinic.css"))]
    assert [s for s in inline if s in wanted] == wanted
    blocking = home.xpath("/html/head/link[@rel='stylesheet'][not(@media) or @media='all' or @media='screen']")
    assert blocking == []
    deferred = home.xpath("/html/head/link[@rel='stylesheet'][@media='print'][@data-deferred-css]/@href")
    assert [s.split("?")[0] for s in deferred] == ["/assets/css/main.css", "/assets/css/pygments.css"]
    assert home.xpath("//header[contains(@class, 'clinic-header')]//p[@class='tagline']/text()")
    assert home.xpath("//section[@class='hero']/h1")
    audiences = home.xpath("//section[@class='audiences']//a/@href")
    assert audiences and all(href.startswith("/audience/") for href in audiences)
    # ... and what it inherits from default: post pages, the citation block, the review history.
    post = parse(site / "posts/sepsis-first-hour/index.html")
    assert post.xpath("//article[@class='post']//section[@id='cite']")
    assert post.xpath("//header[contains(@class, 'clinic-header')]")
    assert (site / "posts/sepsis-first-hour/reviews/index.html").is_file()
    for theme, rel in (("default", "css/main.css"), ("clinic", "css/clinic.css")):
        assert (site / "assets" / rel).read_bytes() == (BUILTIN_THEMES / theme / "static" / rel).read_bytes()


def test_overriding_one_template_changes_only_what_uses_it(blog):
    publish(blog)
    assert blog.build(out=blog.root / "plain").problems == []
    blog.write("themes/mine/theme.yaml", "extends: default\n")
    blog.write("themes/mine/templates/partials/share.html", '<p class="my-share">Tell a colleague</p>\n')
    use_theme(blog, "mine")
    assert blog.build(out=blog.root / "mine").problems == []
    plain, mine = tree(blog.root / "plain"), tree(blog.root / "mine")
    assert plain.keys() == mine.keys()
    changed = sorted(path for path in plain if plain[path] != mine[path])
    assert changed == ["posts/p/index.html", "posts/q/index.html"]  # share links appear on post pages only
    for path in changed:
        old, new = parse(blog.root / "plain" / path), parse(blog.root / "mine" / path)
        assert new.xpath("//p[@class='my-share']/text()") == ["Tell a colleague"]
        assert old.xpath("//nav[@class='share']") and not new.xpath("//nav[@class='share']")
        for page, selector in ((old, "//nav[@class='share']"), (new, "//p[@class='my-share']")):
            for el in page.xpath(selector):
                el.drop_tree()
        assert lxml.html.tostring(old) == lxml.html.tostring(new)


def test_overriding_a_static_file_replaces_it_and_keeps_the_rest(blog):
    publish(blog)
    blog.write("themes/mine/theme.yaml", "extends: default\n")
    blog.write("themes/mine/static/css/print.css", "body { color: #000; }\n")
    blog.write("themes/mine/static/css/extra.css", ".extra { color: red; }\n")
    use_theme(blog, "mine")
    assert blog.build().problems == []
    assets = blog.root / "site/assets"
    default = BUILTIN_THEMES / "default/static"
    assert (assets / "css/print.css").read_text() == "body { color: #000; }\n"
    assert (assets / "css/extra.css").is_file()
    for rel in ("css/main.css", "js/site.js", "favicon.svg"):
        assert (assets / rel).read_bytes() == (default / rel).read_bytes()
    # Pages link the override under a new fingerprint, so browsers fetch it afresh.
    home = parse(blog.root / "site/index.html")
    print_href = home.xpath("//link[@media='print'][not(@data-deferred-css)]/@href")[0]
    assert print_href.startswith("/assets/css/print.css?v=") and len(print_href.split("=")[1]) == 10


def test_a_theme_can_extend_a_theme_that_extends_another(blog):
    publish(blog)
    blog.write("themes/mine/theme.yaml", "extends: clinic\n")
    blog.write("themes/mine/templates/partials/footer.html", '<footer class="my-footer">Mine</footer>\n')
    use_theme(blog, "mine")
    assert blog.build().problems == []
    home = parse(blog.root / "site/index.html")
    assert home.xpath("//footer[@class='my-footer']/text()") == ["Mine"]  # mine
    assert home.xpath("//section[@class='hero']")  # clinic
    assert home.xpath("//a[@class='skip-link']")  # default


def test_circular_extends_is_a_clear_error(blog):
    publish(blog)
    blog.write("themes/a/theme.yaml", "extends: b\n")
    blog.write("themes/b/theme.yaml", "extends: a\n")
    use_theme(blog, "a")
    report = blog.build()
    assert [(p.path, p.message) for p in report.problems] == [
        ("themes/b/theme.yaml", "circular theme inheritance: a → b → a")]
    assert not (blog.root / "site").exists()


def line_of(path: Path, text: str) -> int:
    return path.read_text(encoding="utf-8").splitlines().index(text) + 1


def test_missing_theme_is_a_config_error_with_its_line(blog):
    publish(blog)
    use_theme(blog, "nope")
    with pytest.raises(ProblemError) as caught:
        blog.config()
    assert [(p.path, p.line, p.message, p.hint) for p in caught.value.problems] == [
        ("site.yaml", line_of(blog.root / "site.yaml", "theme: nope"), "theme 'nope' not found in themes/",
         "use one of: clinic, default")]


def test_missing_theme_is_reported_with_the_other_config_errors(blog):
    """It used to surface only once everything else was fixed, and without a line."""
    blog.__init__(blog.root, {"theme": "nope", "citation": {"styles": ["no-such-style"]}})
    blog.post("p", authors=["jdoe"])  # a content error: not reached while site.yaml is wrong
    with pytest.raises(ProblemError) as caught:
        blog.config()
    site = blog.root / "site.yaml"
    assert sorted((p.line, p.message) for p in caught.value.problems) == sorted([
        (line_of(site, "theme: nope"), "theme 'nope' not found in themes/"),
        (line_of(site, "  - no-such-style"), "unknown citation style 'no-such-style'")])


def test_a_site_theme_is_found_beside_the_builtin_ones(blog):
    blog.write("themes/mine/theme.yaml", "extends: default\n")
    use_theme(blog, "mine")
    assert blog.config().theme == "mine"


def test_missing_parent_theme_names_the_theme_yaml(blog):
    publish(blog)
    blog.write("themes/a/theme.yaml", "extends: nowhere\n")
    use_theme(blog, "a")
    report = blog.build()
    assert [(p.path, p.message) for p in report.problems] == [
        ("themes/a/theme.yaml", "theme 'nowhere' not found in themes/")]


def test_template_syntax_error_names_file_and_line(blog):
    publish(blog)
    blog.write("themes/mine/theme.yaml", "extends: default\n")
    blog.write("themes/mine/templates/partials/share.html", "<p>\nShare\n{{ post.title | }}\n</p>\n")
    use_theme(blog, "mine")
    report = blog.build()
    assert len(report.problems) == 1
    problem = report.problems[0]
    assert (problem.path, problem.line, problem.severity) == ("themes/mine/templates/partials/share.html", 3, "error")
    assert problem.message.startswith("template syntax error:")
    assert not (blog.root / "site").exists()


def test_template_runtime_error_names_file_and_line(blog):
    publish(blog)
    blog.write("themes/mine/theme.yaml", "extends: default\n")
    blog.write("themes/mine/templates/partials/share.html", "<p>\n{{ post.no_such_field }}\n</p>\n")
    use_theme(blog, "mine")
    report = blog.build()
    assert len(report.problems) == 1
    problem = report.problems[0]
    assert (problem.path, problem.line) == ("themes/mine/templates/partials/share.html", 2)
    assert "no_such_field" in problem.message
