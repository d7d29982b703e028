"""playbooks/setup.yml and who sees what: the machine-written allocation attribute types are private and not
changeable on a new site; an existing site's types are only reported until ecs_setup_update_existing_flags asks.

The effect is checked as a user would see it: ColdFront's own web server (``coldfront runserver``) on the test
site, a PI and a superuser logged in with a browser-like session, the allocation page read.
"""

import contextlib
import os
import re
import socket
import subprocess
import sys
import time

import pytest
import requests

from integration.report.report_support import parse_html
from support.ansible_run import run_playbook

pytestmark = [pytest.mark.coldfront]

PLAYBOOK = 'playbooks/setup.yml'
SUMMARY = 'Show the setup summary'
POINT_OUT = 'Point out the existing types whose access differs from the ecs_setup_access_* variables'
TYPE_HISTORY = 'allocation_historicalallocationattributetype'
QUOTA = 'Storage Quota (TB)'
HIDDEN = ('Namespace', 'Bucket', 'Subdirectory', 'Quota_In_Bytes', 'Bucket_Quota_In_Bytes', 'ECS_Claim')
# (is_private, is_changeable) that setup gives the allocation types it creates, by default.
NEW_ACCESS = dict([(name, (True, False)) for name in HIDDEN] + [
    (QUOTA, (False, True)), ('automation_specifications', (False, False))])
# The default dataset is a site set up before: these types are public there.
PUBLIC_BEFORE = ['Bucket', 'Namespace', 'Quota_In_Bytes', 'Subdirectory']
PASSWORD = 'pi-test-password-1'


def access(site):
    """``{name: (is_private, is_changeable)}`` of the site's allocation attribute types."""
    return dict((row.name, (row.is_private, row.is_changeable))
                for row in site.orm().AllocationAttributeType.objects.all())


def summary(result):
    [event] = result.task(SUMMARY)
    return event['result']['msg']


def pointed_out(result):
    """Whether the task that lists the kept access ran (it is skipped when nothing was kept)."""
    return [event for event in result.task(POINT_OUT) if event['status'] != 'skipped']


# ---- the web side -------------------------------------------------------------------------------
def free_port():
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def web_server(site, log_path):
    """ColdFront's development server on the site's database; yields its base URL."""
    port = free_port()
    env = dict(os.environ, **site.env)      # DB_URL, SECRET_KEY and DJANGO_SETTINGS_MODULE
    command = [os.path.join(os.path.dirname(sys.executable), 'coldfront'), 'runserver', '127.0.0.1:%d' % port,
               '--noreload']
    with open(log_path, 'w') as log:
        # pylint: disable-next=consider-using-with
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = 'http://127.0.0.1:%d' % port
    try:
        deadline = time.time() + 60
        while True:
            assert server.poll() is None, open(log_path).read()
            try:
                if requests.get(url + '/user/login', timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.time() < deadline, open(log_path).read()
            time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def grant_web_access(site, allocation):
    """Passwords for the allocation's PI and the superuser cfadmin; the PI a manager of the project (as ColdFront
    makes the PI of a project created on the web)."""
    models = site.orm()
    project = models.Allocation.objects.get(pk=site.allocation_id(allocation)).project
    for user in (project.pi, models.User.objects.get(username='cfadmin')):
        user.set_password(PASSWORD)
        user.save()
    models.ProjectUser.objects.get_or_create(project=project, user=project.pi, defaults={
        'role': models.ProjectUserRoleChoice.objects.get(name='Manager'),
        'status': models.ProjectUserStatusChoice.objects.get(name='Active')})


def login(url, username):
    session = requests.Session()
    form = session.get(url + '/user/login', timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    done = session.post(url + '/user/login', timeout=30, headers={'Referer': url + '/user/login'},
                        data={'username': username, 'password': PASSWORD, 'csrfmiddlewaretoken': token})
    assert done.status_code == 200 and 'sessionid' in session.cookies, done.text[:2000]
    # ColdFront marks its session cookie Secure (SESSION_COOKIE_SECURE): over this plain-HTTP server, send it anyway.
    session.cookies.set('sessionid', session.cookies.pop('sessionid'))
    return session


def allocation_page(session, url, allocation_id):
    """``({attribute name: (value, locked)}, [gauge titles])`` of the allocation page as this user sees it."""
    page = session.get('%s/allocation/%d/' % (url, allocation_id), timeout=30)
    assert page.status_code == 200 and page.url.endswith('/allocation/%d/' % allocation_id), page.text[:2000]
    document = parse_html(page.text)
    rows = {}
    for table in document.find_all('table'):
        if [cell.text() for cell in table.find_all('th')] != ['Attribute', 'Value']:
            continue
        for row in table.find('tbody').find_all('tr'):
            name, value = row.find_all('td')
            rows[name.text()] = (value.text(), bool(name.find_all('i', cls='fa-lock')))
    gauges = [canvas.attrs['data-title'] for canvas in document.find_all('canvas', cls='gauge-chart')]
    return rows, gauges


# What provision and sync leave on an allocation: quotas with usage (smith-east of the default dataset has them),
# the claim and the subdirectory.
QUOTAS = {QUOTA: {'value': '10', 'usage': 2.5}, 'Quota_In_Bytes': {'value': '10995116277760', 'usage': 2748779069440}}
WRITTEN = {'Subdirectory': 'smith-lab:lab-smith-lab-bucket', 'ECS_Claim': 'smith-lab:lab-smith-lab-bucket'}


# ---- tests --------------------------------------------------------------------------------------
def test_a_new_site_hides_the_machine_written_types_from_the_pi(coldfront_site_factory, tmp_path):
    bare = coldfront_site_factory('bare')
    done = run_playbook(PLAYBOOK, env=bare.env)
    assert done.rc == 0, done.output
    found = access(bare)
    assert dict((name, found[name]) for name in NEW_ACCESS) == NEW_ACCESS
    assert summary(done)['kept_flags'] == {} and not pointed_out(done)

    bare.add_allocation_attributes('smith-east', dict(QUOTAS, **WRITTEN))
    grant_web_access(bare, 'smith-east')
    allocation_id = bare.allocation_id('smith-east')
    with web_server(bare, str(tmp_path / 'runserver.log')) as url:
        rows, gauges = allocation_page(login(url, 'jsmith'), url, allocation_id)
        assert set(rows) == {QUOTA} and rows[QUOTA] == ('10', False)
        assert gauges == ['Storage Quota (TB) 2.5 of 10']                     # one gauge, in TB
        admin_rows, admin_gauges = allocation_page(login(url, 'cfadmin'), url, allocation_id)
        assert set(admin_rows) == {QUOTA, 'Quota_In_Bytes', 'Subdirectory', 'ECS_Claim'}
        assert admin_rows['Subdirectory'] == ('smith-lab:lab-smith-lab-bucket', True)   # shown with a lock
        assert len(admin_gauges) == 2
        # ColdFront 1.1.10's project page lists every usage, private or not (Allocation.get_information):
        # a limit of is_private that docs/playbooks/setup.md states.
        project = login(url, 'jsmith').get('%s/project/%d/' % (url, bare.project_id('smith')), timeout=30)
        assert 'Quota_In_Bytes: 2748779069440' in project.text


def test_an_existing_site_is_reported_and_updated_only_when_asked(coldfront_site, tmp_path):
    before = access(coldfront_site)
    assert [name for name in PUBLIC_BEFORE if before[name][0]] == []
    history = coldfront_site.history_counts()

    reported = run_playbook(PLAYBOOK, env=coldfront_site.env)
    assert reported.rc == 0, reported.output
    kept = summary(reported)['kept_flags']
    assert sorted(kept) == PUBLIC_BEFORE
    assert kept['Quota_In_Bytes'] == {'is_private': {'current': False, 'wanted': True}}
    assert pointed_out(reported) and summary(reported)['updated_types'] == []
    after_report = coldfront_site.history_counts()
    assert after_report[TYPE_HISTORY] == history[TYPE_HISTORY] + 2          # automation_specifications, ECS_Group
    assert dict((name, access(coldfront_site)[name]) for name in before) == before

    again = run_playbook(PLAYBOOK, env=coldfront_site.env)
    assert again.rc == 0 and again.changed == 0 and coldfront_site.history_counts() == after_report

    asked = {'ecs_setup_update_existing_flags': True}
    check = run_playbook(PLAYBOOK, env=coldfront_site.env, extra_vars=asked, check=True, diff=True)
    assert check.rc == 0 and sorted(summary(check)['updated_types']) == PUBLIC_BEFORE, check.output
    assert '-        is_private: false' in check.stdout and '+        is_private: true' in check.stdout
    assert coldfront_site.history_counts() == after_report

    coldfront_site.add_allocation_attributes('smith-east', WRITTEN)
    grant_web_access(coldfront_site, 'smith-east')
    allocation_id = coldfront_site.allocation_id('smith-east')
    with web_server(coldfront_site, str(tmp_path / 'runserver.log')) as url:
        pi = login(url, 'jsmith')
        rows, gauges = allocation_page(pi, url, allocation_id)
        assert set(rows) == {QUOTA, 'Quota_In_Bytes', 'Subdirectory'} and len(gauges) == 2   # reported, not changed
        updated = run_playbook(PLAYBOOK, env=coldfront_site.env, extra_vars=asked)
        assert updated.rc == 0, updated.output
        assert sorted(summary(updated)['updated_types']) == PUBLIC_BEFORE and summary(updated)['kept_flags'] == {}
        assert not pointed_out(updated)
        rows, gauges = allocation_page(pi, url, allocation_id)
        assert set(rows) == {QUOTA} and gauges == ['Storage Quota (TB) 2.5 of 10']
        admin_rows, admin_gauges = allocation_page(login(url, 'cfadmin'), url, allocation_id)
        assert all(admin_rows[name][1] for name in ('Quota_In_Bytes', 'Subdirectory', 'ECS_Claim'))
        assert len(admin_gauges) == 2
    assert all(access(coldfront_site)[name] == (True, False) for name in PUBLIC_BEFORE)
    written = coldfront_site.history_counts()
    assert written[TYPE_HISTORY] == after_report[TYPE_HISTORY] + len(PUBLIC_BEFORE)
    for row in coldfront_site.history('AllocationAttributeType')[:len(PUBLIC_BEFORE)]:
        assert row.history_change_reason.startswith('hpc.coldfront_ecs: coldfront_attribute_type')

    rerun = run_playbook(PLAYBOOK, env=coldfront_site.env, extra_vars=asked)
    assert rerun.rc == 0 and rerun.changed == 0 and coldfront_site.history_counts() == written


def test_report_only_mode_leaves_the_storage_types_alone(coldfront_site):
    result = run_playbook(PLAYBOOK, env=coldfront_site.env, extra_vars={
        'ecs_setup_create_missing': False, 'ecs_setup_update_existing_flags': True})
    assert result.rc == 0, result.output
    assert list(summary(result)['kept_flags']) == ['Quota_In_Bytes']       # listed, not changed
    found = access(coldfront_site)
    assert found['Quota_In_Bytes'] == (False, False)
    assert found['Subdirectory'] == found['Namespace'] == (True, False)    # the collection's own types: updated


def test_a_site_chooses_the_access_and_a_wrong_word_is_refused(coldfront_site_factory):
    bare = coldfront_site_factory('bare')
    chosen = run_playbook(PLAYBOOK, env=bare.env, extra_vars={
        'ecs_setup_access_namespace': 'public', 'ecs_setup_access_quota_tb': 'public'})
    assert chosen.rc == 0, chosen.output
    found = access(bare)
    assert found['Namespace'] == found[QUOTA] == (False, False) and found['Bucket'] == (True, False)

    wrong = run_playbook(PLAYBOOK, env=bare.env, extra_vars={'ecs_setup_access_claim': 'hidden'})
    assert wrong.rc == 2 and 'ecs_setup_access_claim' in wrong.output
    assert access(bare) == found
