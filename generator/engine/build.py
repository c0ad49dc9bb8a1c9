"""The build as a flat list of named, timed steps (docs/architecture.md, "The pipeline")."""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from .. import cite, feeds, fserrors, links, policy, redirects, render, revisions, search, series
from .. import site as site_mod
from .. import theme as theme_mod
from ..errors import Problem, ProblemError, has_errors
from ..model import Config, Output, Site
from . import incremental, lock, output
from . import resident as resident_mod
from .resident import Resident


@dataclass
class Options:
    out: Path | None = None
    drafts: bool = False
    base_url: str | None = None
    jobs: int = 0
    no_cache: bool = False
    write: bool = True  # False for `check`
    # "index" runs Pagefind; "keep" reuses the index already in the output folder (serve's
    # rebuilds: a one-post edit is then not held up by re-indexing every post).
    search: str = "index"


@dataclass
class BuildReport:
    steps: list[tuple[str, float]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    outputs: int = 0
    written: int = 0
    unchanged: int = 0
    out: Path | None = None
    site: Site | None = None
    search_kept: bool = False  # the search index is the previous build's (Options.search == "keep")
    cache_failed: bool = False  # the site was written, but saving the cache failed

    @property
    def seconds(self) -> float:
        return sum(t for _, t in self.steps)

    @contextmanager
    def step(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.steps.append((name, time.perf_counter() - start))


def now(config: Config) -> datetime:
    """The build's notion of "today": SOURCE_DATE_EPOCH when set, so builds are reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC).astimezone(ZoneInfo(config.timezone))
    return datetime.now(ZoneInfo(config.timezone))


def prepare(config: Config, options: Options) -> Config:
    changes = {"drafts": options.drafts}
    if options.base_url:
        changes["base_url"] = options.base_url if options.base_url.endswith("/") else options.base_url + "/"
    if options.out:
        changes["output_dir"] = Path(options.out).absolute()
    return replace(config, **changes)


def run(config: Config, options: Options, resident: Resident | None = None) -> BuildReport:
    """Build the site; any error leaves the output folder exactly as it was. With `resident`
    (serve), a full build remembers its results, and a build it `take`s for a change reuses
    them and writes in place; that raises resident.Fallback where it cannot (engine/resident.py)."""
    config = prepare(config, options)
    report = BuildReport(out=config.output_dir)
    problems = report.problems
    if options.write:
        bad = output.unsafe_target(config, config.output_dir)
        if bad:
            problems.append(bad)
            return report
    today = now(config)  # one clock reading per build: every stage agrees on what is published
    with report.step("cache"):  # .peerpress-cache/ and worker processes (incremental.py)
        session = incremental.start(config, options, today, resident)
    with report.step("bibliography"):
        bib, found = bib_found = session.bibliography(config)
        problems += found
    with report.step("content"):
        posts, found = session.content(config, bib)
        problems += found
    with report.step("reviews"):
        records, found = reviews_found = session.reviews(config, {p.id for p in posts if p.kind == "post"})
        problems += found
    with report.step("history"):  # one `git log` pass: each post's versions, who added (and signed) each record
        found_history, records = session.history(config, posts, records, use_cache=not options.no_cache)
        versions = found_history.versions
        problems += found_history.problems
    with report.step("assess"):
        states, found = policy.assess(config, posts, records, today, versions=versions)
        problems += found
        # an edited published post keeps its last approved text (from git) until the edit is approved
        posts, states, found = revisions.settle(config, posts, records, states, versions, today, bib)
        problems += found
    with report.step("assemble"):
        site = site_mod.assemble(config, posts, records, states, versions)
        report.site = site
    in_place = resident is not None and resident.changed is not None
    if in_place:
        resident_mod.problems_stop(problems)
    if has_errors(problems):
        return report
    indexing = search.Indexing()
    try:
        with report.step("theme"):
            theme = theme_mod.resolve(config)
            renderer = render.make_renderer(site, theme, [cite.register, feeds.register])
        with report.step("render"):
            outputs: list[Output] = session.render(renderer, render.pages)
        if options.write:  # the index is read from the final HTML; `check` writes nothing, so needs none
            with report.step("search"):  # Pagefind runs beside the next steps; "search-wait" collects it
                cache = None if options.no_cache else config.root / ".peerpress-cache"
                kept = config.output_dir if options.search == "keep" else None
                indexing = search.start(site, outputs, cache, keep_from=kept)
                report.search_kept = indexing.kept
        with report.step("cite"):
            outputs += cite.outputs(site, session.per_post("cite-exports"))
            outputs += cite.review_outputs(site, renderer, session.per_post("review-records"))  # citable reviews
        with report.step("feeds"):
            outputs += feeds.outputs(site, session.per_post("feed-items"), session.feed_files)
            outputs.append(feeds.feeds_page(renderer))
        with report.step("sitemap"):  # last, so it lists every page the steps above made
            outputs.append(render.sitemap(site, outputs))
        with report.step("redirects"):  # after the sitemap: old addresses are not pages to index
            outputs += redirects.outputs(renderer, outputs)
        with report.step("links"):  # every internal link against what the build made
            problems += links.check(site, outputs) + series.check(site)
        if not options.write:  # what staging would refuse (long names, clashes): check passing means build can write
            problems += output.check_paths(outputs)
    except ProblemError as exc:
        indexing.cancel()
        problems += exc.problems
        return report
    except OSError as exc:  # an unreadable bundle file or theme asset: named, and Pagefind stopped
        indexing.cancel()
        problems.append(fserrors.problem(exc, "read a file", root=config.root))
        return report
    if has_errors(problems):
        indexing.cancel()
        return report
    report.outputs = len(outputs)
    if in_place:
        return _write_resident(config, resident, session, outputs, indexing, report)
    if options.write and not write(config.output_dir, outputs, indexing, report, root=config.root):
        return report
    with report.step("save-cache"):
        try:
            session.finish(site, problems, report.outputs, wrote=options.write)
        except OSError as exc:  # the site (if any) is complete; only the next build's head start is lost
            problems.append(fserrors.problem(exc, "save the cache", root=config.root))
            report.cache_failed = True
    if resident is not None and options.write and not has_errors(problems):
        resident.remember(bib_found, reviews_found, session.page_records, {o.path for o in outputs},
                          session.prints and session.prints.computed(), incremental.next_change(site, session.now),
                          written=written_bytes(outputs))
    return report


def written_bytes(outputs: list[Output]) -> dict[str, bytes]:
    """The bytes of the files other than pages and the search bundle, as just written: the next
    resident build compares with them instead of reading 40,000 files back (at 5,000 posts)."""
    bundle = search.BUNDLE + "/"
    return {o.path: o.data for o in outputs if type(o) is Output and not o.path.startswith(bundle)}


def _write_resident(config: Config, resident: Resident, session, outputs: list[Output],
                    indexing: search.Indexing, report: BuildReport) -> BuildReport:
    """The resident path's write: changed files in place, in the folder being served."""
    resident_mod.problems_stop(report.problems)
    bundle, found = indexing.result()  # the kept bundle: left as it is in the folder
    resident_mod.problems_stop(found)
    left = {o.path for o in bundle} if indexing.kept else set()
    outputs = outputs + ([] if indexing.kept else bundle)
    with report.step("write"):
        report.written, report.unchanged, pages = resident_mod.write_in_place(
            config.output_dir, outputs, left, resident, session)
    report.outputs = len(outputs) + len(left)
    with report.step("save-cache"):
        session.finish_resident()
    resident.remember(None, None, pages, {o.path for o in outputs} | left, session.prints and session.prints.computed(),
                      incremental.next_change(report.site, session.now))
    return report


def write(out: Path, outputs: list[Output], indexing: search.Indexing, report: BuildReport,
          root: Path | None = None) -> bool:
    """Stage the pages while Pagefind indexes them, then add its bundle and swap the site in.
    False, with the output folder untouched, if anything went wrong."""
    try:
        with lock.output_lock(out), output.staging(out) as stage:  # one writer per output folder
            with report.step("write"):
                stage.add(outputs)
            with report.step("search-wait"):
                bundle, found = indexing.result()
            report.problems += found
            if has_errors(found):
                return False
            with report.step("swap"):
                stage.add(bundle)
                done = stage.commit()
    except ProblemError as exc:
        report.problems += exc.problems
        return False
    except OSError as exc:  # disk full, read-only, name too long: staging is already removed
        where = output.final_path(out, exc.filename)  # named where it was going, not the staging folder
        report.problems.append(fserrors.problem(exc, "write the site", where, root or out.parent))
        return False
    finally:
        indexing.cancel()  # a no-op once its result is in
    report.outputs += len(bundle)
    outputs.extend(bundle)  # the folder's files, for a resident (serve) build that follows
    report.written, report.unchanged = done.written, done.unchanged
    return True
