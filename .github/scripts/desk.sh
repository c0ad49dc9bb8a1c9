#!/usr/bin/env bash
# Carries out an editor's /peerpress comment on a pull request (.github/workflows/desk.yml;
# CONTRIBUTING.md, "For editors"). Runs main's own code on main's checkout: the pull request's
# commits are fetched as data (peerpress reads which posts they change with git) and never checked
# out. The comment reaches peerpress only as the event file. Its effects are files under desk/,
# committed onto main by commit_on_main (on-main.sh), which retries on a rejected push; then the reply
# (or a polite refusal for anyone who is not an editor) is posted on the pull request.
#
# Environment: PR (the pull request's number), GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GH_TOKEN,
# BRANCH (default main), REMOTE (default origin), PEERPRESS (default peerpress), GH (default gh),
# RETRIES (default 5).
set -euo pipefail
# shellcheck disable=SC1091 # on-main.sh is checked on its own
source "$(dirname "${BASH_SOURCE[0]}")/on-main.sh"

BRANCH=${BRANCH:-main}
REMOTE=${REMOTE:-origin}
PEERPRESS=${PEERPRESS:-peerpress}
GH=${GH:-gh}
RETRIES=${RETRIES:-5}
case "${PR:-}" in *[!0-9]*|"") echo "not a pull request number: '${PR:-}'" >&2; exit 2;; esac
: "${GITHUB_EVENT_PATH:?set GITHUB_EVENT_PATH to the issue_comment payload}"
: "${GITHUB_REPOSITORY:?set GITHUB_REPOSITORY to owner/name}"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

git fetch --quiet "$REMOTE" "+refs/pull/$PR/head:refs/remotes/$REMOTE/pull/$PR"

status=0
# shellcheck disable=SC2317 # run by commit_on_main (on-main.sh)
run_desk() {
    status=0
    "$PEERPRESS" desk run --github-event "$GITHUB_EVENT_PATH" --head "$REMOTE/pull/$PR" \
        --base "$REMOTE/$BRANCH" --reply "$WORK/reply.md" --format "${FORMAT:-text}" || status=$?
}
commit_on_main desk "Editorial desk: pull request #$PR" \
    "Recorded the editorial desk's decisions for pull request #$PR" "" run_desk

if [ -s "$WORK/reply.md" ]; then
    "$GH" api -X POST "repos/$GITHUB_REPOSITORY/issues/$PR/comments" -F "body=@$WORK/reply.md" > /dev/null
fi
exit "$status"
