# shellcheck shell=bash
# Sourced by record-reviews.sh and desk.sh: the one way they write onto the main branch.
#
# commit_on_main FOLDER MESSAGE DONE UNCHANGED WORK...
#   checks out $REMOTE/$BRANCH afresh, runs the command WORK..., commits what it changed under
#   FOLDER with MESSAGE and pushes. A rejected push (someone pushed to main meanwhile) starts
#   again on the new main, up to $RETRIES times: the work is done again rather than rebased, so
#   nothing another run wrote is lost. Prints DONE after a push, UNCHANGED (if not empty) when
#   nothing changed.
commit_on_main() {
    local folder=$1 message=$2 done=$3 unchanged=$4 attempt=1
    shift 4
    while :; do
        git fetch --quiet "$REMOTE" "$BRANCH"
        git checkout --quiet --force -B "$BRANCH" "$REMOTE/$BRANCH"
        git clean --quiet -fd -- "$folder"
        "$@"
        if [ -d "$folder" ]; then  # a run that wrote nothing leaves no folder on a blog that has none yet
            git add --all -- "$folder"
        fi
        if git diff --cached --quiet; then
            [ -z "$unchanged" ] || echo "$unchanged"
            return 0
        fi
        git -c user.name="github-actions[bot]" -c user.email="41898282+github-actions[bot]@users.noreply.github.com" \
            commit --quiet -m "$message"
        if git push --quiet "$REMOTE" "HEAD:refs/heads/$BRANCH"; then
            echo "$done"
            return 0
        fi
        if [ "$attempt" -ge "$RETRIES" ]; then
            echo "$BRANCH kept moving: gave up after $attempt pushes (run it again)" >&2
            return 1
        fi
        echo "$BRANCH moved on meanwhile: doing it again on the new $BRANCH (attempt $((attempt + 1)))" >&2
        attempt=$((attempt + 1))
        sleep "$attempt"
    done
}
