"""Reading `/peerpress ...` commands out of a pull-request comment (untrusted text).

A command is a line of its own starting with `/peerpress`; lines quoted with `>` or inside a code
block are someone else's words and never commands. Logins follow GitHub's rule for user names.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

PREFIX = "/peerpress"
VERBS = {  # verb → what it takes
    "assign": "login", "unassign": "login", "waive-coi": "login", "accept": "reason", "status": "",
}
LOGIN_RE = re.compile(r"^@?([A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38})$")
MAX_COMMANDS = 10  # one comment cannot make the desk do a hundred things
MAX_BODY = 65_536  # GitHub's own limit for a comment


@dataclass(frozen=True)
class Command:
    verb: str
    login: str = ""
    reason: str = ""
    problem: str = ""  # why it cannot be run, in words for the reply
    line: str = ""


def parse(body: str) -> list[Command]:
    """The commands in a comment, in order; malformed ones carry their `problem`."""
    found, fence = [], ""
    for raw in str(body or "")[:MAX_BODY].replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        mark = re.match(r"^(`{3,}|~{3,})", line)
        if mark:
            if not fence:
                fence = mark.group(1)
            elif line.startswith(fence):
                fence = ""
            continue
        if fence or not re.match(r"^/peerpress(\s|$)", line, re.IGNORECASE):
            continue
        found.append(_one(line))
        if len(found) == MAX_COMMANDS:
            break
    return found


def _one(line: str) -> Command:
    words = line.split(None, 2)
    verb = words[1].lower() if len(words) > 1 else ""
    rest = line.split(None, 2)[2].strip() if len(words) > 2 else ""
    if verb not in VERBS:
        known = ", ".join(f"`{PREFIX} {v}`" for v in VERBS)
        return Command(verb or "(none)", problem=f"unknown command (the commands are {known})", line=line)
    if VERBS[verb] == "login":
        m = LOGIN_RE.match(rest.split()[0]) if rest else None
        if not m or len(rest.split()) > 1:
            return Command(verb, problem=f"`{PREFIX} {verb}` takes one GitHub user name, e.g. "
                                         f"`{PREFIX} {verb} @octocat`", line=line)
        return Command(verb, login=m.group(1), line=line)
    if VERBS[verb] == "" and rest:
        return Command(verb, problem=f"`{PREFIX} {verb}` takes nothing after it", line=line)
    return Command(verb, reason=rest, line=line)
