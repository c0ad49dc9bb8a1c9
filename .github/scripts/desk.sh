#!/usr/bin/env bash
# Carries out an editor's /peerpress comment on a pull request (.github/workflows/desk.yml;
# CONTRIBUTING.md, "For editors"). Runs main's own code on main's checkout: the pull request's
# commits are fetched as data (peerpress reads which posts they change with git) and never checked
# out. The comment reaches peerpress only as the event file. Its effects are files under desk/,
# committed onto main with the same retry on a rejected push as record-reviews.sh; then the reply
# (or a polite refusal for anyone who is not an editor) is posted on the pull request.
#
# Environment: PR (the pull request's number), GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GH_TOKEN,
# BRANCH (default main), REMOTE (default origin), PEERPRESS (default peerpress), GH (default gh),
# RETRIES (default 5).
set -euo pipefail

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
attempt=1
while :; do
    git fetch --quiet "$REMOTE" "$BRANCH"
    git checkout --quiet --force -B "$BRANCH" "$REMOTE/$BRANCH"
    git clean --quiet -fd -- desk
    status=0
    "$PEERPRESS" desk run --github-event "$GITHUB_EVENT_PATH" --head "$REMOTE/pull/$PR" \
        --base "$REMOTE/$BRANCH" --reply "$WORK/reply.md" --format "${FORMAT:-text}" || status=$?
    if [ -d desk ]; then  # a refusal leaves no desk/ on a blog that has none yet
        git add --all -- desk
    fi
    if git diff --cached --quiet; then
        break
    fi
    git -c user.name="github-actions[bot]" -c user.email="41898282+github-actions[bot]@users.noreply.github.com" \
        commit --quiet -m "Editorial desk: pull request #$PR"
    if git push --quiet "$REMOTE" "HEAD:refs/heads/$BRANCH"; then
        echo "Recorded the editorial desk's decisions for pull request #$PR"
        break
    fi
    if [ "$attempt" -ge "$RETRIES" ]; then
        echo "$BRANCH kept moving: gave up after $attempt pushes (post the command again)" >&2
        exit 1
    fi
    echo "$BRANCH moved on meanwhile: doing it again on the new $BRANCH (attempt $((attempt + 1)))" >&2
    attempt=$((attempt + 1))
    sleep "$attempt"
done

if [ -s "$WORK/reply.md" ]; then
    "$GH" api -X POST "repos/$GITHUB_REPOSITORY/issues/$PR/comments" -F "body=@$WORK/reply.md" > /dev/null
fi
exit "$status"
