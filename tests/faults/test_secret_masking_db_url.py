"""A DB_URL typed with a slash or a colon missing, or with an ``@`` in its password, never shows the password.

Before the fix, ``postgres:/cf:<password>@db/coldfront`` reached Django, whose parser took the password for part of
the database name, and the error quoted it ("cannot reach the ColdFront database (postgresql @localhost:default/
cf:<password>@db/coldfront)"); ``postgresql//...`` made django-environ print an "Engine not recognized" warning
holding the whole URL.  Now a DB_URL that is no URL is refused before anything reads it, with a message naming the
shape and none of the value, and every message, warning and inventory error goes through one mask.

Checked through the real paths: a ColdFront module (option ``db_url`` and an env file), the inventory plugin
(``ansible-inventory`` and ``playbooks/sync.yml``, whose first play quotes the inventory's error), and the EDA event
source run stand-alone.  The password shows up nowhere: stdout, stderr, task results.
"""

import json
import os
import subprocess
import sys
import time

import pytest
import yaml

from support.ansible_run import REPO, base_env, run_inventory, run_playbook

pytestmark = pytest.mark.coldfront

NEEDLE = 'secretpw'                 # in every password below; "coldfront" is masked on purpose elsewhere
BROKEN = {
    'a slash missing': ('postgres:/cf:Zq7-secretpw@db.example.org/coldfront', "'postgres:/' where 'postgres://'"),
    'the colon missing': ('postgresql//cf:Zq7-secretpw@db.example.org/coldfront',
                          "'postgresql//' where 'postgresql://'"),
    'both slashes missing': ('postgres:cf:Zq7-secretpw@db.example.org/coldfront', "'postgres:' where 'postgres://'"),
    'no scheme': ('cf:Zq7-secretpw@db.example.org/coldfront', 'it does not start with a scheme and "://"'),
}
# Well formed, an @ inside the password, nothing listening on port 9.
DEAD = 'postgresql://cf:Zq7@secretpw@127.0.0.1:9/coldfront'
REFUSED = 'DB_URL is not a database URL ('
SOURCE = os.path.join(REPO, '.build', 'collections', 'ansible_collections', 'hpc', 'coldfront_ecs', 'extensions', 'eda',
                      'plugins', 'event_source', 'coldfront_changes.py')


def env_file(directory, db_url, name='coldfront.env'):
    path = os.path.join(str(directory), name)
    with open(path, 'w') as handle:
        handle.write('DB_URL=%s\nSECRET_KEY=hpc-coldfront-ecs-tests-only-not-a-secret\n' % db_url)
    return path


def no_db_url_env(site):
    """The process environment without the test site's DB_URL (an empty DB_URL counts as unset)."""
    return {'DB_URL': '', 'COLDFRONT_ENV': '', 'DJANGO_SETTINGS_MODULE': site.env['DJANGO_SETTINGS_MODULE'],
            'SECRET_KEY': site.env['SECRET_KEY']}


def assert_hidden(*texts):
    for text in texts:
        assert NEEDLE not in text and 'Zq7' not in text, text


def test_module_never_shows_the_password(coldfront_site, tmp_path):
    """coldfront_allocation_info with each broken DB_URL (option, then env file), the dead one, and the site's own
    SQLite URL carrying a password (which works: the control)."""
    site = coldfront_site
    sqlite_path = site.db_url.split('sqlite://', 1)[1] if site.kind == 'sqlite' else None
    # The URLs are extra vars, as AWX would hand them over: Ansible quotes the playbook's lines around a failed task.
    urls = dict((case, url) for case, (url, _start) in BROKEN.items())
    urls.update(dead=DEAD, working='sqlite://reader:Zq7-secretpw@%s' % sqlite_path)
    tasks = [{'name': 'option: %s' % case, 'ignore_errors': True,
              'hpc.coldfront_ecs.coldfront_allocation_info': {'db_url': '{{ urls[%r] }}' % case}} for case in BROKEN]
    tasks += [{'name': 'env file: %s' % case, 'ignore_errors': True,
               'hpc.coldfront_ecs.coldfront_allocation_info': {'coldfront_env_file': env_file(tmp_path, url, case)}}
              for case, (url, _start) in BROKEN.items()]
    tasks.append({'name': 'dead server', 'ignore_errors': True,
                  'hpc.coldfront_ecs.coldfront_allocation_info': {'db_url': '{{ urls.dead }}'}})
    if sqlite_path:
        tasks.append({'name': 'password in a working URL', 'hpc.coldfront_ecs.coldfront_allocation_info': {
            'db_url': '{{ urls.working }}', 'allocation_ids': [1]}})

    result = run_playbook([{'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}], env=no_db_url_env(site),
                          extra_vars={'urls': urls}, verbosity=3)

    assert result.rc == 0, result.output
    for case, (_url, start) in BROKEN.items():
        for where in ('option', 'env file'):
            [failed] = result.task('%s: %s' % (where, case))
            assert failed['status'] == 'ignored' and failed['result']['msg'].startswith(REFUSED), failed
            assert start in failed['result']['msg'], failed['result']['msg']
    [dead] = result.results('dead server')
    assert dead['msg'].startswith('cannot reach the ColdFront database (postgresql cf@127.0.0.1:9/coldfront): '), dead
    if sqlite_path:
        [working] = result.results('password in a working URL')
        assert working['coldfront']['database'] == 'sqlite /%s' % sqlite_path.lstrip('/'), working
    assert_hidden(result.stdout, result.stderr, json.dumps(result.events))


def test_inventory_never_shows_the_password(coldfront_site, tmp_path):
    """The inventory reads DB_URL from its env file: every broken shape and the dead server give an inventory error
    without the password, and sync.yml's first play fails quoting it."""
    env = no_db_url_env(coldfront_site)
    outputs = []
    for case, (url, start) in dict(BROKEN, dead=(DEAD, None)).items():
        inventory = tmp_path / ('%s.coldfront.yml' % case.replace(' ', '-'))
        inventory.write_text(yaml.safe_dump({'plugin': 'hpc.coldfront_ecs.coldfront',
                                             'coldfront_env_file': env_file(tmp_path, url, case)}))
        proc, _data = run_inventory(str(inventory), env=env)
        text = ' '.join(proc.stderr.split())
        expected = 'cannot read ColdFront: ' + (REFUSED if start else 'cannot reach the ColdFront database (postgresql '
                                                'cf@127.0.0.1:9/coldfront)')
        assert expected in text and (start is None or start in text), (case, text)
        outputs += [proc.stdout, proc.stderr]

    sync = run_playbook('playbooks/sync.yml', inventory=str(inventory), env=env)     # the dead server's inventory
    assert sync.rc != 0
    assert 'cannot read ColdFront: cannot reach the ColdFront database' in ' '.join(sync.output.split()), sync.output
    broken = tmp_path / 'broken.coldfront.yml'
    broken.write_text(yaml.safe_dump({'plugin': 'hpc.coldfront_ecs.coldfront',
                                      'coldfront_env_file': env_file(tmp_path, BROKEN['the colon missing'][0])}))
    provision = run_playbook('playbooks/provision.yml', inventory=str(broken), env=env, verbosity=2)
    assert provision.rc != 0 and REFUSED in ' '.join(provision.output.split()), provision.output
    assert_hidden(*outputs + [sync.output, provision.output, json.dumps(sync.events), json.dumps(provision.events)])


def read_events(proc, out_path, wanted, seconds=120):
    """The JSON events the stand-alone source printed, once ``wanted`` of them are there (then it is stopped)."""
    deadline = time.monotonic() + seconds
    decoder = json.JSONDecoder()
    while True:
        with open(out_path) as handle:
            text = handle.read()
        events, index = [], 0
        while index < len(text):
            while index < len(text) and text[index].isspace():
                index += 1
            if index >= len(text):
                break
            try:
                event, index = decoder.raw_decode(text, index)
            except ValueError:
                break
            events.append(event)
        if len(events) >= wanted or proc.poll() is not None or time.monotonic() > deadline:
            proc.terminate()
            proc.wait(30)
            return events
        time.sleep(0.5)


@pytest.mark.parametrize('how', ['db_url', 'coldfront_env_file'])
def test_event_source_never_shows_the_password(coldfront_site, tmp_path, how):
    """The source reports the refused DB_URL as a source_error event (and logs it), masked; it keeps retrying."""
    url = BROKEN['the colon missing'][0]
    args = {'state_file': str(tmp_path / 'position.json'), 'poll_interval': 0.5, 'max_backoff': 1}
    args[how] = url if how == 'db_url' else env_file(tmp_path, url)
    out_path, err_path = str(tmp_path / 'events.out'), str(tmp_path / 'source.err')
    env = base_env(dict(no_db_url_env(coldfront_site), XDG_STATE_HOME=str(tmp_path / 'state')))
    with open(out_path, 'w') as out, open(err_path, 'w') as err:
        proc = subprocess.Popen([sys.executable, SOURCE, json.dumps(args)], stdout=out, stderr=err, env=env,
                                cwd=str(tmp_path))
        events = read_events(proc, out_path, 1)
    with open(err_path) as handle:
        logged = handle.read()
    assert events, logged
    event = events[0]['coldfront']
    assert event['type'] == 'source_error' and event['message'].startswith('ColdFrontError: ' + REFUSED), event
    assert 'ColdFront poll failed (attempt 1, retrying with backoff): ColdFrontError: ' + REFUSED in logged, logged
    assert_hidden(json.dumps(events), logged)
