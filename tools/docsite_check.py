"""Judge a docsite built by the release gate `docsite` (tools/release_gates.sh): its warnings and its pages.

Usage: tools/docsite_check.py SITE_DIR   (SITE_DIR: made by antsibull-docs sphinx-init, built by its build.sh, the
Sphinx warnings in SITE_DIR/warnings.txt). Fails on every Sphinx warning but those that only the unreachable
intersphinx inventories cause (docs.python.org, jinja, docs.ansible.com are not reachable from the build):
  - "failed to reach any of the inventories", with its "intersphinx inventory ..." lines;
  - "undefined label: '<label>'" for a label outside this collection's (ansible_collections.hpc.coldfront_ecs.*),
    such as common_return_values or ansible_collections.ansible.builtin.find_module, which those inventories hold;
  - "'envvar' reference target not found: ANSIBLE_..." (ansible-core's settings, documented on docs.ansible.com).
Then checks that the collection index links a page for every plugin, role and guide (docs/docsite/extra-docs.yml).
"""
import glob
import os
import re
import sys

from docsite_guides import ROOT, pages

COLLECTION = 'ansible_collections.hpc.coldfront_ecs.'
ALLOWED = (
    re.compile(r'WARNING: failed to reach any of the inventories'),
    re.compile(r"WARNING: undefined label: '(?!" + re.escape(COLLECTION) + r")[^']+' \[ref\.ref\]$"),
    re.compile(r"WARNING: 'envvar' reference target not found: ANSIBLE_\w+ \[ref\.envvar\]$"),
)
CONTINUATION = re.compile(r"^intersphinx inventory '[^']+' not (fetchable|readable) due to ")
# Plugin directories that hold no documented plugins of their own.
NOT_DOCUMENTED = {'action', 'module_utils', 'doc_fragments', 'plugin_utils'}


def bad_warnings(text):
    """The warnings of the build that the unreachable inventories do not explain."""
    bad = []
    for line in text.splitlines():
        if not line.strip() or CONTINUATION.match(line):
            continue
        if not any(pattern.search(line) for pattern in ALLOWED):
            bad.append(line)
    return bad


def expected_pages():
    """The HTML pages (relative to the collection's directory of the site) the site must have."""
    wanted = []
    for directory in sorted(glob.glob(os.path.join(ROOT, 'plugins', '*'))):
        kind = os.path.basename(directory)
        if kind in NOT_DOCUMENTED:
            continue
        suffix = 'module' if kind == 'modules' else kind
        # Filters and tests are documented by YAML files; their Python files only hold the code.
        pattern = '*.yml' if kind in ('filter', 'test') else '*.py'
        for path in sorted(glob.glob(os.path.join(directory, pattern))):
            name = os.path.splitext(os.path.basename(path))[0]
            if name != '__init__':
                wanted.append(f'{name}_{suffix}.html')
    for spec in sorted(glob.glob(os.path.join(ROOT, 'roles', '*', 'meta', 'argument_specs.yml'))):
        wanted.append(f'{spec.split(os.sep)[-3]}_role.html')
    wanted.extend(f'docsite/{page}.html' for page in pages())
    return wanted


def missing_pages(site):
    """The expected pages that the built site lacks or that its collection index does not link."""
    collection = os.path.join(site, 'build', 'html', 'collections', 'hpc', 'coldfront_ecs')
    with open(os.path.join(collection, 'index.html'), encoding='utf-8') as handle:
        index = handle.read()
    return [page for page in expected_pages()
            if not os.path.isfile(os.path.join(collection, page)) or f'href="{page}' not in index]


def main(site):
    with open(os.path.join(site, 'warnings.txt'), encoding='utf-8') as handle:
        bad = bad_warnings(handle.read())
    missing = missing_pages(site)
    if bad:
        print('docsite warnings (see the allowed ones in tools/docsite_check.py):', *bad, sep='\n  ')
    if missing:
        print('pages missing from the docsite or from its collection index:', *missing, sep='\n  ')
    if not bad and not missing:
        print(f'    docsite: {len(expected_pages())} pages of plugins, roles and guides, no warning but the '
              f'unreachable intersphinx inventories')
    return 1 if bad or missing else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
