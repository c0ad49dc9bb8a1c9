"""Submitting a deposit to Crossref, and finding the posts that gained a DOI since a git revision.

Crossref's documented HTTPS POST deposit (crossref.org/documentation/register-maintain-records/
direct-deposit-xml/https-post): a multipart/form-data POST to /servlet/deposit with the form
fields `operation=doMDUpload`, `login_id`, `login_passwd` and the file as `fname`. The test
system (test.crossref.org) is the default; doi.crossref.org registers DOIs for real. The login
comes from the environment (CROSSREF_USERNAME, CROSSREF_PASSWORD: CI secrets), never from the
repository. Crossref answers 200 with a page saying SUCCESS when it has queued the file (the
deposit itself is processed later and reported by e-mail), 401/403 when the login is refused,
429 or 503 when too many submissions are pending, and FAILURE when it rejects the upload.
"""
from __future__ import annotations

import re
import subprocess
import urllib.error
import urllib.request
import uuid
from html import unescape

from .errors import ProblemError, error
from .frontmatter import split
from .model import Post, Site
from .references import engine

TEST_ENDPOINT = "https://test.crossref.org/servlet/deposit"
PRODUCTION_ENDPOINT = "https://doi.crossref.org/servlet/deposit"
USER_VAR, PASSWORD_VAR = "CROSSREF_USERNAME", "CROSSREF_PASSWORD"
TIMEOUT = 120


def credentials(env: dict[str, str]) -> tuple[str, str]:
    user, password = env.get(USER_VAR, ""), env.get(PASSWORD_VAR, "")
    if not user or not password:
        raise ProblemError([error(USER_VAR, None, f"{USER_VAR} and {PASSWORD_VAR} are not both set",
                                  "export your Crossref login in the environment (in CI, as secrets); "
                                  "never write it in site.yaml or any file in the repository")])
    return user, password


def submit(data: bytes, filename: str, endpoint: str, env: dict[str, str]) -> str:
    """POST one deposit file; Crossref's message on success, a ProblemError otherwise."""
    user, password = credentials(env)
    if not re.match(r"^https?://", endpoint):
        raise ProblemError([error(endpoint, None, "the deposit endpoint is not an http(s) URL",
                                  f"leave it out to use {TEST_ENDPOINT}")])
    body, content_type = _multipart({"operation": "doMDUpload", "login_id": user, "login_passwd": password},
                                    ("fname", filename, data))
    request = urllib.request.Request(endpoint, data=body, method="POST",
                                     headers={"Content-Type": content_type, "User-Agent": "Peerpress"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - http(s) checked above
            return _answer(endpoint, response.status, response.read())
    except urllib.error.HTTPError as exc:
        return _answer(endpoint, exc.code, exc.read())
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ProblemError([error(endpoint, None, f"cannot reach Crossref: {reason}",
                                  "check the network and the endpoint, then run the command again")]) from None


def _answer(endpoint: str, status: int, raw: bytes) -> str:
    text = _plain(raw)
    if status in (401, 403):
        hint = (f"check {USER_VAR} and {PASSWORD_VAR}; a role login is written email@example.org/role, "
                "and the test and production systems may have different logins")
        raise ProblemError([error(endpoint, None, f"Crossref refused the login (HTTP {status})", hint)])
    if status in (429, 503):
        raise ProblemError([error(endpoint, None, f"Crossref has too many pending submissions (HTTP {status})",
                                  "wait until earlier deposits are processed, then submit again")])
    if status != 200 or "FAILURE" in text.upper() or "SUCCESS" not in text.upper():
        raise ProblemError([error(endpoint, None, f"Crossref did not accept the deposit (HTTP {status}): "
                                  f"{text[:300] or 'no message'}", "fix what the message names and submit again")])
    return text


def _plain(raw: bytes) -> str:
    """Crossref answers with a small HTML page: its words, on one line."""
    text = re.sub(r"<[^>]+>", " ", raw.decode("utf-8", "replace"))
    return " ".join(unescape(text).split())


def _multipart(fields: dict[str, str], upload: tuple[str, str, bytes]) -> tuple[bytes, str]:
    boundary = f"peerpress-{uuid.uuid4().hex}"
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    name, filename, data = upload
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                 f"Content-Type: application/xml\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


# --- posts that gained a DOI ---------------------------------------------------------------

def gained_doi(site: Site, since: str) -> list[Post]:
    """Published posts whose DOI is new since git revision `since` (absent there, or different)."""
    root = site.config.root
    check = subprocess.run(["git", "-C", str(root), "rev-parse", "--verify", "--quiet", f"{since}^{{commit}}"],
                           capture_output=True, text=True)
    if check.returncode != 0:
        raise ProblemError([error(str(root), None, f"'{since}' is not a commit of this repository",
                                  "pass a commit or branch, e.g. the commit before the push")])
    found = []
    for post in sorted(site.listed, key=lambda p: p.id):
        state = site.states.get(post.id)
        if post.doi and state and state.status == "published" and _doi_at(root, since, post) != _bare(post.doi):
            found.append(post)
    return found


def _doi_at(root, revision: str, post: Post) -> str:
    shown = post.source.as_posix()
    old = subprocess.run(["git", "-C", str(root), "show", f"{revision}:{shown}"], capture_output=True)
    if old.returncode != 0:
        return ""  # the post did not exist then
    source, _ = split(old.stdout.decode("utf-8", "replace").replace("\r\n", "\n"), shown)
    value = source.doc.data.get("doi") if source else None
    return _bare(str(value)) if value else ""


def _bare(doi: str) -> str:
    return engine.bare_doi(doi).lower()
