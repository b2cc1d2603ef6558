#!/usr/bin/env bash
# Runs iacfix over a repository and, when it fixes anything, pushes the
# fixes to a branch and opens a pull request whose body is iacfix's
# Markdown summary. Called by iacfix-remediation.yml; runs anywhere with
# git, iacfix and (to open the pull request) the GitHub CLI.
#
# Environment (all optional):
#   IACFIX        the iacfix command                  (default: iacfix)
#   IACFIX_ARGS   extra arguments, e.g. --unsafe-fixes (default: none)
#   IACFIX_PATHS  what to check                        (default: .)
#   BASE_BRANCH   the branch to fix and to target      (default: the current one)
#   BRANCH        the branch to push                   (default: iacfix/remediation)
#   REMOTE        the remote to push to                (default: origin)
#   GH            the GitHub CLI command               (default: gh)
#
# Exit status: 0 when nothing needed fixing or a pull request was opened
# or updated; non-zero on any failure.
set -euo pipefail

iacfix=${IACFIX:-iacfix}
paths=${IACFIX_PATHS:-.}
base=${BASE_BRANCH:-$(git symbolic-ref --short HEAD)}
branch=${BRANCH:-iacfix/remediation}
remote=${REMOTE:-origin}
gh=${GH:-gh}

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

git checkout -q -B "$branch"
git add -A
git -c user.name="${GIT_AUTHOR_NAME:-iacfix}" -c user.email="${GIT_AUTHOR_EMAIL:-iacfix@users.noreply.github.com}" \
    commit -q -m "Fix insecure AWS resource definitions (iacfix)" -m "$(head -n 3 "$body" | tail -n 1)"
git push -q --force "$remote" "$branch"

title="iacfix: fix insecure AWS resource definitions"
if "$gh" pr view "$branch" >/dev/null 2>&1; then
    "$gh" pr edit "$branch" --title "$title" --body-file "$body"
else
    "$gh" pr create --base "$base" --head "$branch" --title "$title" --body-file "$body"
fi
