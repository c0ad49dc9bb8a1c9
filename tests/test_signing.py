"""review.require_signed: SSH-signed commits, checked against keys listed under people: in site.yaml."""
from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path

import pytest

from generator import signing
from generator.errors import ProblemError
from tests.gitutil import commit, git, git_env, init  # noqa: F401 - git_env is a fixture
from tests.sitebuilder import PEOPLE, SiteBuilder

pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen (openssh-client)")


def keypair(folder: Path, name: str) -> tuple[Path, str]:
    key = folder / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True)
    return key, (folder / f"{name}.pub").read_text(encoding="utf-8").strip()


@pytest.fixture
def signed_blog(tmp_path, git_env):  # noqa: F811 - the fixture imported above
    keys = tmp_path / "keys"
    keys.mkdir()
    rita_key, rita_pub = keypair(keys, "rita")
    rex_key, rex_pub = keypair(keys, "rex")
    people = copy.deepcopy(PEOPLE)
    people["rita"]["ssh_keys"] = [rita_pub]
    people["rex"]["ssh_keys"] = [rex_pub]
    blog = SiteBuilder(tmp_path / "blog", {"people": people, "review": {"require_signed": True}})
    init(blog.root)
    git(blog.root, "config", "gpg.format", "ssh")
    (blog.root / ".gitignore").write_text("site/\n.peerpress-cache/\n", encoding="utf-8")
    blog.post("p")
    commit(blog.root, "Submit", "2025-01-01T09:00:00+00:00")
    return blog, rita_key, rex_key


def signed_commit(blog, key: Path, message: str, committer: str) -> str:
    git(blog.root, "config", "user.signingkey", str(key))
    return commit(blog.root, message, "2025-01-05T09:00:00+00:00", "-S",
                  env={"GIT_COMMITTER_NAME": committer, "GIT_AUTHOR_NAME": committer})


def verdicts(blog):
    report = blog.build(write=False, drafts=True)
    state = report.site.states["p"]
    return {c.record.person: c for c in state.reviews}, {r.person: r for r in report.site.records}, state


def test_signed_review_counts_and_unsigned_does_not(signed_blog):
    blog, rita_key, _ = signed_blog
    blog.review("p", "rita")
    added = signed_commit(blog, rita_key, "Rita's review", "Rita Reviewer")
    blog.review("p", "rex")
    commit(blog.root, "Rex's review, unsigned", "2025-01-05T10:00:00+00:00")
    counted, records, state = verdicts(blog)
    assert records["rita"].signed_by == "rita" and records["rita"].added_in == added
    assert counted["rita"].counts
    assert records["rex"].signed_by == ""
    assert not counted["rex"].counts and "not signed by the reviewer" in counted["rex"].reason
    assert state.status == "in-review"


def test_the_signer_decides_not_the_committer_name(signed_blog):
    """Rex's review committed under Rex's name but signed with Rita's key is not signed by Rex."""
    blog, rita_key, rex_key = signed_blog
    blog.review("p", "rex")
    signed_commit(blog, rita_key, "Rex's review (someone else's key)", "Rex Reviewer")
    counted, records, _ = verdicts(blog)
    assert records["rex"].signed_by == "rita"  # who really signed, whatever the committer field says
    assert not counted["rex"].counts and "not signed by the reviewer" in counted["rex"].reason
    blog.review("p", "rita")
    signed_commit(blog, rita_key, "Rita's review", "Rita Reviewer")
    blog.review("p", "rex", body="Now signed by Rex.\n")
    signed_commit(blog, rex_key, "Rex re-signs his review", "Rex Reviewer")
    counted, records, state = verdicts(blog)
    # the record was added with Rita's signature: a later commit by Rex does not make it his
    assert records["rex"].signed_by == "" and counted["rita"].counts and state.status == "in-review"


def test_both_signed_publish_and_an_unsigned_edit_undoes_it(signed_blog):
    blog, rita_key, rex_key = signed_blog
    blog.review("p", "rita")
    signed_commit(blog, rita_key, "Rita's review", "Rita Reviewer")
    blog.review("p", "rex")
    signed_commit(blog, rex_key, "Rex's review", "Rex Reviewer")
    assert verdicts(blog)[2].status == "published"
    blog.review("p", "rex", decision="approve", body="Edited after signing.\n")  # not committed
    counted, records, state = verdicts(blog)
    assert records["rex"].signed_by == "" and state.status == "in-review"


def test_key_signing_with_a_key_not_in_site_yaml_does_not_count(signed_blog, tmp_path):
    blog, _, _ = signed_blog
    stranger, _ = keypair(tmp_path / "keys", "stranger")
    blog.review("p", "rita")
    signed_commit(blog, stranger, "Rita's review, signed by an unknown key", "Rita Reviewer")
    counted, records, _ = verdicts(blog)
    assert records["rita"].signed_by == "" and not counted["rita"].counts


def test_allowed_signers_file_uses_people_ids(signed_blog):
    blog, _, _ = signed_blog
    lines = signing.allowed_signers(blog.config()).splitlines()
    assert [line.split()[:2] for line in lines] == [["rex", 'namespaces="git"'], ["rita", 'namespaces="git"']]
    assert all(line.split()[2] == "ssh-ed25519" for line in lines)


def test_malformed_keys_are_config_errors(tmp_path):
    people = copy.deepcopy(PEOPLE)
    people["rita"]["ssh_keys"] = ["ssh-ed25519 not-base64!"]
    people["rex"]["ssh_keys"] = ["AAAAC3NzaC1lZDI1NTE5AAAAIBlahBlah rex"]
    blog = SiteBuilder(tmp_path / "blog", {"people": people})
    with pytest.raises(ProblemError) as exc:
        blog.config()
    messages = sorted(p.message for p in exc.value.problems)
    assert len(messages) == 2 and all("ssh_keys" in m for m in messages)


def test_require_signed_outside_git_warns(tmp_path):
    blog = SiteBuilder(tmp_path / "blog", {"review": {"require_signed": True}})
    blog.post("p")
    blog.approve_twice("p")
    report = blog.build(write=False)
    [problem] = report.problems
    assert problem.severity == "warning" and "not in a git repository" in problem.message
    assert report.site.states["p"].status == "in-review"
