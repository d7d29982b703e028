#!/usr/bin/env bash
# The release gates (`make release-gates`, part of `make test`): the checks a Galaxy or Automation Hub reviewer runs,
# on the tarball a user gets. Fails on the first gate that fails; prints each gate's time.
#
#   roles      role READMEs match their argument specs (tools/role_readmes.py --check)         ~1 s
#   changelog  antsibull-changelog lint (changelogs/)                                            ~2 s
#   docs       antsibull-docs lint-collection-docs --plugin-docs (docs/docsite, every plugin)     ~30 s
#   lint       ansible-lint --profile production (settings and exceptions: .ansible-lint)   ~12-30 s
#   build      ansible-galaxy collection build (galaxy.yml build_ignore keeps dev files out)      ~1 s
#   galaxy     galaxy-importer on the tarball, Galaxy settings (tools/galaxy-importer/)         ~25 s
#   hub        galaxy-importer on the tarball, Automation Hub settings                          ~20 s
#   install    the tarball installed with ansible-galaxy into a fresh venv made only from the
#              documented requirements, then the demo (setup, provision, sync, report) run from
#              that installed copy (tools/tarball_demo.sh)                                  ~40-90 s
#
# About 2 to 3 minutes in all (the first run also installs .build/release, ~25 s).
# Usage: tools/release_gates.sh [GATE...]   (default: all, in the order above)
# The tools live in their own venv, .build/release (tools/ensure_release_tools.sh), never in .venv.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bin=$(tools/ensure_release_tools.sh)
export PATH="$bin:$PATH"
# ansible.cfg finds the collection at .build/collections (what `make link` makes): make sure it is there, so the
# gates work in a fresh clone too.
link=.build/collections/ansible_collections/hpc/coldfront_ecs
mkdir -p "$(dirname "$link")"
ln -sfn "$repo" "$link"
export ANSIBLE_COLLECTIONS_PATH="$repo/.build/collections"
work=$(mktemp -d "${TMPDIR:-/tmp}/hpc-release-gates.XXXXXX")
trap 'rm -rf "$work"' EXIT
version=$(sed -n 's/^version: *//p' galaxy.yml)
tarball="$work/dist/hpc-coldfront_ecs-$version.tar.gz"

gate_roles() { "$bin/python" tools/role_readmes.py --check; }
gate_changelog() { antsibull-changelog lint; }
gate_docs() {
  # antsibull-docs wants the collection under ansible_collections/<namespace>/<name>: the link above.
  local out="$work/docs-lint.txt"
  (cd "$link" && antsibull-docs lint-collection-docs --plugin-docs .) >"$out" 2>&1 || { cat "$out"; return 1; }
  # It exits 0 on some problems it only prints: any output line naming a file is a finding.
  if grep -E '^[^ ]+:[0-9]+:[0-9]+: ' "$out"; then return 1; fi
}
gate_lint() { ansible-lint --offline --profile production --nocolor -q; }
gate_build() {
  ansible-galaxy collection build --force --output-path "$work/dist" . >/dev/null
  local unwanted listing
  listing=$(tar -tzf "$tarball")
  unwanted=$(echo "$listing" | grep -E '^(Makefile|ansible\.cfg|pytest\.ini|requirements-dev\.txt|tools/|tests/|\.)' |
    grep -vxE '\.ansible-lint|\.ansible-lint-ignore' || true)
  if [ -n "$unwanted" ]; then echo "development files in the tarball (add them to build_ignore):"; echo "$unwanted"; return 1; fi
  for wanted in LICENSE README.md CHANGELOG.rst changelogs/changelog.yaml meta/runtime.yml requirements.txt bindep.txt; do
    grep -qx "$wanted" <<<"$listing" || { echo "$wanted is not in the tarball"; return 1; }
  done
}
# galaxy-importer refuses a collection without `repository`, which galaxy.yml leaves out while the collection has no
# public repository. Until it has one, the importer gates check a copy of the tarball whose MANIFEST.json names
# GALAXY_REPOSITORY_URL (default: a stand-in, announced) - set it, and add it to galaxy.yml, before publishing.
importer_tarball() {
  [ -f "$tarball" ] || gate_build
  if grep -q '^repository:' galaxy.yml; then echo "$tarball"; return; fi
  local copy="$work/importer/$(basename "$tarball")"
  if [ ! -f "$copy" ]; then
    echo "    galaxy.yml has no repository: checking a copy naming ${GALAXY_REPOSITORY_URL:-a stand-in URL}" >&2
    mkdir -p "$work/importer"
    "$bin/python" - "$tarball" "$copy" "${GALAXY_REPOSITORY_URL:-https://example.invalid/hpc/coldfront_ecs}" <<'PY'
import io, json, sys, tarfile
source, target, url = sys.argv[1:]
with tarfile.open(source) as src, tarfile.open(target, 'w:gz') as dst:
    for member in src.getmembers():
        data = src.extractfile(member).read() if member.isfile() else None
        if member.name == 'MANIFEST.json':
            manifest = json.loads(data)
            manifest['collection_info']['repository'] = url
            data = json.dumps(manifest, indent=4).encode()
            member.size = len(data)
        dst.addfile(member, io.BytesIO(data) if data is not None else None)
PY
  fi
  echo "$copy"
}
importer() {
  local config=$1 out="$work/importer-$(basename "$1" .cfg).txt" target
  target=$(importer_tarball)
  # From $work: galaxy-importer writes importer_result.json in its working directory.
  (cd "$work" && GALAXY_IMPORTER_CONFIG="$repo/$config" "$bin/python" -m galaxy_importer.main "$target") >"$out" 2>&1 ||
    { cat "$out"; return 1; }
  # galaxy-importer reports ansible-lint findings and import problems as log lines without failing: fail on them.
  if grep -E '^(WARNING|ERROR)|Traceback' "$out"; then return 1; fi
}
gate_galaxy() { importer tools/galaxy-importer/galaxy.cfg; }
gate_hub() { importer tools/galaxy-importer/automation-hub.cfg; }
gate_install() {
  [ -f "$tarball" ] || gate_build
  tools/tarball_demo.sh "$tarball"
}

gates=("$@")
[ ${#gates[@]} -gt 0 ] || gates=(roles changelog docs lint build galaxy hub install)
for gate in "${gates[@]}"; do
  start=$SECONDS
  echo "==> release gate $gate"
  if ! "gate_$gate"; then
    echo "release gate $gate FAILED after $((SECONDS - start)) s"
    exit 1
  fi
  echo "    $gate passed in $((SECONDS - start)) s"
done
