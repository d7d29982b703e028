"""Provisioning failures visible in ColdFront: playbooks/provision.yml notes why an allocation could not be
provisioned on the allocation's page, once, and marks the note resolved when a later run provisions it.

The page is fetched from a running ColdFront (``coldfront runserver`` on the test database) as a superuser and as the
PI: private notes are for superusers only, ``ecs_provision_notes_private: false`` shows them to the PI.
"""

import contextlib
import html
import os
import socket
import subprocess
import sys
import time

import pytest
import requests

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import failure_notes as fn

pytestmark = [pytest.mark.coldfront, pytest.mark.simulator]

PLAYBOOK = 'playbooks/provision.yml'
PROVISION = 'Provision namespaces and buckets, push quota changes'
NOTES = "Note the provisioning failures on the allocations' ColdFront pages, resolve the notes of provisioned ones"
QUOTA = 'Storage Quota (TB)'
PASSWORD = 'notes-test-password'


# ---- helpers ------------------------------------------------------------------------------------------------

def notes_result(result, host='ecs-west'):
    events = result.task(NOTES, host)
    assert len(events) == 1, result.output
    return events[0]['result']


def stored_notes(site, allocation):
    """``[(text, private)]`` of the allocation's notes, oldest first."""
    rows = site.orm().AllocationUserNote.objects.filter(allocation_id=allocation).order_by('pk')
    return [(row.note, row.is_private) for row in rows]


def free_port():
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def coldfront_server(site):
    """``coldfront runserver`` on the site's database; yields its base URL."""
    port = free_port()
    env = dict(os.environ, **site.env)
    env.pop('COLDFRONT_ENV', None)
    log_path = os.path.join(site.directory, 'runserver.log')
    log = open(log_path, 'w', encoding='utf-8')  # pylint: disable=consider-using-with
    server = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), 'coldfront'), 'runserver',
                               '127.0.0.1:%d' % port, '--noreload'], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = 'http://127.0.0.1:%d' % port
    try:
        deadline = time.time() + 60
        while True:
            try:
                requests.get(base + '/user/login', timeout=2)
                break
            except requests.ConnectionError:
                assert server.poll() is None and time.time() < deadline, 'coldfront runserver failed: see ' + log_path
                time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def login(base, username):
    """A session logged in to ColdFront's login form as ``username``."""
    session = requests.Session()
    session.get(base + '/user/login', timeout=30).raise_for_status()
    answer = session.post(base + '/user/login', allow_redirects=False, timeout=30,
                          data={'username': username, 'password': PASSWORD,
                                'csrfmiddlewaretoken': session.cookies['csrftoken']},
                          headers={'Referer': base + '/user/login'})
    assert answer.status_code == 302, 'login of %s refused' % username
    return plain_http(session)


def plain_http(session):
    """ColdFront sets SESSION_COOKIE_SECURE; the development server speaks plain HTTP: send the cookies anyway."""
    for cookie in session.cookies:
        cookie.secure = False
    return session


def page(session, base, allocation):
    """The allocation's detail page as text (HTML entities decoded)."""
    answer = session.get('%s/allocation/%d/' % (base, allocation), allow_redirects=False, timeout=60)
    plain_http(session)  # the answer may set the session cookie again
    assert answer.status_code == 200, answer.status_code
    assert 'Notifications' in answer.text
    return html.unescape(answer.text)


def can_log_in(site, pi):
    """Passwords for the superuser and the PI, and the PI an active member of the project (ColdFront shows a
    project's allocations to its members only)."""
    models = site.orm()
    for username in ('cfadmin', pi):
        user = models.User.objects.get(username=username)
        user.set_password(PASSWORD)
        user.save()
    project = models.Project.objects.get(pi__username=pi, title='Smith Lab')
    models.ProjectUser.objects.get_or_create(
        project=project, user=models.User.objects.get(username=pi),
        defaults={'role': models.ProjectUserRoleChoice.objects.get(name='Manager'),
                  'status': models.ProjectUserStatusChoice.objects.get(name='Active')})


# ---- the test -----------------------------------------------------------------------------------------------

def test_a_failure_is_noted_once_shown_to_admins_then_resolved(ecs_world):
    world, site = ecs_world, ecs_world.site
    # A second Smith Lab allocation, on ecs-west, with no quota: it cannot be provisioned.
    allocation = site.add_allocation('smith', ['ecs-west'])
    can_log_in(site, 'jsmith')

    first = world.run(PLAYBOOK)
    assert first.rc == 2, first.output
    failed = dict((entry['allocation_id'], entry) for entry in first.results(PROVISION, 'ecs-west')[0]['results'])
    assert failed[allocation]['action'] == 'failed'
    noted = notes_result(first)
    assert noted['changed'] and [(entry['allocation_id'], entry['action']) for entry in noted['notes']] == [
        (allocation, fn.CREATE)]
    [(text, private)] = stored_notes(site, allocation)
    assert private and fn.parse_open(text)[0] == failed[allocation]['error']
    assert notes_result(first, 'ecs-east')['notes'] == []            # ecs-east provisioned everything

    again = world.run(PLAYBOOK)
    assert again.rc == 2, again.output
    assert not notes_result(again)['changed'] and notes_result(again)['notes'][0]['action'] == fn.KEEP
    assert stored_notes(site, allocation) == [(text, True)]

    with coldfront_server(site) as base:
        admin, pi = login(base, 'cfadmin'), login(base, 'jsmith')
        assert text in page(admin, base, allocation)
        pi_page = page(pi, base, allocation)
        assert fn.OPEN_PREFIX not in pi_page and 'There are no notes from system administrators' in pi_page

        shown = world.run(PLAYBOOK, extra_vars={'ecs_provision_notes_private': False})
        assert shown.rc == 2, shown.output
        assert notes_result(shown)['notes'][0]['action'] == fn.UPDATE
        assert stored_notes(site, allocation) == [(text, False)]
        assert text in page(pi, base, allocation)

        # The cause fixed: the allocation provisions, the note is resolved.
        site.add_allocation_attributes(allocation, {QUOTA: '1'})
        fixed = world.run(PLAYBOOK)
        assert fixed.rc == 0, fixed.output
        assert notes_result(fixed)['notes'][0]['action'] == fn.RESOLVE
        [(resolved, private)] = stored_notes(site, allocation)
        assert fn.parse_open(resolved) is None and resolved.endswith(text[len(fn.PREFIX):]) and not private
        assert resolved in page(admin, base, allocation)

    later = world.run(PLAYBOOK)
    assert later.rc == 0, later.output
    # Nothing failed and nothing changed: no note to write or resolve, so the notes task does not even open ColdFront.
    assert 'skip_reason' in notes_result(later) and stored_notes(site, allocation) == [(resolved, private)]
    assert stored_notes(site, allocation) == [(resolved, False)]


def test_a_resource_that_fails_as_a_whole_writes_no_note(ecs_world):
    """ECS unreachable: the run fails and says why; no note on the allocations of that resource."""
    world, site = ecs_world, ecs_world.site
    allocation = site.add_allocation('smith', ['ecs-west'])          # would fail on its own too (no quota)
    world.west.faults(down=True)

    result = world.run(PLAYBOOK)
    assert result.rc == 2, result.output
    assert result.task(NOTES, 'ecs-west')[0]['status'] == 'skipped'
    assert stored_notes(site, allocation) == [] and stored_notes(site, site.allocation_id('odd-west')) == []
    assert notes_result(result, 'ecs-east')['notes'] == []          # the other resource went on
