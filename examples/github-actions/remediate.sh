#!/usr/bin/env bash
# Runs iacfix over a repository and, when it fixes anything, pushes the
# fixes to a branch and opens a pull request whose body is iacfix's
# Markdown summary. Called by iacfix-remediation.yml; runs anywhere with
# git, iacfix and (to open the pull request) the GitHub CLI.
#
# Environment (all optional):
#   IACFIX            the iacfix command                  (default: iacfix)
#   IACFIX_ARGS       extra arguments, e.g. --unsafe-fixes (default: none)
#   IACFIX_PATHS      what to check                        (default: .)
#   BASE_BRANCH       the branch to fix and to target      (default: the current one)
#   BRANCH            the branch to push                   (default: iacfix/remediation)
#   REMOTE            the remote to push to                (default: origin)
#   GH                the GitHub CLI command               (default: gh)
#   GIT_AUTHOR_NAME   the name the fixes are committed under
#                                                          (default: iacfix)
#   GIT_AUTHOR_EMAIL  the address they are committed under; commits with
#                     another author or committer are not the bot's
#                                    (default: iacfix@users.noreply.github.com)
#
# The branch belongs to the bot. It is replaced on every run, but only
# while it holds nothing else: when the remote branch has a commit (not on
# the base branch) whose author or committer is not the address above,
# someone has added to the pull request, and the script leaves the branch
# and the pull request alone and says so. The push is a
# --force-with-lease against the branch head it looked at, so a commit
# pushed in the meantime is never overwritten either (the push fails).
#
# Exit status: 0 when nothing needed fixing, when a pull request was opened
# or updated, or when the branch holds someone else's commits (skipped,
# with a warning); non-zero on any failure, among them a push refused
# because the branch moved while the script ran.
set -euo pipefail

iacfix=${IACFIX:-iacfix}
paths=${IACFIX_PATHS:-.}
base=${BASE_BRANCH:-$(git symbolic-ref --short HEAD)}
branch=${BRANCH:-iacfix/remediation}
remote=${REMOTE:-origin}
gh=${GH:-gh}
bot_name=${GIT_AUTHOR_NAME:-iacfix}
bot_email=${GIT_AUTHOR_EMAIL:-iacfix@users.noreply.github.com}

warn() {
    echo "remediate: $*" >&2
    # A warning on the workflow run's summary page as well.
    if [ "${GITHUB_ACTIONS:-}" = true ]; then
        echo "::warning title=iacfix remediation::$*"
    fi
}

if [ -n "$(git status --porcelain)" ]; then
    echo "remediate: the working tree has changes; run on a clean checkout" >&2
    exit 1
fi

body=$(mktemp)
trap 'rm -f "$body"' EXIT

# Exit status 1 only means findings remain; 2 is a real failure.
status=0
# shellcheck disable=SC2086
"$iacfix" --write --format markdown ${IACFIX_ARGS:-} $paths >"$body" || status=$?
if [ "$status" -ge 2 ]; then
    echo "remediate: iacfix failed (exit $status)" >&2
    cat "$body" >&2
    exit "$status"
fi

if [ -z "$(git status --porcelain)" ]; then
    echo "remediate: nothing to fix"
    exit 0
fi

# The branch as it is on the remote now (empty when it does not exist):
# the push below replaces exactly this commit, or creates the branch.
base_head=$(git rev-parse HEAD)
lease=
found=0
git ls-remote --exit-code --heads "$remote" "refs/heads/$branch" >/dev/null || found=$?
if [ "$found" -ne 0 ] && [ "$found" -ne 2 ]; then
    echo "remediate: cannot list the branches of $remote (git ls-remote exit $found)" >&2
    exit 1
fi
if [ "$found" -eq 0 ]; then
    git fetch -q "$remote" "+refs/heads/$branch:refs/remotes/$remote/$branch"
    lease=$(git rev-parse "refs/remotes/$remote/$branch")
    # Every commit on the branch that is not on the base branch, unless
    # both its author and its committer are the bot.
    others=$(git log --format='%ae%x09%ce%x09%h %an <%ae>: %s' "$lease" --not "$base_head" |
        awk -F '\t' -v bot="$bot_email" 'tolower($1) != tolower(bot) || tolower($2) != tolower(bot) { print "  " $3 }')
    if [ -n "$others" ]; then
        warn "$remote/$branch has commits by someone other than $bot_email; leaving the branch and its pull request alone (merge or close the pull request, or delete the branch, and the next run proposes fixes again):"
        printf '%s\n' "$others" >&2
        # Undo this run's fixes (the tree was clean before iacfix ran).
        git reset -q --hard
        git clean -q -fd
        exit 0
    fi
fi

git checkout -q -B "$branch"
git add -A
GIT_AUTHOR_NAME=$bot_name GIT_AUTHOR_EMAIL=$bot_email GIT_COMMITTER_NAME=$bot_name GIT_COMMITTER_EMAIL=$bot_email \
    git commit -q -m "Fix insecure AWS resource definitions (iacfix)" -m "$(head -n 3 "$body" | tail -n 1)"
if [ -n "$lease" ] && git diff --quiet "$lease" HEAD; then
    echo "remediate: $remote/$branch already holds these fixes"
elif ! git push -q --force-with-lease="refs/heads/$branch:$lease" "$remote" "HEAD:refs/heads/$branch"; then
    echo "remediate: pushing $remote/$branch failed; if the branch changed since it was fetched, nothing was overwritten (run again)" >&2
    exit 1
fi

title="iacfix: fix insecure AWS resource definitions"
if "$gh" pr view "$branch" >/dev/null 2>&1; then
    "$gh" pr edit "$branch" --title "$title" --body-file "$body"
else
    "$gh" pr create --base "$base" --head "$branch" --title "$title" --body-file "$body"
fi
