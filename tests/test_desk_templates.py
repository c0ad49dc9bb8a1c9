"""The pull-request and issue templates generated from site.yaml, and the rubric scores a reviewer
writes in a GitHub review, both ways: template → filled-in review (GitHub's published
pull_request_review example) → `review import` → the record's `scores:` → `check`."""
from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
import pytest
import yaml
from markdown_it import MarkdownIt

from generator import config as config_mod, importers
from generator.cli import main
from generator.desk import scores, templates
from generator.frontmatter import read_text, split
from generator.model import Rubric
from tests.gitutil import commit, git, git_env, init  # noqa: F401 - git_env is a fixture
from tests.sitebuilder import SiteBuilder

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "github"
RUBRIC = {"name": "Quality checklist", "scale": [0, 3], "scale_labels": ["Not at all", "Slightly", "Mostly", "Fully"],
          "items": {"accuracy": {"label": "Accuracy", "description": "Consistent with the evidence."},
                    "writing": {"label": "Writing and formatting", "description": "Clear | well formatted."},
                    "referencing": {"label": "Referencing"}}}


def test_the_sample_blogs_templates_are_current():
    """The committed copies in .github/ are what `peerpress templates` makes from site.yaml."""
    cfg = config_mod.load(ROOT / "site.yaml")
    for name, text in templates.render_all(cfg).items():
        assert (ROOT / ".github" / name).read_text(encoding="utf-8") == text, f"run 'peerpress templates' ({name})"
    assert main(["templates", "--check", "--config", str(ROOT / "site.yaml")]) == 0


def test_templates_follow_the_rubric_and_check_finds_them_stale(tmp_path, capsys):
    blog = SiteBuilder(tmp_path / "blog", {"review": {"rubric": RUBRIC, "approvals_required": 1}})
    cfg = str(blog.root / "site.yaml")
    assert main(["templates", "--check", "--config", cfg]) == 1
    assert capsys.readouterr().err.count("missing (run 'peerpress templates' and commit the result)") == 3
    assert main(["templates", "--config", cfg]) == 0
    checklist = (blog.root / ".github" / templates.REVIEWER).read_text(encoding="utf-8")
    front, body = checklist.split("---\n", 2)[1:]
    assert yaml.safe_load(front) == {"name": "Reviewer checklist", "labels": "review",
                                     "about": "The review form for a post: copy it into your pull-request review"}
    html = MarkdownIt("commonmark").enable("table").render(body)
    doc = lxml.html.fragment_fromstring(html, create_parent="div")
    rows = [[" ".join(td.text_content().split()) for td in tr.xpath("td")] for tr in doc.iter("tr")][1:]
    assert rows == [["accuracy", "Accuracy: Consistent with the evidence."],
                    ["writing", "Writing and formatting: Clear | well formatted."], ["referencing", "Referencing:"]]
    [scores_list] = doc.xpath("//h3[.='Scores']/following-sibling::ul[1]")
    assert [li.text_content() for li in scores_list.iter("li")] == ["accuracy: _/3", "writing: _/3", "referencing: _/3"]
    pull = (blog.root / ".github" / templates.PULL_REQUEST).read_text(encoding="utf-8")
    checks = re.findall(r"^- \[ \] \*\*(\w[\w ]*)\*\*", pull, re.M)
    assert checks == ["Licence", "References", "Objectives", "Competing interests", "People", "Check"]
    assert "needs 1 approval of its current text" in pull
    assert "CC-BY-4.0 (https://creativecommons.org/licenses/by/4.0/)" in pull
    # a rubric change makes the committed copies stale
    blog.write("site.yaml", (blog.root / "site.yaml").read_text(encoding="utf-8").replace("Referencing", "Sources"))
    assert main(["templates", "--check", "--config", cfg]) == 1
    assert capsys.readouterr().err.strip().endswith(
        "reviewer-checklist.md: error: out of date with site.yaml (run 'peerpress templates' and commit the result)")


def rubric() -> Rubric:
    return Rubric(items=(("accuracy", "Accuracy", ""), ("writing", "Writing and formatting", ""),
                         ("referencing", "Referencing", "")), scale_min=0, scale_max=3)


@pytest.mark.parametrize(("body", "expected", "notices"), [
    ("### Scores\n- accuracy: 3/3\n- writing: 2/3\n- referencing: 0/3\n",
     {"accuracy": 3, "writing": 2, "referencing": 0}, []),
    ("Great.\r\n\r\n**Scores**\r\n\r\n* Accuracy: 3\r\n* Writing and Formatting: **2** / 3\r\n",
     {"accuracy": 3, "writing": 2}, []),
    ("## scores:\n<!-- hint -->\n- [x] accuracy: 1/3 (one dose is wrong)\n\n## Report\n- writing: 3/3\n",
     {"accuracy": 1}, []),
    ("No scores at all.\n- accuracy: 3/3\n", {}, []),
    ("### Scores\n- accuracy: _/3\n- writing: 4/3\n- clarity: 2/3\n- referencing: two\n- accuracy: 2/3\n"
     "- writing: 2/5\n- just words\n",
     {"accuracy": 2},
     ["scores: left out 'accuracy: _/3': no score given",
      "scores: left out 'writing: 4/3': scores are whole numbers from 0 to 3",
      "scores: left out 'clarity: 2/3': the rubric has no item 'clarity' (one of: accuracy, writing, referencing)",
      "scores: left out 'referencing: two': scores are whole numbers from 0 to 3",
      "scores: left out 'writing: 2/5': this rubric scores out of 3",
      "scores: left out 'just words': not 'item: N/3'"]),
    ("### Scores\n- accuracy: 3/3\n- Accuracy: 1/3\n", {"accuracy": 3},
     ["scores: left out 'Accuracy: 1/3': 'accuracy' is scored twice (the first one is kept)"]),
])
def test_scores_are_read_from_the_review_text(body, expected, notices):
    assert scores.parse(body, rubric()) == (expected, notices)


def test_without_a_rubric_nothing_is_read():
    assert scores.parse("### Scores\n- accuracy: 3/3\n", None) == ({}, [])


@pytest.fixture
def rubric_pr(tmp_path, git_env):  # noqa: F811 - the fixture imported above
    blog = SiteBuilder(tmp_path / "blog", {"review": {"rubric": RUBRIC}})
    init(blog.root)
    blog.post("asthma", body="Asthma.\n")
    base = commit(blog.root, "main", "2019-05-01T09:00:00+00:00")
    git(blog.root, "checkout", "-q", "-b", "chest-pain")
    blog.post("chest-pain", body="Chest pain: take a history.\n")
    head = commit(blog.root, "Submit", "2019-05-02T09:00:00+00:00")
    return blog, base, head


def review_event(tmp_path: Path, body: str, base: str, head: str) -> Path:
    """GitHub's example pull_request_review payload: Rita approves `head` with `body`."""
    data = json.loads((FIXTURES / "pull_request_review.submitted.json").read_text(encoding="utf-8"))
    data["review"].update(body=body, state="approved", commit_id=head)
    data["review"]["user"]["login"] = "rita-gh"
    data["pull_request"]["base"]["sha"], data["pull_request"]["head"]["sha"] = base, head
    out = tmp_path / "event.json"
    out.write_text(json.dumps(data), encoding="utf-8")
    return out


def test_template_to_review_to_record_scores(rubric_pr, tmp_path):
    """The checklist as a reviewer pastes and fills it in becomes a record with those scores,
    which `check` accepts; a line they got wrong is left out with a notice, never a failure."""
    blog, base, head = rubric_pr
    cfg = blog.config()
    checklist = templates.reviewer_checklist(cfg)
    filled = (checklist.replace("- accuracy: _/3", "- accuracy: 3/3").replace("- writing: _/3", "- writing: 2/3")
              .replace("- referencing: _/3", "- referencing: 5/3")
              + "The doses are right; the history-taking table is clear.\n")
    result = importers.github_event(cfg, review_event(tmp_path, filled, base, head))
    [path] = result.written
    text, _ = read_text(path, path.name)
    data = split(text, path.name)[0].doc.data
    assert data["scores"] == {"accuracy": 3, "writing": 2}
    assert data["competing_interests"] == "none"
    assert [p.message for p in result.problems] == [
        "the review by 'rita-gh': scores: left out 'referencing: 5/3': scores are whole numbers from 0 to 3"]
    assert [p.severity for p in result.problems] == ["warning"]
    assert main(["check", "--config", str(cfg.path)]) == 0


def test_an_untouched_template_records_no_scores(rubric_pr, tmp_path):
    blog, base, head = rubric_pr
    cfg = blog.config()
    result = importers.github_event(cfg, review_event(tmp_path, templates.reviewer_checklist(cfg) + "Fine.\n",
                                                      base, head))
    [path] = result.written
    text, _ = read_text(path, path.name)
    assert "scores" not in split(text, path.name)[0].doc.data
    assert len(result.problems) == 3 and all(p.message.endswith("no score given") for p in result.problems)


def test_the_sample_blogs_checklist_round_trips():
    """The committed reviewer checklist of the sample blog, filled in, gives one score per item."""
    cfg = config_mod.load(ROOT / "site.yaml")
    text = (ROOT / ".github" / templates.REVIEWER).read_text(encoding="utf-8")
    filled = re.sub(r"^- (\w+): _/3$", r"- \1: 2/3", text, flags=re.M)
    assert scores.parse(filled, cfg.review.rubric) == ({k: 2 for k, _, _ in cfg.review.rubric.items}, [])
