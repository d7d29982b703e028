"""The execution environment: docs/awx/execution-environment.yml gives a valid ansible-builder context (no image
build here), and the collection's meta/execution-environment.yml brings its Python and system requirements into it.
"""

import glob
import os
import shutil
import subprocess
import tarfile

import pytest
import yaml
from bindep.depends import Depends
from packaging.requirements import Requirement

from integration.awx.awx_support import AWX_DOCS, BIN, REPO

COLLECTION = 'hpc-coldfront_ecs'
TARBALL = 'collections/%s.tar.gz' % COLLECTION


def run(*command, cwd=None):
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, '%s failed:\n%s\n%s' % (' '.join(command), proc.stdout, proc.stderr)
    return proc


def lines(path):
    """Requirement lines of a pip or bindep file, comments dropped."""
    with open(path) as handle:
        return [line.split('#', 1)[0].strip() for line in handle if line.split('#', 1)[0].strip()]


@pytest.fixture(scope='module')
def collection_tarball(tmp_path_factory):
    """``ansible-galaxy collection build`` of this checkout, as the README tells users to build it."""
    out = tmp_path_factory.mktemp('galaxy')
    run(os.path.join(BIN, 'ansible-galaxy'), 'collection', 'build', '--output-path', str(out), REPO)
    (path,) = glob.glob(str(out / (COLLECTION + '-*.tar.gz')))
    return path


@pytest.fixture(scope='module')
def build_context(collection_tarball, tmp_path_factory):
    """``ansible-builder create`` on the shipped definition, in a copy of docs/awx with the tarball in place."""
    work = tmp_path_factory.mktemp('ee')
    shutil.copy(os.path.join(AWX_DOCS, 'execution-environment.yml'), str(work))
    os.makedirs(str(work / 'collections'))
    shutil.copy(collection_tarball, str(work / TARBALL))
    run(os.path.join(BIN, 'ansible-builder'), 'create', '-f', 'execution-environment.yml', '-c', 'context',
        '--output-filename', 'Containerfile', cwd=str(work))
    return work / 'context'


def test_build_context_is_complete(build_context):
    with open(str(build_context / 'Containerfile')) as handle:
        containerfile = handle.read()
    assert 'ARG EE_BASE_IMAGE="quay.io/centos/centos:stream9"' in containerfile
    assert 'ARG PYCMD="/usr/bin/python3.11"' in containerfile
    assert 'ansible-core>=2.19,<2.20 ansible-runner>=2.4' in containerfile
    assert 'introspect.py introspect' in containerfile and 'install-from-bindep' in containerfile
    with open(str(build_context / '_build' / 'requirements.yml')) as handle:
        galaxy = yaml.safe_load(handle)
    assert galaxy == {'collections': [{'name': TARBALL, 'type': 'file'}]}
    # The galaxy stage installs from /build, where _build/ is copied: the tarball must be at _build/<name>.
    with tarfile.open(str(build_context / '_build' / TARBALL)) as tar:
        assert 'MANIFEST.json' in tar.getnames()
    assert lines(str(build_context / '_build' / 'requirements.txt')) == ['psycopg2>=2.9.10']


def test_introspection_adds_the_collection_requirements(build_context, collection_tarball, tmp_path):
    """Run the context's introspect script as the builder stage does, on the collection installed from the tarball."""
    installed = tmp_path / 'installed'
    # --force: the checkout's ansible.cfg already has the collection in its collections path ("nothing to do").
    run(os.path.join(BIN, 'ansible-galaxy'), 'collection', 'install', '--force', collection_tarball, '-p', str(installed),
        cwd=str(tmp_path))
    scripts = build_context / '_build' / 'scripts'
    run(os.path.join(BIN, 'python'), str(scripts / 'introspect.py'), 'introspect',
        '--user-pip=%s' % (build_context / '_build' / 'requirements.txt'),
        '--write-pip=%s' % (tmp_path / 'pip.txt'), '--write-bindep=%s' % (tmp_path / 'bindep.txt'), str(installed))

    python = {Requirement(line).name: Requirement(line) for line in lines(str(tmp_path / 'pip.txt'))}
    assert {'coldfront', 'requests', 'jmespath', 'psycopg2'} <= set(python)
    assert python['coldfront'].specifier.contains('1.1.10') and not python['coldfront'].specifier.contains('1.2.0')

    system = Depends('\n'.join(lines(str(tmp_path / 'bindep.txt'))) + '\n')
    el9 = ['platform:rpm', 'platform:redhat', 'platform:centos']
    build = {rule[0] for rule in system.active_rules(el9 + ['compile'])}
    runtime = {rule[0] for rule in system.active_rules(el9)}
    assert {'gcc', 'python3.11-devel', 'libpq-devel', 'libpq'} <= build      # psycopg2 builds in the builder stage
    assert runtime == {'libpq'}                                              # and only libpq reaches the image


def test_collection_metadata_points_at_existing_files():
    with open(os.path.join(REPO, 'meta', 'execution-environment.yml')) as handle:
        meta = yaml.safe_load(handle)
    assert meta['dependencies'] == {'python': 'requirements.txt', 'system': 'bindep.txt'}
    for name in meta['dependencies'].values():
        assert lines(os.path.join(REPO, name)), name


def test_collection_tarball_carries_no_keys_or_databases(collection_tarball):
    """What goes into the image: no private key, certificate store or database of a demo or a test run."""
    with tarfile.open(collection_tarball) as tar:
        names = tar.getnames()
    unwanted = [name for name in names if name.endswith(('.key', '.sqlite3', '.db', '.env'))]
    assert not unwanted, 'add these to build_ignore in galaxy.yml: %s' % unwanted
