"""What ships and what users read never points at a document they do not have (the team's design notes, API
notes or style guide)."""

import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHIPPED = ('plugins', 'roles', 'playbooks', 'extensions', 'docs', 'meta', 'README.md', 'galaxy.yml', 'CHANGELOG.rst')
INTERNAL = re.compile(r'DESIGN(?: notes)? (?:section|§)|DESIGN\.md|DESIGN §|ecs-api\.md|coldfront-notes\.md|STYLE\.md'
                      r'|/work/shared|\.\./shared/')


def shipped_files():
    for entry in SHIPPED:
        path = os.path.join(ROOT, entry)
        if os.path.isfile(path):
            yield path
        for base, dirs, files in os.walk(path):
            dirs[:] = [name for name in dirs if name != '__pycache__']
            for name in files:
                if name.endswith(('.py', '.yml', '.yaml', '.md', '.rst', '.j2', '.json', '.txt', '.cfg')):
                    yield os.path.join(base, name)


@pytest.mark.parametrize('path', sorted(set(shipped_files())), ids=lambda path: os.path.relpath(path, ROOT))
def test_no_reference_to_an_internal_document(path):
    with open(path, encoding='utf-8') as handle:
        found = [(number, line.strip()) for number, line in enumerate(handle, 1) if INTERNAL.search(line)]
    assert found == []
