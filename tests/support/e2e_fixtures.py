"""The end-to-end world: a real ColdFront, one ECS simulator per ECS resource, and an inventory file.

    def test_something(ecs_world):
        result = ecs_world.run('playbooks/provision.yml')
        assert result.rc == 0, result.output
        ecs_world.east.state()['namespaces']            # what ECS holds now
        ecs_world.site.allocation_attributes('smith-east')

ColdFront's ``ecs-east`` and ``ecs-west`` resources point at two simulators on 127.0.0.1 and 127.0.0.2 (same port,
so one ``ecs_port`` serves both), with the replication groups their ``replication_group`` attributes name.  The
inventory file selects the default way (name contains ``ecs``); credentials and the CA come from ``ECS_*``
environment variables, the way AWX credentials inject them.  Mark tests ``coldfront`` and ``simulator``.
"""

import os

import pytest
import yaml

from support.ansible_run import run_inventory, run_playbook, untag

__all__ = ['ecs_world', 'EcsWorld']

# Replication group named by each resource's ColdFront attribute (tests/coldfront/fixtures/default.yaml).
RESOURCE_GROUPS = {'ecs-east': 'rg1', 'ecs-west': 'rg-west'}


class EcsWorld:
    """ColdFront site + simulators + inventory; ``run()`` runs a playbook against all of it."""

    def __init__(self, site, simulators, inventory, env):
        self.site = site
        self.simulators = simulators
        self.inventory = inventory
        self.env = env
        # Tokens a test holds itself, per resource (not counted as left live by a run).
        self.tokens_held = {}
        # True: ``run()`` asserts after every run that no token is left live on any simulator.
        self.check_tokens = False

    @property
    def east(self):
        return self.simulators['ecs-east']

    @property
    def west(self):
        return self.simulators['ecs-west']

    def sim(self, resource):
        return self.simulators[resource]

    def run(self, playbook, **kwargs):
        """``run_playbook`` with this world's inventory and environment (``env=`` entries are added).

        With ``check_tokens`` set, the run is followed by :meth:`assert_no_live_tokens`, whatever its rc.
        """
        kwargs['env'] = dict(self.env, **(kwargs.get('env') or {}))
        kwargs.setdefault('inventory', self.inventory)
        result = run_playbook(playbook, **kwargs)
        if self.check_tokens:
            self.assert_no_live_tokens('%s (rc %s):\n%s' % (playbook, result.rc, result.output[-3000:]))
        return result

    def assert_no_live_tokens(self, after='the run'):
        """Every token the playbooks got from ECS was logged out: none is live on any simulator (``tokens_held``
        aside)."""
        for resource, simulator in sorted(self.simulators.items()):
            live = simulator.stats()['live_tokens_total'] - self.tokens_held.get(resource, 0)
            assert live == 0, '%s: %d token(s) left live on the simulator after %s' % (resource, live, after)

    def provisioned(self, ref, namespace, bucket, quota_gb=10240, used=0, resource='ecs-east'):
        """Make allocation ``ref`` look provisioned: ``Subdirectory`` recorded, namespace and bucket on ECS."""
        self.site.add_allocation_attributes(ref, {'Subdirectory': '%s:%s' % (namespace, bucket)})
        self.sim(resource).seed({'namespaces': {namespace: {
            'vpool': RESOURCE_GROUPS[resource], 'quota': {'blockSize': quota_gb, 'notificationSize': quota_gb * 9 // 10},
            'buckets': {bucket: {'usage': {'bytes': int(used), 'objects': 7}}}}}})

    def set_bucket_usage(self, namespace, bucket, used, resource='ecs-east'):
        """What the lab wrote: the bucket's billed size on ECS, in bytes."""
        self.sim(resource).seed({'namespaces': {namespace: {'buckets': {
            bucket: {'usage': {'bytes': int(used), 'objects': 7}}}}}})

    def inventory_list(self):
        """``ansible-inventory --list`` of this world, parsed (unsafe markers unwrapped)."""
        proc, data = run_inventory(self.inventory, env=self.env)
        assert proc.returncode == 0, proc.stderr
        return untag(data)

    def write_inventory(self, path, **options):
        """Another inventory file for this world's ColdFront (plugin options as keyword arguments)."""
        config = {'plugin': 'hpc.coldfront_ecs.coldfront', 'coldfront_env_file': self.site.env_file,
                  'ecs_port': self.east.port}
        config.update(options)
        with open(path, 'w') as handle:
            yaml.safe_dump(config, handle, sort_keys=False)
        return str(path)


def point_resources_at(site, simulators):
    """Set each ECS resource's ``url`` to its simulator and create the replication group it names there."""
    models = site.orm()
    for resource, simulator in simulators.items():
        models.ResourceAttribute.objects.filter(
            resource__name=resource, resource_attribute_type__name='url').update(value=simulator.host)
        group = RESOURCE_GROUPS[resource]
        if group not in simulator.state()['replication_groups']:  # keyed by name
            simulator.seed({'replication_groups': {group: {'description': 'replication group of %s' % resource}}})


@pytest.fixture
def ecs_world(coldfront_site, ecs_sim, ecs_sim_factory, tmp_path):
    """ColdFront (default dataset) + ECS simulators for ecs-east and ecs-west + an inventory file."""
    west = ecs_sim_factory(host='127.0.0.2', port=ecs_sim.port)
    simulators = {'ecs-east': ecs_sim, 'ecs-west': west}
    point_resources_at(coldfront_site, simulators)
    env = dict(coldfront_site.env, ECS_USER=ecs_sim.admin.username, ECS_PASS=ecs_sim.admin.password,
               ECS_CA_PATH=ecs_sim.ca_path)
    world = EcsWorld(coldfront_site, simulators, None, env)
    world.inventory = world.write_inventory(os.path.join(str(tmp_path), 'ecs.coldfront.yml'))
    return world
