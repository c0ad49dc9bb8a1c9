"""Deterministic benchmark corpus: one set of posts written out as a Peerpress, Hugo and Pelican site.

Post i is the same in every corpus size (it is seeded by (seed, i)), so N=1,000 is a prefix of
N=5,000. Each post has ~900 words, 3-5 `##` headings, a list, a GFM table, a footnote, a fenced
Python block and two citations. Peerpress gets `[@keyN]` citations and a shared BibTeX file;
Hugo and Pelican get the same text with the citations already rendered as plain text and a
References section, since neither formats citations out of the box.

    python bench/corpus.py --n 200 --out bench/work/corpus-200   # write one corpus by hand
"""
from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
REF_TEMPLATES = BENCH / "ref"

N_AUTHORS = 20
N_REVIEWERS = 12  # the first 12 people are authors and reviewers
N_TAGS = 50
N_REFS = 300
LAST_DATE = date(2025, 6, 30)  # post i is dated i days before this; never in the future
EDIT_DATE = date(2025, 9, 1)  # edits (bench rebuilds) are committed after every review
SITE_TITLE = "Peerpress Bench"
SITE_DESCRIPTION = "A synthetic peer-reviewed medical-education blog for benchmarking."
BASE_URL = "https://bench.example.org/"
PER_PAGE = 10
FEED_ITEMS = 20  # Hugo and Pelican; Peerpress uses its own default
# The shared bibliography, as site.yaml's citation.bibliography names it (relative to site.yaml).
PEERPRESS_BIBLIOGRAPHY = "content/bibliography.bib"

# --- vocabulary -------------------------------------------------------------------------------

GIVEN = ["Amara", "Jan", "Sofia", "Mei", "Rahul", "Helen", "Kwame", "Isabel", "Margaret", "Tomas",
         "Aisha", "Lukas", "Priya", "Diego", "Hannah", "Yusuf", "Chloe", "Kenji", "Fatima", "Oscar"]
FAMILY = ["Okafor", "van der Berg", "Nunez", "Chen", "Mehta", "Strand", "Asante", "Fernandes",
          "Lowe", "Novak", "Rahman", "Fischer", "Iyer", "Morales", "Becker", "Demir", "Dubois",
          "Tanaka", "Haddad", "Lindqvist"]
TAGS = ["sepsis", "cardiology", "ecg", "toxicology", "paediatrics", "trauma", "airway",
        "resuscitation", "ultrasound", "neurology", "stroke", "respiratory", "asthma", "copd",
        "pulmonary-embolism", "endocrinology", "diabetes", "renal", "electrolytes", "haematology",
        "infectious-disease", "antimicrobials", "obstetrics", "geriatrics", "delirium", "pain",
        "analgesia", "sedation", "procedures", "radiology", "orthopaedics", "burns", "wound-care",
        "mental-health", "ethics", "communication", "handover", "teamwork", "simulation",
        "feedback", "assessment", "curriculum", "wellbeing", "quality-improvement",
        "patient-safety", "evidence-based-medicine", "statistics", "pharmacology",
        "critical-care", "global-health"]
CONDITIONS = ["sepsis", "anaphylaxis", "diabetic ketoacidosis", "pulmonary embolism", "acute asthma",
              "atrial fibrillation", "hyperkalaemia", "subarachnoid haemorrhage", "status epilepticus",
              "paracetamol overdose", "community-acquired pneumonia", "acute kidney injury",
              "upper gastrointestinal bleeding", "hip fracture", "bronchiolitis", "pre-eclampsia",
              "delirium", "heart failure", "ischaemic stroke", "tension pneumothorax"]
SETTINGS = ["emergency department", "resuscitation room", "acute medical unit", "intensive care unit",
            "paediatric ward", "rural clinic", "ambulance", "night shift", "simulation suite"]
ROLES = ["junior doctor", "registrar", "nurse practitioner", "paramedic", "medical student",
         "consultant", "charge nurse", "pharmacist", "resident", "clinical educator"]
TESTS = ["serum lactate", "high-sensitivity troponin", "D-dimer", "venous blood gas",
         "point-of-care ultrasound", "12-lead ECG", "chest radiograph", "capillary glucose",
         "procalcitonin", "CT pulmonary angiogram", "urine dipstick", "serum potassium"]
DRUGS = ["intramuscular adrenaline", "broad-spectrum antibiotics", "nebulised salbutamol",
         "intravenous fluids", "tranexamic acid", "calcium gluconate", "N-acetylcysteine",
         "low-molecular-weight heparin", "magnesium sulphate", "fixed-rate insulin",
         "oral dexamethasone", "intravenous lorazepam"]
EDU = ["simulation session", "morning handover", "case-based discussion", "journal club",
       "structured debrief", "workplace-based assessment", "teaching ward round", "podcast episode",
       "bedside tutorial", "morbidity and mortality meeting"]
SKILLS = ["early recognition", "structured reassessment", "closed-loop communication",
          "shared decision-making", "risk stratification", "escalation planning",
          "clinical reasoning", "safe prescribing", "task prioritisation", "situational awareness"]
ADJS = ["pragmatic", "stepwise", "protocolised", "team-based", "evidence-informed", "structured",
        "patient-centred", "time-critical", "conservative", "multidisciplinary"]
OUTCOMES = ["avoidable deterioration", "delayed treatment", "unplanned admission", "diagnostic error",
            "prolonged length of stay", "readmission within thirty days", "medication error"]
EVIDENCE = ["limited", "mixed", "reassuring", "largely observational", "growing", "robust",
            "contested", "based on small trials"]
SENTENCES = [
    "{Role}s managing {condition} in the {setting} should check the {test} before {drug} is started.",
    "A {adj} approach to {condition} starts with the {test} and a clear plan for {skill}.",
    "In our {edu}, {role}s often requested the {test} late when {condition} presented atypically.",
    "Consider {drug} early if the {test} suggests {condition}, and discuss the plan with the {role}.",
    "During the {edu}, learners practised {skill} for patients with {condition}.",
    "The evidence for {drug} in {condition} is {evidence}, so local guidelines still vary.",
    "Feedback after the {edu} should focus on {skill} rather than on memorising thresholds.",
    "{Condition} remains a common cause of {outcome} in the {setting}.",
    "A normal {test} does not exclude {condition}, especially early in the presentation.",
    "We ask every {role} to name one barrier to {skill} at the end of the {edu}.",
    "Most errors we reviewed came from gaps in {skill}, not from a lack of knowledge about {condition}.",
    "Repeat the {test} after {drug} and document the response in the notes.",
    "When the {setting} is busy, a {adj} checklist protects {skill} for the sickest patients.",
    "Trainees rated the {edu} highly, although {skill} improved less than we hoped.",
    "If {condition} is likely, the {role} should escalate early and avoid {outcome}.",
    "Teaching {condition} well means showing how the {test} changes the next decision.",
    "Senior review within the first hour reduced {outcome} in our small audit.",
    "The {role} is often the first to notice that a patient with {condition} is getting worse.",
]
HEADINGS = ["Why {condition} matters", "Recognising {condition}", "Initial assessment",
            "Investigations in the first hour", "Management", "Common pitfalls", "Teaching points",
            "Disposition and follow-up", "What the evidence says", "Debriefing the case",
            "Escalation and handover", "Special populations"]
TITLES = ["{Condition} in the {setting}: a {adj} guide", "Teaching {skill} with {condition}",
          "Five pitfalls in {condition}", "When the {test} misleads: {condition}",
          "{Drug} for {condition}: what the evidence says", "A {adj} approach to {condition}",
          "{Condition} for the new {role}", "Debriefing a case of {condition}"]
JOURNALS = ["Emergency Medicine Journal", "Medical Education", "Academic Emergency Medicine",
            "BMJ Open", "Resuscitation", "Annals of Emergency Medicine", "Medical Teacher",
            "Critical Care", "Clinical Teacher", "Simulation in Healthcare"]
CODE = [
    ('def shock_index(heart_rate: int, systolic_bp: int) -> float:\n'
     '    """Heart rate divided by systolic pressure; above {t} suggests occult shock."""\n'
     '    return round(heart_rate / systolic_bp, 2)\n\n\n'
     'for hr, sbp in [({a}, {b}), ({c}, {d})]:\n'
     '    flag = "review" if shock_index(hr, sbp) > {t} else "ok"\n'
     '    print(f"HR {{hr}} / SBP {{sbp}}: {{shock_index(hr, sbp)}} ({{flag}})")'),
    ('QSOFA_ITEMS = ("resp_rate >= 22", "altered_mentation", "systolic_bp <= 100")\n\n\n'
     'def qsofa(resp_rate: int, gcs: int, systolic_bp: int) -> int:\n'
     '    score = int(resp_rate >= 22) + int(gcs < 15) + int(systolic_bp <= 100)\n'
     '    return score\n\n\n'
     'print(qsofa({a}, {g}, {b}))  # {t} or more: think sepsis, escalate'),
    ('import statistics\n\n'
     'scores = [{a}, {b}, {c}, {d}, {g}]  # debrief checklist scores, one per session\n'
     'mean = statistics.mean(scores)\n'
     'spread = statistics.stdev(scores)\n'
     'print(f"mean {{mean:.1f}}, sd {{spread:.1f}}, target {t}")'),
    ('def corrected_calcium(calcium: float, albumin: float) -> float:\n'
     '    """Adjust total calcium (mmol/L) for albumin (g/L)."""\n'
     '    return round(calcium + 0.02 * (40 - albumin), 2)\n\n\n'
     'print(corrected_calcium(2.{a}, {c}))\n'
     'print(corrected_calcium(2.{b}, {d}))  # above 2.{t} needs a repeat'),
]


@dataclass
class Person:
    id: str
    name: str
    given: str
    family: str
    reviewer: bool


@dataclass
class Ref:
    key: str
    authors: list[tuple[str, str]]  # (family, given)
    year: int
    title: str
    journal: str
    volume: int
    pages: str
    doi: str

    def cite(self) -> str:
        lead = self.authors[0][0]
        return f"({lead} et al., {self.year})" if len(self.authors) > 2 else \
            f"({' and '.join(a[0] for a in self.authors)}, {self.year})"

    def entry(self) -> str:
        names = ", ".join(f"{f} {g[0]}" for f, g in self.authors)
        return (f"{names}. {self.title}. *{self.journal}*. {self.year};{self.volume}:{self.pages}. "
                f"doi:{self.doi}")

    def bibtex(self) -> str:
        names = " and ".join(f"{{{f}}}, {g}" for f, g in self.authors)
        return (f"@article{{{self.key},\n  author = {{{names}}},\n  title = {{{self.title}}},\n"
                f"  journal = {{{self.journal}}},\n  year = {{{self.year}}},\n"
                f"  volume = {{{self.volume}}},\n  pages = {{{self.pages}}},\n"
                f"  doi = {{{self.doi}}}\n}}\n")


@dataclass
class Post:
    id: str
    title: str
    date: date
    authors: list[str]
    tags: list[str]
    summary: str
    body: str  # Markdown with [@keyN] citations
    refs: list[str]
    reviewers: list[str]
    words: int = 0


@dataclass
class Corpus:
    people: list[Person]
    refs: dict[str, Ref]
    posts: list[Post] = field(default_factory=list)


# --- generation -------------------------------------------------------------------------------

def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def make_people() -> list[Person]:
    people = []
    for i in range(N_AUTHORS):
        given, family = GIVEN[i], FAMILY[i]
        people.append(Person(slugify(f"{given} {family}"), f"{given} {family}", given, family,
                             reviewer=i < N_REVIEWERS))
    return people


def make_refs(seed: int) -> dict[str, Ref]:
    rng = random.Random(f"{seed}:refs")
    refs = {}
    for k in range(1, N_REFS + 1):
        authors = [(rng.choice(FAMILY), rng.choice(GIVEN)) for _ in range(rng.randint(1, 5))]
        title = fill(rng, rng.choice(TITLES)).rstrip(".")
        first = rng.randint(1, 900)
        refs[f"key{k}"] = Ref(f"key{k}", authors, rng.randint(1995, 2024), title,
                              rng.choice(JOURNALS), rng.randint(1, 60),
                              f"{first}-{first + rng.randint(4, 15)}", f"10.5555/bench.{k}")
    return refs


def fill(rng: random.Random, template: str) -> str:
    def pick(m: re.Match) -> str:
        name = m.group(1)
        words = {"condition": CONDITIONS, "setting": SETTINGS, "role": ROLES, "test": TESTS,
                 "drug": DRUGS, "edu": EDU, "skill": SKILLS, "adj": ADJS, "outcome": OUTCOMES,
                 "evidence": EVIDENCE}[name.lower()]
        word = rng.choice(words)
        return word[0].upper() + word[1:] if name[0].isupper() else word
    text = re.sub(r"\{(\w+)\}", pick, template)
    return re.sub(r"\b([Aa]) (?=[aeiouAEIOU])", r"\1n ", text)  # a/an


def paragraph(rng: random.Random, sentences: int, cite: str = "", note: bool = False) -> str:
    parts = [fill(rng, rng.choice(SENTENCES)) for _ in range(sentences)]
    if cite:
        parts[0] = parts[0][:-1] + f" [@{cite}]."
    if note:
        parts[-1] = parts[-1][:-1] + "[^1]."
    return " ".join(parts)


def make_post(i: int, seed: int, people: list[Person]) -> Post:
    rng = random.Random(f"{seed}:post:{i}")
    title = fill(rng, rng.choice(TITLES))
    pid = f"{slugify(title)[:48].rstrip('-')}-{i:05d}"
    authors = rng.sample([p.id for p in people], rng.choice([1, 1, 2, 2, 3]))
    reviewers = rng.sample([p.id for p in people if p.reviewer and p.id not in authors], 2)
    tags = sorted(rng.sample(TAGS, rng.randint(2, 5)))
    refs = [f"key{k}" for k in rng.sample(range(1, N_REFS + 1), 2)]
    n_sections = rng.randint(3, 5)
    headings = [fill(rng, h) for h in rng.sample(HEADINGS, n_sections)]
    # Which section carries which block; the intro cites the first reference.
    where = {"list": 0, "table": 1 % n_sections, "code": 2 % n_sections,
             "note": rng.randrange(n_sections), "cite": n_sections - 1}
    summary = fill(rng, rng.choice(SENTENCES))
    blocks = [paragraph(rng, 5, cite=refs[0]), paragraph(rng, 4)]
    target = rng.randint(840, 920)
    per_section = max(1, (target - 300) // n_sections // 18 // 2)  # ~17 words a sentence, 2 paragraphs
    for s, heading in enumerate(headings):
        blocks.append(f"## {heading}")
        blocks.append(paragraph(rng, per_section, note=where["note"] == s))
        if where["list"] == s:
            blocks.append("\n".join(f"- {fill(rng, rng.choice(SENTENCES))}" for _ in range(rng.randint(4, 6))))
        if where["table"] == s:
            rows = ["| Finding | Threshold | Action | Evidence |", "|---|---|---|---|"]
            for _ in range(rng.randint(4, 6)):
                rows.append(f"| {rng.choice(TESTS)} | {rng.randint(2, 40)} | {rng.choice(DRUGS)} | "
                            f"{rng.choice(EVIDENCE)} |")
            blocks.append("\n".join(rows))
        if where["code"] == s:
            code = rng.choice(CODE).format(a=rng.randint(60, 140), b=rng.randint(70, 130),
                                           c=rng.randint(20, 45), d=rng.randint(20, 45),
                                           g=rng.randint(8, 15), t=rng.choice([2, 3, "0.9", 4]))
            blocks.append(f"```python\n{code}\n```")
        blocks.append(paragraph(rng, per_section, cite=refs[1] if where["cite"] == s else ""))
    # Top up to the target length with one more paragraph in the last section.
    words, extra = sum(len(b.split()) for b in blocks if not b.startswith("```")), []
    while words < target:
        extra.append(fill(rng, rng.choice(SENTENCES)))
        words += len(extra[-1].split())
    if extra:
        blocks.append(" ".join(extra))
    blocks.append(f"[^1]: {fill(rng, rng.choice(SENTENCES))}")
    body = "\n\n".join(blocks) + "\n"
    words = sum(len(b.split()) for b in blocks if not b.startswith("```"))
    return Post(pid, title, LAST_DATE - timedelta(days=i), authors, tags, summary, body, refs,
                reviewers, words)


def build_corpus(n: int, seed: int) -> Corpus:
    people = make_people()
    corpus = Corpus(people, make_refs(seed))
    corpus.posts = [make_post(i, seed, people) for i in range(n)]
    return corpus


def plain_body(post: Post, refs: dict[str, Ref]) -> str:
    """The body for Hugo and Pelican: citations as text, a References list before the footnote."""
    body = re.sub(r"\[@(key\d+)\]", lambda m: refs[m.group(1)].cite(), post.body)
    text, note = body.rsplit("\n[^1]:", 1)
    listing = "\n".join(f"{n}. {refs[k].entry()}" for n, k in enumerate(post.refs, 1))
    return f"{text}\n## References\n\n{listing}\n\n[^1]:{note}"


# --- Peerpress --------------------------------------------------------------------------------

def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def peerpress_review_version(post_path: Path) -> str | None:
    """The content hash a review record pins (`version:`), or None if Peerpress can't tell us.

    The one place that knows how Peerpress versions a post: it reads the file the way the generator
    does and asks generator.content.content_hash(title, authors, body, bibliography texts, post=id),
    imported lazily so the corpus can be written before (or while) the generator is written.
    """
    if str(PROJECT) not in sys.path:
        sys.path.insert(0, str(PROJECT))
    try:
        from generator.content import content_hash
        from generator.frontmatter import read_text, split

        text, _ = read_text(post_path, post_path.name)
        source, _ = split(text, post_path.name)
        meta = source.doc.data
        bibs = [(post_path.parent / b).read_text(encoding="utf-8") for b in meta.get("bibliography") or []]
        post_id = str(meta.get("id") or (post_path.parent.name if post_path.name == "index.md" else post_path.stem))
        version = content_hash(str(meta["title"]), list(meta["authors"]), source.body, bibs, post=post_id)
    except Exception:  # not written yet, half-written right now, or its contract changed
        return None
    return version if isinstance(version, str) and version else None


def peerpress_site_yaml(corpus: Corpus, reviewed: bool) -> str:
    lines = [f"title: {q(SITE_TITLE)}", f"description: {q(SITE_DESCRIPTION)}",
             f"base_url: {q(BASE_URL)}", "language: en", "timezone: UTC", f"per_page: {PER_PAGE}",
             "citation:", f"  bibliography: {q(PEERPRESS_BIBLIOGRAPHY)}", "people:"]
    for p in corpus.people:
        roles = "[author, reviewer]" if p.reviewer else "[author]"
        lines += [f"  {p.id}:", f"    name: {q(p.name)}", f"    given: {q(p.given)}",
                  f"    family: {q(p.family)}", f"    roles: {roles}"]
    if reviewed:
        lines += ["review:", "  approvals_required: 2", "  passing:", "    - {approve: 2}"]
    else:  # no content hash to pin reviews to: publish without review (see README)
        lines += ["review:", "  approvals_required: 0", "  passing: []"]
    return "\n".join(lines) + "\n"


def peerpress_post(post: Post) -> str:
    fm = [f"title: {q(post.title)}", f"authors: [{', '.join(post.authors)}]",
          f"date: {post.date.isoformat()}", f"summary: {q(post.summary)}",
          f"tags: [{', '.join(post.tags)}]"]
    return "---\n" + "\n".join(fm) + "\n---\n\n" + post.body


def peerpress_review(reviewer: str, day: date, version: str) -> str:
    return (f"---\nreviewer: {reviewer}\ndate: {day.isoformat()}\ndecision: approve\n"
            f"version: {q(version)}\ncompeting_interests: none\n---\n\n"
            "Clear, accurate and well referenced. The table and the worked example make the key "
            "thresholds easy to remember; consider adding a line on local escalation pathways.\n")


def review_files(post: Post, version: str) -> dict[str, str]:
    """Two approvals, a week and two weeks after the post's date: {relative path: text}."""
    files = {}
    for k, reviewer in enumerate(post.reviewers):
        day = post.date + timedelta(days=7 * (k + 1))
        files[f"reviews/{post.id}/{day.isoformat()}-{reviewer}.md"] = peerpress_review(reviewer, day, version)
    return files


def git(site: Path, *args: str, when: date = EDIT_DATE, stdin: bytes | None = None) -> None:
    stamp = f"{when.isoformat()}T12:00:00Z"
    env = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    subprocess.run(["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.invalid",
                    "-c", "commit.gpgsign=false", *args], cwd=site, env=env, check=True,
                   input=stdin, stdout=subprocess.DEVNULL)


def git_history(site: Path, commits: list[tuple[date, str, list[str]]]) -> None:
    """A git repository with one commit per (date, message, files), written by git fast-import
    (seconds for thousands of commits). Files are already on disk; the index is synced after."""
    stream = bytearray()
    for when, message, paths in commits:
        ts = int(datetime.combine(when, datetime.min.time(), UTC).timestamp()) + 12 * 3600
        msg = message.encode()
        stream += b"commit refs/heads/main\ncommitter Bench <bench@example.invalid> %d +0000\n" % ts
        stream += b"data %d\n%s\n" % (len(msg), msg)
        for path in paths:
            data = (site / path).read_bytes()
            stream += b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data)
    git(site, "init", "-q", "-b", "main")
    git(site, "-c", "core.compression=1", "fast-import", "--quiet", stdin=bytes(stream))
    git(site, "reset", "-q")


def write_peerpress(corpus: Corpus, site: Path) -> str:
    """Writes the Peerpress project as a git repository whose history has one commit per post
    (the post and its reviews, on the post's date). Returns a note, or ''."""
    posts_dir = site / "content" / "posts"
    posts_dir.mkdir(parents=True)
    (site / "content" / "bibliography.bib").write_text(
        "\n".join(r.bibtex() for r in corpus.refs.values()), encoding="utf-8")
    commits = []
    for post in corpus.posts:
        (posts_dir / f"{post.id}.md").write_text(peerpress_post(post), encoding="utf-8")
        commits.append((post.date, f"Add {post.id}", [f"content/posts/{post.id}.md"]))
    note = ""
    if peerpress_review_version(posts_dir / f"{corpus.posts[0].id}.md") is not None:
        for post, (_, _, paths) in zip(corpus.posts, commits, strict=True):
            files = review_files(post, peerpress_review_version(posts_dir / f"{post.id}.md"))
            for path, text in files.items():
                (site / path).parent.mkdir(parents=True, exist_ok=True)
                (site / path).write_text(text, encoding="utf-8")
            paths += sorted(files)
    else:
        note = ("Peerpress: generator.content.content_hash could not be used, so the corpus has no "
                "review records and its site.yaml sets approvals_required: 0.")
    (site / "site.yaml").write_text(peerpress_site_yaml(corpus, not note), encoding="utf-8")
    (site / ".gitignore").write_text(".peerpress-cache/\n", encoding="utf-8")
    setup = (corpus.posts[-1].date - timedelta(days=1), "Site setup",
             ["site.yaml", ".gitignore", "content/bibliography.bib"])
    git_history(site, [setup, *reversed(commits)])  # oldest first
    return note


def edit_post(site: Path, post_id: str, edit: int) -> None:
    """A one-post edit as an author makes it: a sentence changes, its reviews are re-pinned to the
    new text (so it stays published), and the change is committed."""
    path = site / "content" / "posts" / f"{post_id}.md"
    text = re.sub(r"\n\nEdit \d+: [^\n]*", "", path.read_text(encoding="utf-8"))
    head, sep, tail = text.partition("\n\n## ")
    path.write_text(f"{head}\n\nEdit {edit}: the dose table was checked again.{sep}{tail}",
                    encoding="utf-8")
    version = peerpress_review_version(path)
    folder = site / "reviews" / post_id
    if version and folder.is_dir():
        for review in folder.glob("*.md"):
            review.write_text(re.sub(r"(?m)^version: .*$", f"version: {q(version)}",
                                     review.read_text(encoding="utf-8")), encoding="utf-8")
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", f"Edit {post_id} ({edit})", when=EDIT_DATE + timedelta(days=edit))


# --- Hugo -------------------------------------------------------------------------------------

def write_hugo(corpus: Corpus, site: Path) -> None:
    shutil.copytree(REF_TEMPLATES / "hugo", site)
    posts_dir = site / "content" / "posts"
    posts_dir.mkdir(parents=True)
    (site / "content" / "posts" / "_index.md").write_text("---\ntitle: Posts\n---\n")
    for p in corpus.people:  # author term pages carry the display name, as Peerpress shows it
        term = site / "content" / "authors" / p.id
        term.mkdir(parents=True)
        (term / "_index.md").write_text(f"---\ntitle: {q(p.name)}\n---\n", encoding="utf-8")
    for post in corpus.posts:
        fm = [f"title: {q(post.title)}", f"date: {post.date.isoformat()}",
              f"authors: [{', '.join(post.authors)}]", f"tags: [{', '.join(post.tags)}]",
              f"summary: {q(post.summary)}"]
        (posts_dir / f"{post.id}.md").write_text(
            "---\n" + "\n".join(fm) + "\n---\n\n" + plain_body(post, corpus.refs), encoding="utf-8")
    config = (site / "hugo.toml").read_text()
    for key, value in {"BASE_URL": BASE_URL, "TITLE": SITE_TITLE, "DESCRIPTION": SITE_DESCRIPTION,
                       "PER_PAGE": str(PER_PAGE), "FEED_ITEMS": str(FEED_ITEMS)}.items():
        config = config.replace(f"@{key}@", value)
    (site / "hugo.toml").write_text(config)


# --- Pelican ----------------------------------------------------------------------------------

def write_pelican(corpus: Corpus, site: Path) -> None:
    posts_dir = site / "content" / "posts"
    posts_dir.mkdir(parents=True)
    names = {p.id: p.name for p in corpus.people}
    for post in corpus.posts:
        meta = [f"Title: {post.title}", f"Date: {post.date.isoformat()}", f"Slug: {post.id}",
                f"Authors: {', '.join(names[a] for a in post.authors)}",
                f"Tags: {', '.join(post.tags)}", f"Summary: {post.summary}"]
        (posts_dir / f"{post.id}.md").write_text(
            "\n".join(meta) + "\n\n" + plain_body(post, corpus.refs), encoding="utf-8")
    config = (REF_TEMPLATES / "pelicanconf.py.in").read_text()
    for key, value in {"BASE_URL": BASE_URL.rstrip("/"), "TITLE": SITE_TITLE,
                       "PER_PAGE": str(PER_PAGE), "FEED_ITEMS": str(FEED_ITEMS)}.items():
        config = config.replace(f"@{key}@", value)
    (site / "pelicanconf.py").write_text(config)


# --- all three --------------------------------------------------------------------------------

def generate(n: int, root: Path, seed: int = 2025) -> tuple[Corpus, list[str]]:
    """Writes root/{peerpress,hugo,pelican} from scratch. Returns the corpus and any notes."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    corpus = build_corpus(n, seed)
    notes = [write_peerpress(corpus, root / "peerpress")]
    write_hugo(corpus, root / "hugo")
    write_pelican(corpus, root / "pelican")
    return corpus, [n for n in notes if n]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--out", type=Path, default=BENCH / "work" / "corpus-manual")
    args = ap.parse_args()
    corpus, notes = generate(args.n, args.out, args.seed)
    words = [p.words for p in corpus.posts]
    print(f"{len(corpus.posts)} posts, {min(words)}-{max(words)} words "
          f"(mean {sum(words) // len(words)}) in {args.out}")
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
