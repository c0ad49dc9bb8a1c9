"""`peerpress crossref --submit` against a local server (127.0.0.1 only) that answers as Crossref's
documented HTTPS POST deposit does: multipart/form-data with operation, login_id, login_passwd and
the file as fname; 200 and a SUCCESS page when the file is queued, 401/403 for a refused login,
429 when too many submissions are pending, a FAILURE page for an upload it cannot take.
"""
from __future__ import annotations

import email.parser
import email.policy
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import commonmeta
import lxml.etree
import pytest
import xmlschema

from generator import cli
from generator.crossref_submit import PRODUCTION_ENDPOINT, TEST_ENDPOINT, gained_doi, submit
from generator.errors import ProblemError
from tests.gitutil import commit, git_env, init  # noqa: F401  (git_env is a fixture)

ROOT = Path(__file__).resolve().parent.parent
CONFIG = str(ROOT / "site.yaml")
CR = "{http://www.crossref.org/schema/5.5.0}"
SUCCESS = (b"<html><head><title>SUCCESS</title></head><body><h2>SUCCESS</h2>"
           b"<p>Your batch submission was successfully received.</p></body></html>")
FAILURE = (b"<html><head><title>FAILURE</title></head><body><h2>FAILURE</h2>"
           b"<p>Error: the uploaded file is not a deposit (XML parse error).</p></body></html>")


class CrossrefDouble(BaseHTTPRequestHandler):
    """POST /servlet/deposit as Crossref documents it; every request is kept for the test."""
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 - the http.server API
        length = int(self.headers["Content-Length"])
        raw = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + self.rfile.read(length)
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
        form = {part.get_param("name", header="content-disposition"): part for part in message.iter_parts()}
        fields = {name: part.get_content() for name, part in form.items() if name != "fname"}
        upload = form.get("fname")
        fields["fname"] = upload.get_payload(decode=True) if upload else b""
        fields["filename"] = upload.get_filename() if upload else ""
        fields["path"] = self.path
        self.received.append(fields)
        if (fields.get("login_id"), fields.get("login_passwd")) == ("blocked", "secret"):
            return self._answer(403, b"<html><body>Forbidden</body></html>")
        if fields.get("login_passwd") != "secret":
            return self._answer(401, b"<html><body>Unauthorized</body></html>")
        if fields.get("login_id") == "busy":
            return self._answer(429, b"<html><body>Too many pending submissions</body></html>")
        if fields.get("operation") != "doMDUpload" or not fields["fname"].lstrip().startswith(b"<?xml"):
            return self._answer(200, FAILURE)
        return self._answer(200, SUCCESS)

    def _answer(self, status: int, body: bytes):
        self.send_response(status)
        self.send_header("Content-Type", "text/html;charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture()
def crossref_server():
    CrossrefDouble.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), CrossrefDouble)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/servlet/deposit", CrossrefDouble.received
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def schema():
    return xmlschema.XMLSchema11(str(Path(commonmeta.__file__).parent / "resources/crossref/crossref5.5.0.xsd"))


def test_submit_posts_then_reviews_with_the_documented_form(crossref_server, schema, monkeypatch, capsys):
    url, received = crossref_server
    monkeypatch.setenv("CROSSREF_USERNAME", "editor@example.org/shiftnotes")
    monkeypatch.setenv("CROSSREF_PASSWORD", "secret")
    assert cli.main(["crossref", "ecg-systematic", "--config", CONFIG, "--submit", "--endpoint", url]) == 0
    assert [r["path"] for r in received] == ["/servlet/deposit", "/servlet/deposit"]
    for request in received:
        assert (request["operation"], request["login_id"], request["login_passwd"]) == \
            ("doMDUpload", "editor@example.org/shiftnotes", "secret")
        schema.validate(request["fname"])
    posts, reviews = (lxml.etree.fromstring(r["fname"]) for r in received)
    assert [n.tag for n in posts.find(f"{CR}body")] == [f"{CR}posted_content"]
    assert {n.tag for n in reviews.find(f"{CR}body")} == {f"{CR}peer_review"}
    assert received[0]["filename"] == "peerpress-posts-ecg-systematic.xml"
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (f"submitted the posts deposit (ecg-systematic) to {url}: "
                      "SUCCESS SUCCESS Your batch submission was successfully received.")
    assert out[1].startswith("submitted the reviews deposit (ecg-systematic)")


@pytest.mark.parametrize(("user", "password", "status"), [("editor", "wrong", 401), ("blocked", "secret", 403)])
def test_refused_login_is_a_clear_error(crossref_server, monkeypatch, capsys, user, password, status):
    url, received = crossref_server
    monkeypatch.setenv("CROSSREF_USERNAME", user)
    monkeypatch.setenv("CROSSREF_PASSWORD", password)
    assert cli.main(["crossref", "ecg-systematic", "--config", CONFIG, "--submit", "--endpoint", url]) == 1
    err = capsys.readouterr().err
    assert f"error: Crossref refused the login (HTTP {status})" in err
    assert "Traceback" not in err and password not in err
    assert len(received) == 1  # the reviews deposit is not sent after a refusal


def test_too_many_pending_submissions(crossref_server, monkeypatch):
    url, _ = crossref_server
    with pytest.raises(ProblemError) as caught:
        submit(b"<?xml version='1.0'?><doi_batch/>", "x.xml", url, {"CROSSREF_USERNAME": "busy",
                                                                   "CROSSREF_PASSWORD": "secret"})
    assert caught.value.problems[0].message == "Crossref has too many pending submissions (HTTP 429)"


def test_malformed_deposit_is_reported_with_crossrefs_message(crossref_server):
    url, received = crossref_server
    with pytest.raises(ProblemError) as caught:
        submit(b"not xml at all", "broken.xml", url, {"CROSSREF_USERNAME": "ed", "CROSSREF_PASSWORD": "secret"})
    (problem,) = caught.value.problems
    assert problem.message.startswith("Crossref did not accept the deposit (HTTP 200): FAILURE")
    assert "XML parse error" in problem.message
    assert received[0]["fname"] == b"not xml at all"


def test_credentials_only_from_the_environment(monkeypatch, capsys):
    monkeypatch.delenv("CROSSREF_USERNAME", raising=False)
    monkeypatch.delenv("CROSSREF_PASSWORD", raising=False)
    assert cli.main(["crossref", "ecg-systematic", "--config", CONFIG, "--submit", "--endpoint",
                     "http://127.0.0.1:9/servlet/deposit"]) == 1
    err = capsys.readouterr().err
    assert "CROSSREF_USERNAME and CROSSREF_PASSWORD are not both set" in err


def test_unreachable_endpoint_is_a_clear_error():
    with pytest.raises(ProblemError) as caught:  # port 9 (discard) on 127.0.0.1: nothing listens
        submit(b"<?xml version='1.0'?><x/>", "x.xml", "http://127.0.0.1:9/servlet/deposit",
               {"CROSSREF_USERNAME": "a", "CROSSREF_PASSWORD": "b"})
    assert caught.value.problems[0].message.startswith("cannot reach Crossref:")


def test_default_endpoints_are_crossrefs_documented_ones():
    assert TEST_ENDPOINT == "https://test.crossref.org/servlet/deposit"
    assert PRODUCTION_ENDPOINT == "https://doi.crossref.org/servlet/deposit"


def test_posts_that_gained_a_doi_since_a_commit(blog, git_env):  # noqa: F811
    blog.post("old", title="Had a DOI", doi="10.5555/old")
    blog.approve_twice("old")
    blog.post("later", title="DOI added later")
    blog.approve_twice("later")
    init(blog.root)
    before = commit(blog.root, "first publication")
    blog.post("later", title="DOI added later", doi="10.5555/later")
    blog.approve_twice("later")
    commit(blog.root, "register a DOI", "2025-02-01T12:00:00+00:00")
    site = blog.build(write=False).site
    assert [p.id for p in gained_doi(site, before)] == ["later"]
    with pytest.raises(ProblemError) as caught:
        gained_doi(site, "no-such-commit")
    assert caught.value.problems[0].message == "'no-such-commit' is not a commit of this repository"
