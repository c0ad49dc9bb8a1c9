"""Signed reviews (`review.require_signed`): who signed the commit that added a review record.

Git verifies SSH signatures against an "allowed signers" file: one line per key, naming the
principal the key belongs to. Peerpress writes that file from `people:` in site.yaml, with the
person's id as principal, so `git log --format=%G?%x1f%GS` says directly *which person* signed a
commit. The committer field is never trusted: anyone can write any name there, but only the
holder of a private key can produce a signature that verifies against the public key listed
under a person in site.yaml.
"""
from __future__ import annotations

import base64
import binascii
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .model import Config

# Key types ssh-keygen can sign git commits with (hardware-backed sk- keys included).
KEY_TYPES = ("ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
             "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com")
# %G? letters git prints; only a good signature by a listed key counts.
GOOD = "G"


def ssh_key_problem(value: str) -> str | None:
    """A public key as in ~/.ssh/id_ed25519.pub: type, base64 blob whose own header repeats the type."""
    parts = value.split()
    if len(parts) < 2 or parts[0] not in KEY_TYPES:
        return "is not an SSH public key like 'ssh-ed25519 AAAAC3Nz... name' (the contents of your .pub file)"
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        return "has a damaged key part (copy the whole line of the .pub file)"
    size = int.from_bytes(blob[:4], "big") if len(blob) >= 4 else -1
    if blob[4:4 + size].decode("ascii", "replace") != parts[0]:
        return "has a key part that does not match its type (copy the whole line of the .pub file)"
    return None


def allowed_signers(config: Config) -> str:
    """The allowed-signers file for git: `<person-id> namespaces="git" <key>`, sorted."""
    lines = []
    for pid, person in sorted(config.people.items()):
        for key in person.ssh_keys:
            kind, blob = key.split()[:2]
            lines.append(f'{pid} namespaces="git" {kind} {blob}')
    return "\n".join(lines) + ("\n" if lines else "")


@contextmanager
def signers_file(config: Config) -> Iterator[Path]:
    """A temporary allowed-signers file for one git command; removed afterwards."""
    fd, name = tempfile.mkstemp(prefix="peerpress-signers-", suffix=".txt")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(allowed_signers(config))
        yield Path(name)
    finally:
        os.unlink(name)


def signer(config: Config, status: str, principal: str) -> str:
    """The person who signed a commit, from git's %G? and %GS; "" unless the signature is good.

    The principal comes from our own allowed-signers file, so it is a people id; it is checked
    against `people:` again anyway, in case git was pointed at another file."""
    if status != GOOD or principal not in config.people:
        return ""
    return principal
