"""The benchmark world: a real ColdFront with N provisioned allocations over R ECS resources, one simulator each.

    world = BenchWorld.build(directory, n=2000, resources=2, latency_ms=20, db='sqlite', profile='legacy')
    world.run('playbooks/sync.yml')            # ansible-playbook through the inventory plugin (EcsWorld.run)
    world.ecs_calls()                          # API calls counted by every simulator since the last reset
    world.stop()

ColdFront: the ``default`` dataset (it has the collection's attribute types) plus ``generate`` bulk data: resources
``bench-ecs-0`` .. ``bench-ecs-<R-1>`` and N + ``fresh`` Active allocations, each with its own project and a
``Storage Quota (TB)`` of 1..10 TB with usage.  The first N are made to look as provision leaves them
(``Namespace``, ``Bucket``, ``Subdirectory``, ``Quota_In_Bytes`` recorded, bulk-inserted so no history rows); the
``fresh`` ones are parked in status ``New`` until :meth:`BenchWorld.release_fresh` makes them Active for provision.

ECS: resource i is served by a simulator on 127.0.0.<i+1> (one shared port, one CA), with latency L per call and the
API profile: ``legacy`` (brief namespace list, no batch billing: an older cluster) or ``modern`` (full namespace
objects with quotas, batch billing).  Each provisioned allocation has its namespace with the ColdFront quota (every
20th one raised on ECS, so sync has quotas to pull) and its bucket with a usage ColdFront does not have yet.
"""

import os

from support.coldfront_site import ColdFrontSite
from support.e2e_fixtures import EcsWorld
from support.simulator import start_simulator

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import naming, units

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
TESTS_DIR = os.path.dirname(BENCH_DIR)
REPO = os.path.dirname(TESTS_DIR)

PREFIX = 'bench'
REPLICATION_GROUP = 'rg1'          # in the simulator's default world
LDAP_DOMAIN = 'ad.example.org'
# API profiles as simulator switches (command line --namespace-list / --batch-billing, or POST /_sim/config).
PROFILES = {
    'legacy': {'namespace_list': 'brief', 'batch_billing': 'off'},
    'modern': {'namespace_list': 'full', 'batch_billing': 'on'},
}
# Rows the collection (or the baseline) may write; all are TimeStampedModels, so a save changes ``modified``.
DATA_MODELS = ('AllocationAttribute', 'AllocationAttributeUsage', 'ResourceAttribute', 'Resource', 'Allocation', 'Project')
QUOTA_RAISED_EVERY = 20


def profile_args(profile):
    """The simulator command line of an API profile."""
    args = []
    for key, value in sorted(PROFILES[profile].items()):
        args += ['--' + key.replace('_', '-'), value]
    return tuple(args)


def quota_tb(index):
    """The ``Storage Quota (TB)`` that ``generate`` gives the allocation at ``index``."""
    return 1 + index % 10


def used_bytes(index):
    """What ECS reports as used in the allocation's bucket (never what ColdFront holds before the first sync)."""
    return (index % 97 + 1) * 3 * units.gb_to_bytes(1) + 4096 * (index % 7)


class BenchWorld(EcsWorld):
    """:class:`EcsWorld` over generated resources; knows the allocations, counts calls and rows."""

    def __init__(self, site, simulators, env, provisioned, fresh, profile, latency_ms):
        super(BenchWorld, self).__init__(site, simulators, None, env)
        self.provisioned = provisioned      # [(allocation id, resource name, namespace, bucket, index)]
        self.fresh = fresh                  # allocation ids parked in status New
        self.profile = profile
        self.latency_ms = latency_ms

    @property
    def east(self):
        """The first simulator (EcsWorld.write_inventory takes the shared port from it)."""
        return next(iter(self.simulators.values()))

    @classmethod
    def build(cls, directory, n, resources=2, latency_ms=20, db=None, profile='legacy', fresh=200):
        if profile not in PROFILES:
            raise ValueError('unknown API profile %r: use %s' % (profile, ', '.join(PROFILES)))
        site = ColdFrontSite.create(os.path.join(directory, 'coldfront'), db=db, dataset='default')
        simulators = {}
        try:
            generated = site.generate(n + fresh, resources=resources, prefix=PREFIX)
            names = generated['resources']
            ids = generated['allocations']
            titles = dict(site.orm().Allocation.objects.filter(pk__in=ids[:n]).values_list('pk', 'project__title'))
            provisioned = []
            for index, pk in enumerate(ids[:n]):
                namespace = naming.derive_namespace(titles[pk], None)
                provisioned.append((pk, names[index % resources], namespace, naming.derive_bucket(namespace, None), index))
            for number, name in enumerate(names):
                host = '127.0.0.%d' % (number + 1)
                port = simulators[names[0]].port if simulators else 0
                cert_dir = os.path.join(directory, 'certs')
                simulators[name] = start_simulator(host=host, port=port, cert_dir=cert_dir, latency_ms=latency_ms,
                                                   extra_args=profile_args(profile))
            env = dict(site.env, ECS_USER=simulators[names[0]].admin.username,
                       ECS_PASS=simulators[names[0]].admin.password, ECS_CA_PATH=simulators[names[0]].ca_path)
            world = cls(site, simulators, env, provisioned, ids[n:], profile, latency_ms)
            world.record_provisioned()
            world.seed_ecs()
            world.inventory = world.write_inventory(os.path.join(directory, 'bench.coldfront.yml'),
                                                    name_contains='%s-ecs' % PREFIX)
            # The same resources without allocations in the host vars: the roles read them when they run.
            world.lean_inventory = world.write_inventory(os.path.join(directory, 'lean.coldfront.yml'),
                                                         name_contains='%s-ecs' % PREFIX, allocation_vars=False)
        except BaseException:
            for simulator in simulators.values():
                simulator.stop()
            site.destroy()
            raise
        return world

    # ---- setup ---------------------------------------------------------------------------------
    def record_provisioned(self):
        """ColdFront as provision leaves it, bulk-inserted (no history rows): names, Subdirectory, Quota_In_Bytes."""
        models = self.site.orm()
        types = dict((row.name, row) for row in models.AllocationAttributeType.objects.filter(
            name__in=('Namespace', 'Bucket', 'Subdirectory', 'Quota_In_Bytes')))
        rows = []
        for pk, _resource, namespace, bucket, index in self.provisioned:
            for name, value in (('Namespace', namespace), ('Bucket', bucket),
                                ('Subdirectory', naming.subdirectory(namespace, bucket)),
                                ('Quota_In_Bytes', str(units.tb_to_bytes(quota_tb(index))))):
                rows.append(models.AllocationAttribute(allocation_id=pk, allocation_attribute_type=types[name], value=value))
        with models.transaction.atomic():
            created = models.AllocationAttribute.objects.bulk_create(rows, batch_size=2000)
            quota_bytes = [row for row in created if row.allocation_attribute_type_id == types['Quota_In_Bytes'].pk]
            models.AllocationAttributeUsage.objects.bulk_create(
                [models.AllocationAttributeUsage(allocation_attribute=row, value=0.0) for row in quota_bytes],
                batch_size=2000)
            self._set_status(models, self.fresh, 'New')
            for resource, simulator in self.simulators.items():
                self._resource_attributes(models, resource, {'url': simulator.host, 'replication_group': REPLICATION_GROUP,
                                                             'ldap_domain': LDAP_DOMAIN})

    @staticmethod
    def _resource_attributes(models, resource, values):
        types = dict((row.name, row) for row in models.ResourceAttributeType.objects.filter(name__in=list(values)))
        target = models.Resource.objects.get(name=resource)
        for name, value in values.items():
            updated = models.ResourceAttribute.objects.filter(resource=target, resource_attribute_type=types[name]).update(
                value=value)
            if not updated:
                models.ResourceAttribute.objects.create(resource=target, resource_attribute_type=types[name], value=value)

    @staticmethod
    def _set_status(models, ids, status):
        choice = models.AllocationStatusChoice.objects.get(name=status)
        models.Allocation.objects.filter(pk__in=list(ids)).update(status=choice)

    def seed_ecs(self):
        """Every provisioned allocation's namespace (quota) and bucket (usage) on its resource's simulator."""
        worlds = dict((name, {}) for name in self.simulators)
        for _pk, resource, namespace, bucket, index in self.provisioned:
            hard_gb = units.tb_to_gb(quota_tb(index) + (1 if index % QUOTA_RAISED_EVERY == 0 else 0))
            worlds[resource][namespace] = {
                'vpool': REPLICATION_GROUP,
                'quota': {'blockSize': hard_gb, 'notificationSize': units.soft_quota_gb(hard_gb)},
                'buckets': {bucket: {'quota': {'blockSize': hard_gb, 'notificationSize': units.soft_quota_gb(hard_gb)},
                                     'usage': {'bytes': used_bytes(index), 'objects': index % 1000}}},
            }
        for resource, namespaces in worlds.items():
            self.simulators[resource].seed({'namespaces': namespaces})

    def set_profile(self, profile):
        """Switch every simulator to another API profile (an ECS upgrade, as far as the API goes)."""
        for simulator in self.simulators.values():
            simulator.config(**PROFILES[profile])
        self.profile = profile

    def release_fresh(self):
        """The parked allocations become Active (an approval) so that provision picks them up."""
        self._set_status(self.site.orm(), self.fresh, 'Active')

    # ---- measuring -----------------------------------------------------------------------------
    def reset_stats(self):
        for simulator in self.simulators.values():
            simulator.reset_stats()

    def ecs_calls(self):
        """``(total API calls, {route: calls})`` over every simulator since the last :meth:`reset_stats`."""
        total, routes = 0, {}
        for simulator in self.simulators.values():
            stats = simulator.stats()
            total += stats['total']
            for route, count in stats['requests'].items():
                routes[route] = routes.get(route, 0) + count
        return total, routes

    def row_versions(self):
        """``{(model, pk, modified)}`` of every data row: rows written by a step = versions new after it."""
        models = self.site.orm()
        versions = set()
        for name in DATA_MODELS:
            versions.update((name,) + row for row in getattr(models, name).objects.values_list('pk', 'modified'))
        return versions

    def history_total(self):
        return sum(self.site.history_counts().values())

    def stop(self):
        for simulator in self.simulators.values():
            simulator.stop()
        self.site.destroy()
