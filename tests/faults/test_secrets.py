"""Nothing secret shows up anywhere: provision and sync at -vvvv with --diff, an inventory cache on disk, errors;
setup and report at -vvvv with a database URL that carries a password (last test).

The secrets: the ECS password (a dedicated ECS user, handed over as an extra var), the ECS session tokens, the
ColdFront SECRET_KEY and a mail password from ColdFront's env file, and (on PostgreSQL) the database password in
DB_URL.  Provision runs through ansible-playbook, sync through ansible-runner (as AWX runs it, with its artifacts
directory).  Each run also meets errors (a refused allocation, a namespace ECS cannot read), so error paths print
too.  After both: none of the secrets (outside the inputs that carry them) and no token in stdout/stderr, the runner's artifacts, the inventory cache,
Ansible's temporary directories, or any other file written under the test's directory.
"""

import json
import os
import re
import secrets
from urllib.parse import urlsplit, urlunsplit

import ansible_runner
import pytest
import yaml

from support.ansible_run import REPO, base_env, run_playbook

from faults.helpers import add_lab_allocation

pytestmark = [pytest.mark.coldfront, pytest.mark.simulator]

TOKEN = re.compile(rb'BAAc[A-Za-z0-9+/=]{40,}')         # the simulator's session tokens (152 characters)
NO_LOG_MASK = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'


def files_under(directory, skip=()):
    for base, _dirs, names in os.walk(directory):
        for name in names:
            path = os.path.join(base, name)
            if path not in skip and not os.path.islink(path):
                yield path


def leaks(directory, needles, skip=()):
    """``{path: [what]}``: files under ``directory`` holding one of ``needles`` or a session token."""
    found = {}
    for path in files_under(directory, skip):
        with open(path, 'rb') as handle:
            content = handle.read()
        hits = [needle for needle in needles if needle.encode('utf-8') in content]
        if TOKEN.search(content):
            hits.append('a session token')
        if hits:
            found[path] = hits
    return found


def test_no_secret_in_output_cache_artifacts_or_files(ecs_world, tmp_path):
    site = ecs_world.site
    ecs_user, ecs_password = 'svc-ansible', 'Ecs-Pw-' + secrets.token_hex(10)
    secret_key, mail_password = 'Sk-' + secrets.token_hex(16), 'Mail-Pw-' + secrets.token_hex(8)
    db_url, db_password = site.db_url, None
    if site.kind == 'postgresql':       # tools/postgres.sh trusts local clients: any password gets in
        db_password = 'Db-Pw-' + secrets.token_hex(10)
        parts = urlsplit(db_url)
        db_url = urlunsplit(parts._replace(netloc='%s:%s@%s' % (parts.username, db_password, parts.netloc.rsplit('@', 1)[1])))
    needles = [value for value in (ecs_password, secret_key, mail_password, db_password) if value]
    for simulator in ecs_world.simulators.values():
        simulator.seed({'users': {ecs_user: {'password': ecs_password, 'roles': ['SYSTEM_ADMIN']}}})

    add_lab_allocation(site, 'bad-name', 'Bad Name Lab', 'ecs-east', 1, Namespace='../admin')    # refused
    env_file = tmp_path / 'secret' / 'coldfront.env'
    env_file.parent.mkdir()
    env_file.write_text('DB_URL=%s\nSECRET_KEY=%s\nEMAIL_HOST_PASSWORD=%s\n' % (db_url, secret_key, mail_password))
    cache = tmp_path / 'inventory-cache'
    inventory = tmp_path / 'ecs.coldfront.yml'
    inventory.write_text(yaml.safe_dump({
        'plugin': 'hpc.coldfront_ecs.coldfront', 'coldfront_env_file': str(env_file), 'ecs_port': ecs_world.east.port,
        'cache': True, 'cache_plugin': 'ansible.builtin.jsonfile', 'cache_connection': str(cache), 'cache_timeout': 3600}))
    (tmp_path / 'home').mkdir()
    env = {'COLDFRONT_ENV': str(env_file), 'ECS_CA_PATH': ecs_world.east.ca_path, 'ANSIBLE_LOCAL_TEMP': str(tmp_path / 'ansible-local'),
           'ANSIBLE_REMOTE_TEMP': str(tmp_path / 'ansible-remote'), 'HOME': str(tmp_path / 'home')}
    credentials = {'ecs_username': ecs_user, 'ecs_password': ecs_password}

    provision = run_playbook('playbooks/provision.yml', inventory=str(inventory), extra_vars=credentials, diff=True,
                             verbosity=4, env=env)
    assert provision.rc == 2, provision.output                  # the refused allocation
    assert '../admin' in provision.stdout and 'create namespace' in provision.stdout
    assert NO_LOG_MASK in provision.stdout                      # the password went in and was masked
    assert ('Subdirectory', 'smith-lab:lab-smith-lab-bucket', None) in site.allocation_attributes('smith-east')

    # --flush-cache: the cache holds the inventory of before provisioning, and sync reads from ECS only the
    # namespaces the inventory lists as provisioned.
    ecs_world.west.faults(fail_next=[{'match': 'chen-patel', 'status': 500, 'count': 100}])
    ecs_world.west.config(namespace_list='brief', batch_billing='off')
    (tmp_path / 'runner').mkdir()
    runner = ansible_runner.run(
        private_data_dir=str(tmp_path / 'runner'), playbook=os.path.join(REPO, 'playbooks', 'sync.yml'),
        inventory=str(inventory), extravars=credentials, envvars=base_env(env), verbosity=4, cmdline='--diff --flush-cache',
        quiet=True)
    sync_stdout = runner.stdout.read()
    assert runner.rc == 2, sync_stdout                          # the namespace ECS cannot read
    assert 'could not read' in sync_stdout and NO_LOG_MASK in sync_stdout
    assert [usage for name, _value, usage in site.allocation_attributes('smith-east') if name == 'Quota_In_Bytes'] == [0.0]

    for name, simulator in ecs_world.simulators.items():
        stats = simulator.stats()
        assert stats['logins'] >= 2 and stats['live_tokens_total'] == 0, (name, stats)
    outputs = {'provision stdout': provision.stdout, 'provision stderr': provision.stderr, 'sync stdout': sync_stdout}
    for where, text in outputs.items():
        assert not [needle for needle in needles if needle in text], where
        assert not TOKEN.search(text.encode('utf-8')), where
    cached = list(files_under(str(cache)))
    assert cached and any(b'smith-lab' in open(path, 'rb').read() for path in cached)     # the scan sees the cache
    assert os.path.isdir(os.path.join(str(tmp_path), 'runner', 'artifacts'))
    # The inputs hold the secrets by design: ColdFront's env file and the runner's extra vars (AWX's injection).
    inputs = {str(env_file), os.path.join(str(tmp_path), 'runner', 'env', 'extravars')}
    assert leaks(str(tmp_path), needles, skip=inputs) == {}


def db_url_with_password(site, password):
    """The site's database URL carrying ``password``, and still opening the site's database: PostgreSQL here trusts
    local clients (any password gets in), SQLite ignores user and password (``sqlite://user:password@//path``)."""
    parts = urlsplit(site.db_url)
    if site.kind == 'postgresql':
        return urlunsplit(parts._replace(netloc='%s:%s@%s' % (parts.username, password, parts.netloc.rsplit('@', 1)[-1])))
    assert parts.scheme == 'sqlite' and not parts.netloc and parts.path.startswith('//'), site.db_url
    return 'sqlite://coldfront:%s@%s' % (password, parts.path)


def test_no_secret_from_setup_or_report(coldfront_site, tmp_path):
    """setup.yml (ansible-playbook, --diff) and report.yml (ansible-runner, as AWX runs it) at -vvvv, with the
    database URL, password included, as the extra var coldfront_ecs_db_url and the ECS credentials as extra vars
    too (a workflow may hand them to every job; neither playbook talks to ECS).  Each runs once against the site
    and once against a database server that does not answer, so the error paths print too.  Neither the database
    password nor the ECS password shows up in stdout/stderr, the task results, the report files, the runner's
    artifacts, Ansible's temporary directories or any other file written under the test's directory."""
    site = coldfront_site
    db_password, ecs_password = 'Db-Pw-' + secrets.token_hex(10), 'Ecs-Pw-' + secrets.token_hex(10)
    needles = [db_password, ecs_password]
    db_url = db_url_with_password(site, db_password)
    dead_url = 'postgresql://coldfront:%s@127.0.0.1:9/coldfront' % db_password
    (tmp_path / 'home').mkdir()
    env = {'DJANGO_SETTINGS_MODULE': site.env['DJANGO_SETTINGS_MODULE'], 'SECRET_KEY': site.env['SECRET_KEY'],
           'ANSIBLE_LOCAL_TEMP': str(tmp_path / 'ansible-local'), 'ANSIBLE_REMOTE_TEMP': str(tmp_path / 'ansible-remote'),
           'HOME': str(tmp_path / 'home')}
    credentials = {'ecs_username': 'svc-ansible', 'ecs_password': ecs_password}
    north = {'name': 'ecs-north', 'url': 'https://ecs3.example.org', 'replication_group': 'rg-north',
             'ldap_domain': 'ad.example.org', 'description': 'Dell ECS, north'}

    setup = run_playbook('playbooks/setup.yml', extra_vars=dict(credentials, coldfront_ecs_db_url=db_url,
                                                                ecs_setup_resources=[north]),
                         diff=True, verbosity=4, env=env)
    assert setup.rc == 0, setup.output
    assert site.resource_attributes('ecs-north')['url'] == 'https://ecs3.example.org'       # it used the URL
    assert NO_LOG_MASK in setup.stdout                          # the URL went in and was masked
    setup_dead = run_playbook('playbooks/setup.yml', extra_vars=dict(credentials, coldfront_ecs_db_url=dead_url),
                              verbosity=4, env=env)
    assert setup_dead.rc != 0
    assert 'cannot reach the ColdFront database (postgresql coldfront@127.0.0.1:9/coldfront)' in setup_dead.stdout

    reports = tmp_path / 'reports'
    runs = {}
    for name, url in (('report', db_url), ('report-dead', dead_url)):
        (tmp_path / name).mkdir()
        inventory = tmp_path / name / 'localhost.ini'
        inventory.write_text('localhost ansible_connection=local\n')
        runner = ansible_runner.run(
            private_data_dir=str(tmp_path / name), playbook=os.path.join(REPO, 'playbooks', 'report.yml'),
            inventory=str(inventory), extravars=dict(credentials, coldfront_ecs_db_url=url, ecs_report_output_dir=str(reports)),
            envvars=base_env(env), verbosity=4, quiet=True)
        runs[name] = (runner.rc, runner.stdout.read())
    assert runs['report'][0] == 0, runs['report'][1]
    assert NO_LOG_MASK in runs['report'][1]
    written = list(files_under(str(reports)))
    assert sorted(os.path.splitext(path)[1] for path in written) == ['.csv', '.html', '.json'], written
    assert any(b'ecs-east' in open(path, 'rb').read() for path in written)        # the scan sees real reports
    assert runs['report-dead'][0] != 0
    assert 'cannot reach the ColdFront database (postgresql coldfront@127.0.0.1:9/coldfront)' in runs['report-dead'][1]

    outputs = {'setup stdout': setup.stdout, 'setup stderr': setup.stderr, 'setup results': json.dumps(setup.events),
               'failed setup stdout': setup_dead.stdout, 'failed setup stderr': setup_dead.stderr,
               'failed setup results': json.dumps(setup_dead.events),
               'report stdout': runs['report'][1], 'failed report stdout': runs['report-dead'][1]}
    for where, text in outputs.items():
        assert not [needle for needle in needles if needle in text], where
    for name in ('report', 'report-dead'):
        assert os.path.isdir(os.path.join(str(tmp_path), name, 'artifacts'))
    # The input holds the secrets by design: the runner's extra vars (AWX's injection).
    inputs = {os.path.join(str(tmp_path), name, 'env', 'extravars') for name in ('report', 'report-dead')}
    assert leaks(str(tmp_path), needles, skip=inputs) == {}
