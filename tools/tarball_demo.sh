#!/usr/bin/env bash
# The built collection tarball as a user gets it (release gate `install`, tools/release_gates.sh):
#   1. a fresh venv made only from the documented requirements (README "Install": ansible-core and the
#      collection's requirements.txt, ColdFront from PyPI), nothing of the development tree;
#   2. `ansible-galaxy collection install TARBALL` into a clean collections path;
#   3. the demo (tools/demo.py: a throwaway ColdFront and ECS simulators) runs setup, provision, sync and report
#      with that venv's ansible-playbook on that installed copy (HPC_DEMO_COLLECTIONS_PATH, HPC_DEMO_ANSIBLE_BIN).
# The demo's own harness (ColdFront site builder, simulators) runs in .venv; the playbooks, modules and the
# inventory plugin run in the fresh venv. Usage: tools/tarball_demo.sh path/to/hpc-coldfront_ecs-X.Y.Z.tar.gz
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
tarball=$(readlink -f "$1")
python=${PYTHON:-python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/hpc-tarball-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
user_venv="$work/venv"
collections="$work/collections"
# TARBALL_DEMO_VENV and TARBALL_DEMO_COLLECTIONS: a venv and a collections path where the README's install commands
# already installed TARBALL (release gate install, tools/release_gates.sh); the demo then runs on them.
if [ -n "${TARBALL_DEMO_VENV:-}" ]; then
  user_venv=$TARBALL_DEMO_VENV collections=$TARBALL_DEMO_COLLECTIONS
else
  # The README's install commands.
  "$python" -m venv "$user_venv"
  "$user_venv/bin/python" -m pip install --quiet --upgrade pip 2>"$work/pip.txt" || { cat "$work/pip.txt"; exit 1; }
  "$user_venv/bin/python" -m pip install --quiet 'ansible-core>=2.19,<2.20' -r "$repo/requirements.txt" \
    2>"$work/pip.txt" || { cat "$work/pip.txt"; exit 1; }
  # Away from the checkout and its ansible.cfg, as a user installs it.
  (cd "$work" && env -u ANSIBLE_CONFIG -u ANSIBLE_COLLECTIONS_PATH \
    "$user_venv/bin/ansible-galaxy" collection install --collections-path "$collections" "$tarball" >/dev/null 2>&1)
fi
installed="$collections/ansible_collections/hpc/coldfront_ecs"
test -f "$installed/MANIFEST.json" || { echo "the collection is not installed in $installed"; exit 1; }
for dev in Makefile tests tools ansible.cfg; do
  if [ -e "$installed/$dev" ]; then echo "the installed collection carries $dev"; exit 1; fi
done
HPC_DEMO_COLLECTIONS_PATH="$collections" HPC_DEMO_ANSIBLE_BIN="$user_venv/bin" \
  "$repo/.venv/bin/python" "$repo/tools/demo.py" --dir "$work/demo" >"$work/demo.txt" 2>&1 ||
  { cat "$work/demo.txt"; echo "the demo failed on the installed collection"; exit 1; }
grep -q 'the collection: the installed copy' "$work/demo.txt" || { cat "$work/demo.txt"; exit 1; }
if grep -E 'FAILED|skipped$' "$work/demo.txt"; then cat "$work/demo.txt"; exit 1; fi
grep -E '^==> |^    (ok|FAILED)' "$work/demo.txt"
