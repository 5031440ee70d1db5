#!/usr/bin/env bash
# Checks out COMMIT (default: HEAD~1) as target/ab-old, renumbered 0.0.1 so
# that cargo can link it beside the working tree's simdconv.
set -euo pipefail
commit="${1:-HEAD~1}"
root="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
old="$root/target/ab-old"
if [ -e "$old" ]; then
    git -C "$root" worktree remove --force "$old"
fi
git -C "$root" worktree add --detach "$old" "$commit" >/dev/null
sed -i 's/^version = "[^"]*"/version = "0.0.1"/' "$old/Cargo.toml"
echo "target/ab-old is $(git -C "$old" log --oneline -1)"
