#!/usr/bin/env bash
# The release gates (`make release-gates`, part of `make test`): the checks a Galaxy or Automation Hub reviewer runs,
# on the tarball a user gets. Fails on the first gate that fails; prints each gate's time.
#
#   roles      role READMEs match their argument specs (tools/role_readmes.py --check)                ~1 s
#   changelog  antsibull-changelog lint (changelogs/); no version_added after galaxy.yml's version     ~5-7 s
#   docs       antsibull-docs lint-collection-docs --plugin-docs (docs/docsite, every plugin)       ~30-40 s
#   docsite    the docsite as antsibull-docs publishes it: the guide pages up to date with docs/*.md
#              (tools/docsite_guides.py --check), antsibull-docs sphinx-init + its build.sh (Sphinx),
#              no warning but those of the unreachable intersphinx inventories, a page for every
#              plugin, role and guide (tools/docsite_check.py)                                     ~20-110 s
#   lint       ansible-lint --profile production (settings and exceptions: .ansible-lint)          ~12-70 s
#   build      ansible-galaxy collection build (galaxy.yml build_ignore keeps dev files out)         ~2 s
#   galaxy     galaxy-importer on the tarball, Galaxy settings (tools/galaxy-importer/)          ~25-105 s
#   hub        galaxy-importer on the tarball, Automation Hub settings                            ~20-110 s
#   install    README.md's install commands run as written (fresh HOME and venv, only the documented
#              requirements, ansible-galaxy collection install of the tarball), then the demo (setup,
#              provision, sync, report) run from that installed copy (tools/tarball_demo.sh)   ~60-200 s
#
# galaxy.yml names no `repository` (no public home yet), which galaxy-importer requires: the galaxy and hub gates
# check a copy of the tarball whose MANIFEST.json names GALAXY_REPOSITORY_URL or a stand-in (see importer_tarball).
# The ranges: an idle machine, and 2 cores shared with other test runs. About 3 to 4 minutes in all on an idle
# machine, up to 12 under load (the first run also installs .build/release, one more minute or so).
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
# No plugin or option may say it was added after the version being built: every version_added of the tarball is at
# most galaxy.yml's version (a plugin in the 1.0.0 tarball was added in 1.0.0, whatever its changelog fragment says).
late_version_added() {
  local line added
  grep -rnE --include='*.py' --include='*.yml' '^ *version_added: *' plugins extensions | while IFS= read -r line; do
    added=$(sed -E "s/.*version_added: *['\"]?([^'\" ]+).*/\1/" <<<"$line")
    [ "$(printf '%s\n%s\n' "$added" "$version" | sort -V | tail -n 1)" = "$version" ] || echo "$line"
  done
}
gate_changelog() {
  antsibull-changelog lint || return 1
  local late
  late=$(late_version_added)
  [ -z "$late" ] || { echo "version_added after galaxy.yml's version $version (the tarball holds them):"; echo "$late"; return 1; }
}
gate_docs() {
  # antsibull-docs wants the collection under ansible_collections/<namespace>/<name>: the link above.
  local out="$work/docs-lint.txt"
  (cd "$link" && antsibull-docs lint-collection-docs --plugin-docs .) >"$out" 2>&1 || { cat "$out"; return 1; }
  # It exits 0 on some problems it only prints: any output line naming a file is a finding.
  if grep -E '^[^ ]+:[0-9]+:[0-9]+: ' "$out"; then return 1; fi
}
# The docsite as the ecosystem publishes it: antsibull-docs sphinx-init, then its build.sh (antsibull-docs collection,
# sphinx-build), plugins, roles and the guides (docs/docsite/extra-docs.yml, pages made by tools/docsite_guides.py).
# build.sh runs sphinx-build -W; here it keeps going and writes its warnings to a file, which tools/docsite_check.py
# judges: docs.python.org, jinja and docs.ansible.com (the intersphinx inventories) are not reachable from the
# build, and the warnings that only those cause are allowed (listed in tools/docsite_check.py); any other fails.
# DOCSITE_DIR=<dir> keeps the site (HTML in <dir>/build/html).
gate_docsite() {
  local site=${DOCSITE_DIR:-$work/docsite}
  "$bin/python" tools/docsite_guides.py --check || return 1
  [ ! -e "$site" ] || [ -f "$site/build.sh" ] || { echo "DOCSITE_DIR=$site is not a docsite of this gate: name a new directory"; return 1; }
  rm -rf "$site" && mkdir -p "$site"
  antsibull-docs sphinx-init --use-current --fail-on-error --dest-dir "$site" hpc.coldfront_ecs >/dev/null || return 1
  grep -q -- ' -W --keep-going$' "$site/build.sh" ||
    { echo "$site/build.sh: no 'sphinx-build ... -W --keep-going' line to send the warnings to a file"; return 1; }
  sed -i "s| -W --keep-going\$| --keep-going -w \"$site/warnings.txt\"|" "$site/build.sh" || return 1
  "$site/build.sh" >"$site/build.log" 2>&1 || { cat "$site/build.log"; return 1; }
  "$bin/python" tools/docsite_check.py "$site"
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
# The README's install commands (the first bash block of "Using it against your ColdFront and ECS"), run as written,
# from the directory of the tarball, with a fresh HOME (~/coldfront-ecs and ~/.ansible/collections are the gate's)
# and the PATH the gates started with; then the installed collection is read from that venv as the README says.
readme_install() {
  local home="$work/home" script="$work/readme-install.sh" venv log="$work/readme-install.txt"
  awk '/^## Using it against/ {section = 1} section && /^ *```bash$/ {block = 1; next}
       block && /^ *```$/ {exit} block {sub(/^   /, ""); print}' README.md >"$script"
  grep -q "collection install $(basename "$tarball")" "$script" ||
    { echo "README.md: the install commands do not install $(basename "$tarball"):"; cat "$script"; return 1; }
  mkdir -p "$home"
  (cd "$(dirname "$tarball")" && env -u ANSIBLE_CONFIG -u ANSIBLE_COLLECTIONS_PATH -u VIRTUAL_ENV HOME="$home" \
    PATH="${PATH#"$bin:"}" PYENV_ROOT="${PYENV_ROOT:-$HOME/.pyenv}" PIP_CACHE_DIR="${PIP_CACHE_DIR:-$HOME/.cache/pip}" \
    bash -euo pipefail "$script") >"$log" 2>&1 || { cat "$log"; echo "README.md's install commands failed"; return 1; }
  venv=$(sed -n 's/^ *python3[.0-9]* -m venv \([^ ]*\).*/\1/p' "$script" | sed "s|^~|$home|")
  test -f "$home/.ansible/collections/ansible_collections/hpc/coldfront_ecs/requirements.txt" ||
    { echo "README.md's commands did not install the collection in ~/.ansible/collections"; return 1; }
  (cd "$work" && env -u ANSIBLE_CONFIG -u ANSIBLE_COLLECTIONS_PATH HOME="$home" \
    "$venv/bin/ansible-doc" -t inventory hpc.coldfront_ecs.coldfront >/dev/null &&
    "$venv/bin/python" -c 'import coldfront, django, requests, jmespath') >"$log" 2>&1 ||
    { cat "$log"; echo "the collection installed by README.md's commands does not load"; return 1; }
  echo "    README install commands: collection in ~/.ansible/collections, ColdFront importable in $(basename "$venv")"
  TARBALL_DEMO_VENV=$venv TARBALL_DEMO_COLLECTIONS="$home/.ansible/collections"
}
# The demo runs on what the README's commands installed (tools/tarball_demo.sh).
gate_install() {
  [ -f "$tarball" ] || gate_build
  local TARBALL_DEMO_VENV TARBALL_DEMO_COLLECTIONS
  readme_install || return 1
  TARBALL_DEMO_VENV=$TARBALL_DEMO_VENV TARBALL_DEMO_COLLECTIONS=$TARBALL_DEMO_COLLECTIONS tools/tarball_demo.sh "$tarball"
}

gates=("$@")
[ ${#gates[@]} -gt 0 ] || gates=(roles changelog docs docsite lint build galaxy hub install)
for gate in "${gates[@]}"; do
  start=$SECONDS
  echo "==> release gate $gate"
  if ! "gate_$gate"; then
    echo "release gate $gate FAILED after $((SECONDS - start)) s"
    exit 1
  fi
  echo "    $gate passed in $((SECONDS - start)) s"
done
