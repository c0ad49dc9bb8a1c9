#!/usr/bin/env bash
# Reminds assigned reviewers whose reviews are past review.deadline_days (.github/workflows/remind.yml).
# Runs main's own code on main's checkout. For each open pull request with a desk log on main
# (desk/pr-N/assignments.yaml), it reads the pull request's reviews from GitHub's REST API (data) and
# asks `peerpress desk remind` whom to remind; it comments only when someone is overdue.
# Environment: GITHUB_REPOSITORY, GH_TOKEN, PEERPRESS (default peerpress), GH (default gh).
set -euo pipefail

PEERPRESS=${PEERPRESS:-peerpress}
GH=${GH:-gh}
: "${GITHUB_REPOSITORY:?set GITHUB_REPOSITORY to owner/name}"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

for log in desk/pr-*/assignments.yaml; do
    [ -e "$log" ] || continue
    pr=${log#desk/pr-}
    pr=${pr%/assignments.yaml}
    case "$pr" in *[!0-9]*|"") continue;; esac
    "$GH" api "repos/$GITHUB_REPOSITORY/pulls/$pr" > "$WORK/pull.json"
    [ "$(jq -r .state "$WORK/pull.json")" = open ] || continue
    "$GH" api --paginate "repos/$GITHUB_REPOSITORY/pulls/$pr/reviews?per_page=100" | jq -s 'add // []' > "$WORK/reviews.json"
    "$PEERPRESS" desk remind --pr "$pr" --reviews "$WORK/reviews.json" --reply "$WORK/reminder.md"
    if [ -s "$WORK/reminder.md" ]; then
        "$GH" api -X POST "repos/$GITHUB_REPOSITORY/issues/$pr/comments" -F "body=@$WORK/reminder.md" > /dev/null
        echo "Reminded the overdue reviewers of pull request #$pr"
    fi
done
