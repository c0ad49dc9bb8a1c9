"""Put Pagefind's filter index in a fixed order, so two builds of one commit are byte-identical.

Pagefind writes each filter (tag, audience, ...) with its values in hash-map order and names the
file after a hash of those bytes; the metadata file lists the filter files and is itself named
by hash in `pagefind-entry.json` (Pagefind issue #638). The files are gzip'd "pagefind_dcd" +
CBOR. Here each filter's values are sorted, the files re-encoded and renamed after a hash of
their new content, and the references to them rewritten. Pagefind's loader fetches files by
the names the metadata gives and checks no hash, so the index works as before.
"""
from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import cbor2

SIGNATURE = b"pagefind_dcd"
VERSION = "1"  # part of the search cache key: bump when the canonical form changes


def decode(path: Path):
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise ValueError(f"{path.name} is not a Pagefind index file")
    return cbor2.loads(data[len(SIGNATURE):])


def encode(value) -> tuple[bytes, str]:
    """The file's bytes (gzip without a timestamp) and the hex digest naming it."""
    payload = SIGNATURE + cbor2.dumps(value, canonical=True)
    return gzip.compress(payload, compresslevel=9, mtime=0), hashlib.sha256(payload).hexdigest()


def canonicalize(bundle: Path) -> None:
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language in entry["languages"].values():
        meta_path = bundle / f"pagefind.{language['hash']}.pf_meta"
        meta = decode(meta_path)
        filters = []
        for name, old in meta[3]:
            filters.append([name, _rewrite_filter(bundle / "filter", old)])
        meta[3] = sorted(filters)
        data, digest = encode(meta)
        prefix = language["hash"].rsplit("_", 1)[0]
        language["hash"] = f"{prefix}_{digest[:10]}"
        meta_path.unlink()
        (bundle / f"pagefind.{language['hash']}.pf_meta").write_bytes(data)
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _rewrite_filter(folder: Path, name: str) -> str:
    path = folder / f"{name}.pf_filter"
    filter_name, values = decode(path)
    data, digest = encode([filter_name, sorted(values, key=lambda v: v[0])])
    new = f"{name.rsplit('_', 1)[0]}_{digest[:7]}"
    path.unlink()
    (folder / f"{new}.pf_filter").write_bytes(data)
    return new
