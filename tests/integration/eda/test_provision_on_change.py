"""End to end: ansible-rulebook with hpc.coldfront_ecs.provision_on_change, a real ColdFront and the ECS simulator.

Approving an allocation through ColdFront's models (with history, as the web UI does) must make its namespace,
quota and bucket appear on ECS; a quota raise must be pushed; a restart and a ColdFront outage must lose nothing.
Needs Java 17 and ansible-rulebook (tools/ensure_rulebook.sh, called by `make integration`).
"""

import datetime
import os
import shutil
import signal
import subprocess
import time

import pytest
import yaml

from support.ansible_run import REPO, base_env

pytestmark = [pytest.mark.coldfront, pytest.mark.simulator]

RULEBOOK = 'hpc.coldfront_ecs.provision_on_change'
DEADLINE = 120  # seconds: a rulebook start (JVM) plus one playbook run take well under half of it
TB_IN_GB = 1024
# ansible-rulebook's own venv (tools/ensure_rulebook.sh): its dependencies stay out of .venv.
RULEBOOK_BIN = os.path.join(REPO, '.build', 'rulebook', 'bin', 'ansible-rulebook')


def java_home():
    """JAVA_HOME from tools/ensure_rulebook.sh (which installs what is missing)."""
    proc = subprocess.run([os.path.join(REPO, 'tools', 'ensure_rulebook.sh')], capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        pytest.fail('tools/ensure_rulebook.sh failed: %s' % proc.stderr[-2000:])
    return proc.stdout.strip().splitlines()[-1]


def wait_for(what, predicate, rulebook=None, timeout=DEADLINE):
    """Poll ``predicate`` until it returns a truthy value; fail with the rulebook's log after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if rulebook is not None:
            rulebook.check_alive()
        time.sleep(0.5)
    pytest.fail('%s: not after %d s\n%s' % (what, timeout, rulebook.log() if rulebook else ''))


class Rulebook:
    """One ansible-rulebook process on the world's inventory; :meth:`stop` ends it like systemd would."""

    def __init__(self, world, workdir):
        self.world = world
        self.workdir = workdir
        self.state_file = os.path.join(workdir, 'position.json')
        self.process = None
        self.log_path = None
        self.runs = 0
        self.vars_file = os.path.join(workdir, 'vars.yml')
        with open(self.vars_file, 'w') as handle:
            yaml.safe_dump({'coldfront_state_file': self.state_file, 'coldfront_poll_interval': 0.5,
                            'coldfront_coalesce_seconds': 2}, handle)
        self.env = base_env(dict(world.env, JAVA_HOME=java_home()))

    def start(self):
        """Start and wait until the source has saved its position (changes after that are never skipped)."""
        self.runs += 1
        self.log_path = os.path.join(self.workdir, 'rulebook-%d.log' % self.runs)
        with open(self.log_path, 'w') as log:
            self.process = subprocess.Popen(
                [RULEBOOK_BIN, '--rulebook', RULEBOOK, '-i', self.world.inventory,
                 '--vars', self.vars_file, '-v'],
                cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        start = os.path.getmtime(self.state_file) if os.path.exists(self.state_file) else 0
        wait_for('the source saved its position', lambda: os.path.exists(self.state_file) and (
            self.runs == 1 or self.source_polling(start)), self)

    def source_polling(self, since):
        """Restarted: the log shows the source started and the position file is still in place."""
        return 'coldfront' in self.log() and os.path.getmtime(self.state_file) >= since

    def check_alive(self):
        if self.process is not None and self.process.poll() is not None:
            pytest.fail('ansible-rulebook exited with %s\n%s' % (self.process.returncode, self.log()))

    def log(self):
        with open(self.log_path) as handle:
            return handle.read()[-6000:]

    def stop(self):
        """SIGTERM to the process group (rulebook and any playbook it runs), then SIGKILL after 20 s."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.process = None


@pytest.fixture
def rulebook(ecs_world, tmp_path):
    started = Rulebook(ecs_world, str(tmp_path))
    yield started
    started.stop()


# ---- ColdFront changes, made the way the portal makes them (models, history rows with a user) --------------------
def new_allocation(site, title, quota_tb):
    """A project with an allocation on ecs-east in status New (what the request form creates)."""
    project = site.add_project(title, ref=title)
    return site.add_allocation(project, ['ecs-east'], status='New', attributes={'Storage Quota (TB)': str(quota_tb)},
                               ref=title)


def approve(site, allocation_id):
    """What AllocationDetailView's approve does to the allocation: Active, with start and end dates."""
    models = site.orm()
    allocation = models.Allocation.objects.get(pk=allocation_id)
    allocation.status = models.AllocationStatusChoice.objects.get(name='Active')
    allocation.start_date = datetime.date.today()
    allocation.end_date = datetime.date.today() + datetime.timedelta(days=365)
    allocation._history_user = models.User.objects.order_by('pk').first()  # pylint: disable=protected-access
    allocation.save()


def set_quota(site, allocation_id, quota_tb):
    """An administrator edits the allocation's Storage Quota (TB) attribute."""
    models = site.orm()
    attribute = models.AllocationAttribute.objects.get(
        allocation_id=allocation_id, allocation_attribute_type__name='Storage Quota (TB)')
    attribute.value = str(quota_tb)
    attribute._history_user = models.User.objects.order_by('pk').first()  # pylint: disable=protected-access
    attribute.save()


def on_ecs(world, allocation_id):
    """``(namespace, its ECS state)`` once provisioning recorded the allocation's Subdirectory and ECS has it."""
    recorded = world.site.allocation_attributes(allocation_id, 'Subdirectory')
    if not recorded:
        return None
    namespace, bucket = recorded[0][1].split(':')
    state = world.east.state()['namespaces'].get(namespace)
    if state is None or bucket not in state.get('buckets', {}):
        return None
    return namespace, state


def quota_gb(world, namespace):
    return world.east.state()['namespaces'][namespace]['quota']['blockSize']


# ---- ColdFront outage ------------------------------------------------------------------------------------------------
def break_database(site):
    """Make ColdFront's database unreachable; returns how to repair it."""
    if site.kind == 'sqlite':
        path = site.db_url.split('sqlite:///', 1)[1]
        shutil.move(path, path + '.away')
        return lambda: shutil.move(path + '.away', path)
    from support.coldfront_site import backend, deactivate  # pylint: disable=import-outside-toplevel
    store, name = backend('postgresql'), site.db_url.rsplit('/', 1)[1]
    store._execute('ALTER DATABASE "%s" WITH ALLOW_CONNECTIONS false' % name)  # pylint: disable=protected-access
    store._execute('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s', (name,))  # pylint: disable=protected-access

    def repair():
        store._execute('ALTER DATABASE "%s" WITH ALLOW_CONNECTIONS true' % name)  # pylint: disable=protected-access
        deactivate(site.db_url)  # this process's connection was terminated too
    return repair


# ---- the tests -------------------------------------------------------------------------------------------------------
def test_approval_provisions_and_quota_raise_is_pushed(ecs_world, rulebook):
    """New -> Active makes namespace, quota and bucket appear; a later quota raise reaches ECS."""
    allocation = new_allocation(ecs_world.site, 'Rivera Lab', 1)
    rulebook.start()
    approve(ecs_world.site, allocation)
    namespace, state = wait_for('the approved allocation on ECS', lambda: on_ecs(ecs_world, allocation), rulebook)
    assert state['quota']['blockSize'] == 1 * TB_IN_GB

    set_quota(ecs_world.site, allocation, 3)
    wait_for('the raised quota on ECS', lambda: quota_gb(ecs_world, namespace) == 3 * TB_IN_GB, rulebook)


def test_restart_and_outage_lose_nothing(ecs_world, rulebook):
    """Changes pending at a stop, or made while stopped, are provisioned after the restart; an outage is survived."""
    site = ecs_world.site
    first, second, third = (new_allocation(site, title, 1) for title in ('Alpha Lab', 'Beta Lab', 'Gamma Lab'))
    rulebook.start()
    approve(site, first)
    namespace, before = wait_for('the first allocation on ECS', lambda: on_ecs(ecs_world, first), rulebook)

    approve(site, second)  # still in the 2 s coalescing window when the rulebook stops: not emitted, not saved
    rulebook.stop()
    set_quota(site, first, 2)  # while stopped
    rulebook.start()
    wait_for('the allocation approved before the stop on ECS', lambda: on_ecs(ecs_world, second), rulebook)
    wait_for('the quota raised while stopped on ECS', lambda: quota_gb(ecs_world, namespace) == 2 * TB_IN_GB,
             rulebook)
    assert len(site.allocation_attributes(first, 'Subdirectory')) == 1, 'the first allocation was recorded twice'
    assert sorted(ecs_world.east.state()['namespaces'][namespace]['buckets']) == sorted(before['buckets'])

    repair = break_database(site)
    try:
        # A provision run may still be recording the quota raise when the database goes: the source hands its next
        # event over only when the rulebook takes it, after that run (which fails too), so allow for a slow machine.
        wait_for('the outage reported', lambda: 'ColdFront poll failed' in rulebook.log(), rulebook, timeout=90)
    finally:
        repair()
    wait_for('the source recovered', lambda: 'reachable again' in rulebook.log(), rulebook, timeout=90)
    approve(site, third)
    wait_for('an allocation approved after the outage on ECS', lambda: on_ecs(ecs_world, third), rulebook)
    rulebook.check_alive()
