"""How the access layer reaches ColdFront, and how it fails: one clear line each, passwords masked.

Each case runs in a fresh process (Django is set up once per process), as modules do.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

from support.ansible_run import REPO, run_playbook

pytestmark = pytest.mark.coldfront

COLLECTIONS = os.path.join(REPO, '.build', 'collections')
PROBE = '''
import json, sys
sys.path.insert(0, %r)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront import access as cf
try:
    print(json.dumps({'ok': cf.setup_django(**json.loads(sys.argv[1]))}))
except cf.ColdFrontError as exc:
    print(json.dumps({'error': type(exc).__name__, 'message': str(exc)}))
''' % COLLECTIONS
SECRET = 'Sup3r-Secret-pw'
CLOSED_PG = 'postgresql://coldfront:%s@127.0.0.1:1/coldfront' % SECRET


def probe(cwd, env=None, python_args=(), **options):
    """setup_django(**options) in a new process with a clean ColdFront environment."""
    clean = {key: value for key, value in os.environ.items()
             if key not in ('DB_URL', 'COLDFRONT_ENV', 'DJANGO_SETTINGS_MODULE', 'SECRET_KEY', 'PYTHONPATH')}
    clean.update(env or {})
    proc = subprocess.run([sys.executable] + list(python_args) + ['-c', PROBE, json.dumps(options)], cwd=str(cwd),
                          env=clean, capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_env_file_alone_is_enough(coldfront_site, tmp_path):
    result = probe(tmp_path, env_file=coldfront_site.env_file)
    assert result['ok']['version'] == '1.1.10' and result['ok']['warnings'] == []
    assert coldfront_site.kind in result['ok']['database']
    assert probe(tmp_path, env={'COLDFRONT_ENV': coldfront_site.env_file})['ok']['warnings'] == []
    assert probe(tmp_path, db_url=coldfront_site.db_url)['ok']['version'] == '1.1.10'


def test_missing_env_file(tmp_path):
    result = probe(tmp_path, env_file=str(tmp_path / 'nope.env'))
    assert result == {'error': 'ColdFrontError', 'message': 'ColdFront env file %s does not exist or is not readable '
                      '(coldfront_env_file / COLDFRONT_ENV)' % (tmp_path / 'nope.env')}


def test_no_db_url_and_no_database_in_cwd(tmp_path):
    result = probe(tmp_path)
    assert result == {'error': 'ColdFrontError', 'message': (
        'the ColdFront SQLite database %s does not exist. DB_URL is not set, so ColdFront looked in the current '
        'directory; set db_url / DB_URL or coldfront_env_file to the database ColdFront uses' % (tmp_path / 'coldfront.db'))}
    assert not (tmp_path / 'coldfront.db').exists()  # never created as a side effect


def test_no_db_url_warns(coldfront_site_factory, tmp_path):
    site = coldfront_site_factory(db='sqlite')
    shutil.copyfile(site.db_url[len('sqlite:///'):], str(tmp_path / 'coldfront.db'))
    result = probe(tmp_path)
    assert result['ok']['warnings'] == [
        'DB_URL is not set (not in the task options, the environment or a ColdFront env file): ColdFront falls back to '
        'the SQLite file coldfront.db in the current directory (%s)' % tmp_path]


def test_not_migrated(tmp_path):
    (tmp_path / 'empty.sqlite3').write_bytes(b'')
    result = probe(tmp_path, db_url='sqlite:///%s' % (tmp_path / 'empty.sqlite3'))
    assert result['error'] == 'ColdFrontError'
    assert result['message'].startswith('the ColdFront database (sqlite %s) is not migrated: ' % (tmp_path / 'empty.sqlite3'))
    assert result['message'].endswith('Run `coldfront migrate` (or `coldfront initial_setup`) on the ColdFront host first')


def test_unreachable_database_masks_the_password(tmp_path):
    result = probe(tmp_path, db_url=CLOSED_PG)
    assert result['error'] == 'ColdFrontError'
    assert result['message'].startswith('cannot reach the ColdFront database (postgresql coldfront@127.0.0.1:1/coldfront): '
                                        'connection to server at "127.0.0.1", port 1 failed: Connection refused')
    assert SECRET not in result['message'] and '\n' not in result['message']


def fake_coldfront(tmp_path, version):
    package = tmp_path / 'fake' / 'coldfront'
    package.mkdir(parents=True)
    (package / '__init__.py').write_text('VERSION = %r\n' % version)
    return str(tmp_path / 'fake')


def test_unsupported_version(tmp_path):
    result = probe(tmp_path, env={'PYTHONPATH': fake_coldfront(tmp_path, '2.0.0')})
    assert result == {'error': 'ColdFrontError', 'message': (
        'ColdFront 2.0.0 is not supported: hpc.coldfront_ecs works with ColdFront 1.1.x (its models and attribute '
        'conventions); use a 1.1.x release')}


def test_not_importable_gives_an_install_hint(tmp_path):
    result = probe(tmp_path, python_args=['-S'])  # no site-packages: neither ColdFront nor Django
    assert result['error'] == 'ColdFrontUnavailable'
    assert result['message'].startswith("ColdFront is not importable by %s (No module named 'coldfront'): run the task "
                                        "with the Python of ColdFront's virtualenv" % sys.executable)
    assert "pip install 'coldfront>=1.1,<1.2'" in result['message']


def test_bad_settings_module(coldfront_site, tmp_path):
    result = probe(tmp_path, db_url=coldfront_site.db_url, settings_module='nowhere.settings')
    assert result['error'] == 'ColdFrontUnavailable'
    assert result['message'].startswith("ColdFront settings nowhere.settings cannot be imported (No module named 'nowhere')")


INFO_TASK = {'name': 'read', 'hpc.coldfront_ecs.coldfront_allocation_info': {'resources': ['ecs-east']}}


def play(task, **host_vars):
    return [{'hosts': 'localhost', 'gather_facts': False, 'vars': host_vars, 'tasks': [task]}]


def test_modules_report_setup_failures(coldfront_site, tmp_path):
    """Through ansible-playbook: missing library hint, masked unreachable URL, wrong version, env file option."""
    result = run_playbook(play(INFO_TASK, ansible_python_interpreter='/usr/bin/python3'), env=coldfront_site.env)
    [event] = result.task('read')
    assert event['status'] == 'failed' and result.rc == 2
    assert event['result']['msg'].startswith('Failed to import the required Python library (coldfront)')
    assert "ansible_python_interpreter. ColdFront is not importable by /usr/bin/python3" in event['result']['msg']

    task = dict(INFO_TASK, **{'hpc.coldfront_ecs.coldfront_allocation_info': {'resources': ['ecs-east'],
                                                                              'db_url': CLOSED_PG}})
    result = run_playbook(play(task), env={'DB_URL': ''}, verbosity=3)
    [failed] = result.results('read')
    assert failed['msg'].startswith('cannot reach the ColdFront database (postgresql coldfront@127.0.0.1:1/coldfront)')
    assert SECRET not in result.output and SECRET not in json.dumps(result.events)

    result = run_playbook(play(INFO_TASK), env=dict(coldfront_site.env, PYTHONPATH=fake_coldfront(tmp_path, '2.0.0')))
    assert result.results('read')[0]['msg'].startswith('ColdFront 2.0.0 is not supported')

    task = dict(INFO_TASK, **{'hpc.coldfront_ecs.coldfront_allocation_info': {
        'resources': ['ecs-east'], 'coldfront_env_file': coldfront_site.env_file}})
    result = run_playbook(play(task))
    [read] = result.results('read')
    assert result.rc == 0 and read['count'] == 3 and not read.get('warnings')
