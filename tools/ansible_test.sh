#!/usr/bin/env bash
# Run ansible-test on a copy of the tracked tree laid out as ansible_collections/hpc/coldfront_ecs
# (ansible-test needs that path and resolves symlinks, so a copy it is). Each run gets its own copy,
# so several runs can go at once. Arguments go to ansible-test, e.g. `sanity --venv --python 3.11`.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/hpc-ansible-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
dest="$work/ansible_collections/hpc/coldfront_ecs"
mkdir -p "$dest"
cd "$repo"
git ls-files -z --cached --others --exclude-standard |
  tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -xf - -C "$dest"
# ansible-test fetches get-pip.py from a host outside the reachable registries: use the offline stand-in.
mkdir -p ~/.ansible/test/cache
for version in 24_2 24_0 25_0; do
  cp "$repo/tools/get_pip_offline.py" ~/.ansible/test/cache/get_pip_${version}.py
done
cd "$dest"
"$repo/.venv/bin/ansible-test" "$@"
