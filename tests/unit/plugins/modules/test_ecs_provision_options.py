"""ecs_provision's per-resource options: named as in coldfront_ecs_sync, the first names still accepted."""

import pytest

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.hpc.coldfront_ecs.plugins.modules import ecs_provision

OPTIONS = ('soft_quota_percent', 'overcommit', 'soft_quota_percent_overrides', 'overcommit_overrides')
REST = dict(replication_group=None, ldap_domain=None, bucket_quota=True, default_options=None, attribute_names={},
            recorded_federation=None)


def settings(**args):
    """The settings of resource ecs-archive from ``args`` as AnsibleModule would validate them."""
    spec = ecs_provision.argument_spec()
    result = ArgumentSpecValidator(dict((name, spec[name]) for name in OPTIONS)).validate(args)
    assert not result.error_messages
    return ecs_provision.settings_from_params(dict(REST, **result.validated_parameters), 'ecs-archive')


@pytest.mark.parametrize('overcommit, percent', [('overcommit_overrides', 'soft_quota_percent_overrides'),
                                                 ('resource_overcommit', 'resource_soft_quota_percent')])
def test_the_per_resource_values_win_under_either_name(overcommit, percent):
    per_resource = {overcommit: {'ecs-archive': 1.0, 'ecs-east': 2.0}, percent: {'ecs-archive': 80}}
    chosen = settings(overcommit=1.5, soft_quota_percent=90, **per_resource)
    assert (chosen.overcommit, chosen.soft_quota_percent) == (1.0, 80)


def test_without_an_entry_for_the_resource_the_global_values_hold():
    chosen = settings(overcommit=1.5, soft_quota_percent=90, overcommit_overrides={'ecs-east': 2.0})
    assert (chosen.overcommit, chosen.soft_quota_percent) == (1.5, 90)
