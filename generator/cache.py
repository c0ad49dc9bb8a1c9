"""Cache files, `.peerpress-cache/` beside site.yaml, and the digests that key them.

What is kept, and what each entry is keyed by (docs/architecture.md, "Where the cache keys live"):

- parse results (engine/store.py): one entry per post, page and review record, keyed by the
  file's bytes and everything its parse reads, computed by the stage that parses it
  (`content.cache_key`, `reviews.cache_key`, `bibliography.cache_key`);
- rendered pages: not their bytes (the output folder already holds them) but, per output
  path, the page key (`fingerprints.Fingerprints.page_key`) and the stat of the file that was
  written, so an unchanged page is hard-linked from the previous site without being rendered or read;
- the git history's log and texts (history/);
- a manifest of every input's stat, so a build with nothing changed stops at once (engine/noop.py).

Every cache file starts with a header (format version, a salt of the Python version and of
Peerpress's own source code) and an HMAC made with a key kept outside the project
(~/.cache/peerpress/cache-key): a corrupt, truncated, foreign or tampered file is ignored
and rebuilt, and never unpickled.
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import os
import pickle
import secrets
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

FORMAT = 3  # bump when the layout of any cache file changes
FOLDER = ".peerpress-cache"
MAGIC = b"peerpress-cache"
PACKAGE = Path(__file__).resolve().parent


def digest(*parts: Any) -> str:
    """A stable hex digest of strings, bytes and numbers."""
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part if isinstance(part, bytes) else str(part).encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def code_salt() -> str:
    """Python's version, Peerpress's own source and the installed packages (by folder stat)."""
    parts: list[Any] = [FORMAT, sys.version, sys.implementation.cache_tag]
    for path in sorted(PACKAGE.rglob("*.py")):
        parts += [path.relative_to(PACKAGE).as_posix(), path.read_bytes()]
    for entry in sys.path:  # an install or upgrade touches site-packages
        if "-packages" not in entry:
            continue
        try:
            st = os.stat(entry or ".")
            parts += [entry, st.st_mtime_ns]
        except OSError:
            continue
    return digest(*parts)


# --- signed pickle files ----------------------------------------------------------------------

def _key_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "peerpress" / "cache-key"


_SECRET: list[bytes] = []


def secret() -> bytes:
    """The HMAC key: per user, outside the project, so a cache copied from elsewhere never verifies."""
    if _SECRET:
        return _SECRET[0]
    path = _key_file()
    try:
        key = path.read_bytes()
        if len(key) < 32:
            raise OSError("short key")
    except OSError:
        key = secrets.token_bytes(32)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(key)
            os.replace(tmp, path)
        except OSError:
            pass  # an unwritable home: the key lives for this process, so nothing cached verifies later
    _SECRET.append(key)
    return key


def dump(path: Path, salt: str, value: Any) -> None:
    """Write `value` atomically: header, HMAC, pickle."""
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    header = MAGIC + f" {FORMAT} {salt}\n".encode("ascii")
    mac = hmac.new(secret(), header + payload, hashlib.sha256).digest()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(header + mac + payload)
        os.replace(tmp, path)
    except OSError as exc:  # a full disk: no half-written file is left behind; the build reports the error
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if exc.filename in (None, os.fspath(tmp)):
            exc.filename = os.fspath(path)
        raise


def remove_orphans(folder: Path) -> None:
    """Temporary files of dump() whose process is gone (a build killed mid-write)."""
    for tmp in folder.glob(".*.tmp") if folder.is_dir() else ():
        pid = tmp.name.rsplit(".", 2)[-2]
        if pid.isdigit() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                tmp.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but another user's
        return True
    return True


def load(path: Path, salt: str) -> Any | None:
    """The value in `path`, or None when it is missing, foreign, corrupt or tampered with."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    header = MAGIC + f" {FORMAT} {salt}\n".encode("ascii")
    if not data.startswith(header) or len(data) < len(header) + 32:
        return None
    mac, payload = data[len(header):len(header) + 32], data[len(header) + 32:]
    if not hmac.compare_digest(mac, hmac.new(secret(), header + payload, hashlib.sha256).digest()):
        return None
    try:
        return pickle.loads(payload)
    except Exception:  # noqa: BLE001 - a verified file from an older build can still fail to unpickle
        return None



def config_key(config) -> str:
    """The config as parsing sees it: where the site is built, and for whom, is left out
    (content, reviews and markup never read drafts, output_dir or base_url)."""
    neutral = replace(config, drafts=False, output_dir=Path("."), base_url="")
    return digest(pickle.dumps(neutral, protocol=4))


def file_key(path: Path) -> str:
    return digest(path.read_bytes()) if path.is_file() else "missing"



def stable_pickle(value: Any) -> bytes:
    """Equal values give equal bytes, however they share objects (no pickle memo)."""
    buf = io.BytesIO()
    p = pickle.Pickler(buf, protocol=4)
    p.fast = True
    p.dump(value)
    return buf.getvalue()


class Recent:
    """Work done in the last build, kept for the next in the same process (serve's): `get`
    returns what is held for `key` while `valid(held)` says it still applies, else computes it;
    `settle()` ends a build and drops what it did not use, so only the last site's objects stay."""

    def __init__(self):
        self.held: dict = {}
        self.used: dict = {}

    def get(self, key, valid, compute):
        found = self.held.get(key)
        if found is None or not valid(found):
            found = compute()
        self.used[key] = found
        return found

    def settle(self) -> None:
        self.held, self.used = self.used, {}
