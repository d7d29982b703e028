"""`make demo`: the main job on the embedded default, end to end, on this machine.

A throwaway ColdFront (SQLite, a few labs with allocations on two ECS resources) and one ECS Management API
simulator per ECS resource; then setup, provision, some usage on ECS, sync through the inventory plugin, the usage
report, and a table of what ColdFront now knows.  Everything lives in .demo/ and is started afresh on every run;
the simulators are stopped at the end (also on failure or Ctrl-C).

By default the playbooks come from this checkout (.build/collections links it) and run with this venv's Ansible.
To run the demo on an installed copy of the collection instead (tools/tarball_demo.sh: the built tarball as a user
installs it), set HPC_DEMO_COLLECTIONS_PATH to the collections path it was installed into and HPC_DEMO_ANSIBLE_BIN
to the bin directory of the venv whose ansible-playbook, ColdFront and Python run the playbooks: the collection's
playbooks are then run by name (hpc.coldfront_ecs.setup, ...) from that copy.
"""

import argparse
import os
import shutil
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(REPO, 'tests'), os.path.join(REPO, '.build', 'collections')]

# pylint: disable=wrong-import-position
from support.coldfront_site import ColdFrontSite  # noqa: E402
from support.e2e_fixtures import EcsWorld, point_resources_at  # noqa: E402
from support.simulator import start_simulator  # noqa: E402
from support import ansible_run  # noqa: E402

# An installed copy of the collection to run instead of this checkout (see the docstring).
INSTALLED_COLLECTIONS = os.environ.get('HPC_DEMO_COLLECTIONS_PATH')
ANSIBLE_BIN = os.environ.get('HPC_DEMO_ANSIBLE_BIN')
if ANSIBLE_BIN:
    ansible_run.BIN = ANSIBLE_BIN

DEMO_DIR = os.path.join(REPO, '.demo')
TB = 1024 ** 4
# Share of its quota each lab has used on ECS before the sync (one over the 90 % alert threshold).
USAGE_SHARE = {'smith-lab': 0.42, 'jones-genomics': 0.95, 'chen-patel-ber-lab-2024': 0.10}

STEPS = [
    ('setup', 'playbooks/setup.yml', 'ColdFront attribute types (no ECS call)'),
    ('provision', 'playbooks/provision.yml', 'namespaces, quotas and buckets for Active allocations'),
    ('sync', 'playbooks/sync.yml', 'ECS quota, usage and capacity into ColdFront'),
    ('sync again', 'playbooks/sync.yml', 'nothing changed on ECS: nothing written'),
    ('report', 'playbooks/report.yml', 'HTML, JSON and CSV usage report'),
]


def say(text):
    print(text, flush=True)


def seed_usage(world):
    """Put some data in the provisioned buckets, as the labs would."""
    for simulator in world.simulators.values():
        namespaces = simulator.state()['namespaces']
        seed = {}
        for name, namespace in namespaces.items():
            quota_gb = (namespace.get('quota') or {}).get('blockSize', -1)
            share = USAGE_SHARE.get(name, 0.25)
            used = int(quota_gb * 1024 ** 3 * share) if quota_gb > 0 else 5 * 1024 ** 3
            seed[name] = {'buckets': dict((bucket, {'usage': {'bytes': used, 'objects': 1000 + used % 997}})
                                          for bucket in namespace.get('buckets') or {})}
        simulator.seed({'namespaces': seed})


def table(site):
    """The allocations on ECS resources, as ColdFront holds them now."""
    models = site.orm()
    rows = []
    allocations = models.Allocation.objects.filter(resources__name__icontains='ecs', status__name='Active') \
        .select_related('project').prefetch_related('resources', 'allocationattribute_set__allocation_attribute_type',
                                                    'allocationattribute_set__allocationattributeusage').order_by('pk')
    for allocation in allocations:
        values = {}
        for attribute in allocation.allocationattribute_set.all():
            usage = getattr(attribute, 'allocationattributeusage', None)
            values[attribute.allocation_attribute_type.name] = (attribute.value, usage.value if usage else None)
        quota, used = values.get('Storage Quota (TB)', (None, None))
        subdirectory = values.get('Subdirectory', ('', None))[0] or ''
        namespace, _sep, bucket = subdirectory.partition(':')
        percent = '%.0f %%' % (100.0 * used / float(quota)) if quota and used is not None and float(quota) > 0 else '-'
        rows.append((str(allocation.pk), allocation.project.title.strip()[:26], allocation.resources.all()[0].name,
                     namespace or '(not provisioned)', bucket or '-', quota or '-',
                     '%.3f' % used if used is not None else '-', percent))
    header = ('id', 'project', 'resource', 'namespace', 'bucket', 'quota TB', 'used TB', 'used')
    widths = [max(len(row[i]) for row in rows + [header]) for i in range(len(header))]
    line = '  '.join('%-*s' % (w, h) for w, h in zip(widths, header))
    say(line)
    say('-' * len(line))
    for row in rows:
        say('  '.join('%-*s' % (w, v) for w, v in zip(widths, row)))


def run_step(world, name, playbook, what, directory):
    say('\n==> %s: %s (%s)' % (name, what, playbook))
    extra = {'ecs_report_output_dir': os.path.join(directory, 'report')} if name == 'report' else None
    if INSTALLED_COLLECTIONS:
        playbook = 'hpc.coldfront_ecs.' + os.path.splitext(os.path.basename(playbook))[0]
    result = world.run(playbook, extra_vars=extra)
    summary = 'ok' if result.rc == 0 else 'FAILED (rc %d)' % result.rc
    say('    %s; %d task results changed something' % (summary, result.changed))
    if result.rc != 0:
        say(result.output[-4000:])
    return result.rc == 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--dir', default=DEMO_DIR, help='where everything lives, emptied first (default %(default)s)')
    directory = os.path.abspath(parser.parse_args(argv).dir)
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    say('==> ColdFront: a throwaway site on SQLite in %s' % os.path.join(directory, 'coldfront'))
    site = ColdFrontSite.create(os.path.join(directory, 'coldfront'), db='sqlite', dataset='default')
    certs = os.path.join(directory, 'certs')
    say('==> ECS: one Management API simulator per ECS resource (HTTPS, own CA in %s)' % certs)
    with start_simulator(host='127.0.0.1', cert_dir=certs) as east, \
            start_simulator(host='127.0.0.2', port=east.port, cert_dir=certs) as west:
        simulators = {'ecs-east': east, 'ecs-west': west}
        point_resources_at(site, simulators)
        say('    ecs-east -> %s, ecs-west -> %s' % (east.url, west.url))
        env = dict(site.env, ECS_USER=east.admin.username, ECS_PASS=east.admin.password, ECS_CA_PATH=east.ca_path)
        if INSTALLED_COLLECTIONS:
            env['ANSIBLE_COLLECTIONS_PATH'] = INSTALLED_COLLECTIONS
            say('    the collection: the installed copy in %s' % INSTALLED_COLLECTIONS)
        if ANSIBLE_BIN:
            env['PATH'] = ANSIBLE_BIN + os.pathsep + os.environ.get('PATH', '')
        world = EcsWorld(site, simulators, None, env)
        world.inventory = world.write_inventory(os.path.join(directory, 'ecs.coldfront.yml'))
        ok = True
        for name, playbook, what in STEPS:
            if name == 'sync':
                say('\n==> the labs write data: usage seeded on ECS (one lab at 95 % of its quota)')
                seed_usage(world)
            if not INSTALLED_COLLECTIONS and not os.path.exists(os.path.join(REPO, playbook)):
                say('\n==> %s: %s is not available in this checkout, skipped' % (name, playbook))
                continue
            ok = run_step(world, name, playbook, what, directory) and ok
        say('\n==> ColdFront now holds:\n')
        table(site)
        say('\nKept in %s: the ColdFront database (coldfront/), the inventory file (ecs.coldfront.yml) and the '
            'report (report/latest/report.html). The simulators stop now.' % directory)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
