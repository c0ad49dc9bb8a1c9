#!/usr/bin/env bash
# Writes the review records of merged pull requests onto the main branch (CONTRIBUTING.md, "How a
# review becomes a record"). Run by publish.yml before every build; tests/test_record_workflow.py
# runs this very file against a bare repository and a local stand-in for GitHub's REST API.
#
#   record-reviews.sh --no-commit PR         only writes PR's records into the checkout, as it is
#                                            (review.yml, to show the status during review)
#
# Which pull requests (the first that applies):
#   record-reviews.sh PR...                  these (merged) pull requests
#   PR=N                                     the same, from a workflow_dispatch input
#   GITHUB_EVENT_NAME=push BEFORE=.. AFTER=..  those merged by the commits of this push, and those
#                                            merged in the last RECENT_DAYS days (default 2): a
#                                            newer push replaces a queued run, and this catches up
#   otherwise                                those merged in the last RECENT_DAYS days (default 7):
#                                            the daily run catches reviews written after a merge
# Environment: GITHUB_REPOSITORY (owner/name), GITHUB_API_URL, GH_TOKEN (reads pull requests),
# BRANCH (default main), REMOTE (default origin), PEERPRESS (default peerpress), RETRIES (default 5).
#
# Nothing is lost: the records are worked out again from GitHub's reviews on every run (importing
# a review again rewrites its record), and a rejected push (main moved on meanwhile) is retried on
# the new main. The commit it ends at is written as sha=... to $GITHUB_OUTPUT when that is set.
set -euo pipefail
# shellcheck disable=SC1091 # on-main.sh is checked on its own
source "$(dirname "${BASH_SOURCE[0]}")/on-main.sh"

COMMIT=1
if [ "${1:-}" = --no-commit ]; then
    COMMIT=0
    shift
fi

BRANCH=${BRANCH:-main}
REMOTE=${REMOTE:-origin}
PEERPRESS=${PEERPRESS:-peerpress}
RETRIES=${RETRIES:-5}
API=${GITHUB_API_URL:-https://api.github.com}/repos/${GITHUB_REPOSITORY:?set GITHUB_REPOSITORY to owner/name}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

api() {  # api PATH OUTFILE: one GET of GitHub's REST API
    curl --fail --silent --show-error --location --retry 3 \
        -H "Accept: application/vnd.github+json" -H "X-GitHub-Api-Version: 2022-11-28" \
        ${GH_TOKEN:+-H "Authorization: Bearer $GH_TOKEN"} "$API/$1" -o "$2"
}

merged_by_push() {  # the merged pull requests whose commits this push brought in
    local range="$AFTER" sha
    if [ -n "${BEFORE:-}" ] && [ "${BEFORE//0/}" != "" ] && git cat-file -e "$BEFORE^{commit}" 2>/dev/null; then
        range="$BEFORE..$AFTER"
    else
        range="-1 $AFTER"
    fi
    # shellcheck disable=SC2086 # range is one or two words on purpose
    for sha in $(git rev-list --first-parent $range); do
        api "commits/$sha/pulls" "$WORK/pulls-$sha.json"
        jq -r --arg branch "$BRANCH" '.[] | select(.merged_at and .base.ref == $branch) | .number' "$WORK/pulls-$sha.json"
    done | sort -un
}

merged_recently() {  # merged_recently DAYS
    api "pulls?state=closed&base=$BRANCH&sort=updated&direction=desc&per_page=100" "$WORK/closed.json"
    jq -r --argjson days "$1" \
        '.[] | select(.merged_at and (.merged_at | fromdateiso8601) >= now - $days * 86400) | .number' "$WORK/closed.json"
}

if [ $# -gt 0 ]; then
    prs="$*"
elif [ -n "${PR:-}" ]; then
    prs="$PR"
elif [ "${GITHUB_EVENT_NAME:-}" = push ]; then
    prs=$( { merged_by_push; merged_recently "${RECENT_DAYS:-2}"; } | sort -un)
else
    prs=$(merged_recently "${RECENT_DAYS:-7}")
fi
for pr in $prs; do
    case "$pr" in *[!0-9]*|"") echo "not a pull request number: '$pr'" >&2; exit 2;; esac
done
if [ -z "$prs" ]; then
    echo "No merged pull requests to record."
fi

# Each pull request's reviews (every page), and its commits, so that each review's text can be read.
for pr in $prs; do
    page=1
    pages=()
    while :; do
        pages+=("$WORK/reviews-$pr-$page.json")
        api "pulls/$pr/reviews?per_page=100&page=$page" "${pages[-1]}"
        [ "$(jq length "${pages[-1]}")" -eq 100 ] || break
        page=$((page + 1))
    done
    jq -s add "${pages[@]}" > "$WORK/reviews-$pr.json"
    # a checkout without credentials (review.yml) of a private repository cannot fetch: it has the
    # pull request's branch already
    git fetch --quiet "$REMOTE" "+refs/pull/$pr/head:refs/remotes/$REMOTE/pull/$pr" || [ "$COMMIT" = 0 ]
    for sha in $(jq -r '[.[].commit_id | select(.)] | unique | .[]' "$WORK/reviews-$pr.json"); do
        # a commit the author later force-pushed away is no longer in the pull request's branch
        git cat-file -e "$sha^{commit}" 2>/dev/null || git fetch --quiet "$REMOTE" "$sha" || true
    done
done

failed=0
import_all() {
    for pr in $prs; do
        "$PEERPRESS" review import --github-reviews "$WORK/reviews-$pr.json" --pr "$pr" \
            --base "$REMOTE/$BRANCH" --format "${FORMAT:-text}" || failed=1
        # editors' decisions from /peerpress comments, waiting on main under desk/ (generator/desk/ledger.py)
        "$PEERPRESS" desk settle --pr "$pr" --base "$REMOTE/$BRANCH" --format "${FORMAT:-text}" || failed=1
    done
}

if [ "$COMMIT" = 0 ]; then
    import_all
    exit "$failed"
fi

# shellcheck disable=SC2086 # the numbers were checked above: one word each
commit_on_main reviews "Review records of pull requests:$(printf ' #%s' $prs)" \
    "Recorded the reviews of pull requests:$(printf ' #%s' $prs)" "No review records changed." import_all

if [ -n "${GITHUB_OUTPUT:-}" ]; then
    echo "sha=$(git rev-parse HEAD)" >> "$GITHUB_OUTPUT"
fi
exit "$failed"
