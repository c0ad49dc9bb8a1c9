#!/usr/bin/env bash
# The Crossref deposit of newly published posts (publish.yml's build job, after the build).
# Writes crossref/deposit.xml when the blog has a doi_prefix and a published post with a DOI may
# have just appeared (`peerpress desk deposits`); the workflow attaches it as an artifact. It is
# submitted to Crossref only when this Peerpress has `crossref --submit` and the CROSSREF_USERNAME
# and CROSSREF_PASSWORD secrets are set; otherwise an editor submits the artifact by hand.
# Environment: BEFORE (the push's previous commit; empty on a scheduled run), PEERPRESS.
set -euo pipefail

PEERPRESS=${PEERPRESS:-peerpress}
mkdir -p crossref
mapfile -t posts < <("$PEERPRESS" desk deposits ${BEFORE:+--since "$BEFORE"})
if [ "${#posts[@]}" -eq 0 ]; then
    echo "No newly published posts with DOIs to deposit."
    exit 0
fi
"$PEERPRESS" crossref "${posts[@]}" --out crossref/deposit.xml
echo "Wrote crossref/deposit.xml for: ${posts[*]}"
if ! "$PEERPRESS" crossref --help | grep -q -- --submit; then
    echo "This Peerpress cannot submit deposits: submit crossref/deposit.xml (the run's artifact) by hand."
elif [ -z "${CROSSREF_USERNAME:-}" ] || [ -z "${CROSSREF_PASSWORD:-}" ]; then
    echo "CROSSREF_USERNAME and CROSSREF_PASSWORD are not set: submit crossref/deposit.xml by hand."
else  # --production where this Peerpress has it (without it, --submit goes to Crossref's test system)
    production=$("$PEERPRESS" crossref --help | grep -o -- --production || true)
    "$PEERPRESS" crossref "${posts[@]}" --submit ${production:+"$production"}
fi
