"""The quota threshold and the overcommit allowance, set once in ecs_common, reach provision, sync and report.

The role defaults (ecs_common's, then the role's) and the module arguments of the role tasks are loaded as Ansible
loads them, marked trusted as Ansible marks role files, and rendered with Ansible's own Templar, layered the way a
play layers them: role defaults < the host's inventory vars < the user's variables < the task's own vars.

Precedence for one resource (the first one set wins): the role's per-resource variable, ecs_common's per-resource
one, the role's global variable, ecs_common's global one. Provision takes the per-resource dicts and decides in the
module: the test hands the role's arguments to the module's own settings function.
"""

import os

import pytest
import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.overrides import (
    resource_overcommit, resource_threshold, threshold_overrides)
from ansible_collections.hpc.coldfront_ecs.plugins.modules.ecs_provision import settings_from_params

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
LOADER = DataLoader()
OMIT = '__omit_place_holder__'

PROVISION = ('ecs_provision', 'Provision namespaces and buckets, push quota changes', 'hpc.coldfront_ecs.ecs_provision')
SYNC = ('ecs_sync', 'Read ECS and write quota, usage and capacity into ColdFront', 'hpc.coldfront_ecs.coldfront_ecs_sync')
REPORT = ('ecs_report', 'Write the usage report', 'hpc.coldfront_ecs.coldfront_usage_report')


def trusted(data):
    """Loaded YAML with every string trusted as a template, as ansible-core treats role files."""
    if isinstance(data, str):
        return trust_as_template(data)
    if isinstance(data, dict):
        return dict((key, trusted(value)) for key, value in data.items())
    if isinstance(data, list):
        return [trusted(value) for value in data]
    return data


def role_file(role, *path):
    return LOADER.load_from_file(os.path.join(REPO, 'roles', role, *path))


def flat(tasks, role=None):
    """Every task, with the tasks of blocks (and their rescue) and of the role's imported task files inlined."""
    for task in tasks:
        yield task
        for key in ('block', 'rescue', 'always'):
            yield from flat(task.get(key) or (), role)
        if role and task.get('ansible.builtin.import_tasks'):
            path = os.path.join(REPO, 'roles', role, 'tasks', task['ansible.builtin.import_tasks'])
            yield from flat(LOADER.load_from_file(path), role)


def module_args(target, resource='ecs-east', **user):
    """The arguments ``target``'s task hands its module on the host of ``resource``, with ``user`` variables set."""
    role, name, module = target
    [task] = [entry for entry in flat(role_file(role, 'tasks', 'main.yml'), role) if entry.get('name') == name]
    variables = trusted(role_file('ecs_common', 'defaults', 'main.yml'))
    variables.update(trusted(role_file(role, 'defaults', 'main.yml')))
    variables.update(inventory_hostname=resource, coldfront_resource_name=resource, omit=OMIT)
    variables.update(user)
    variables.update(trusted(task.get('vars') or {}))
    templar = Templar(loader=LOADER, variables=variables)
    return dict((key, templar.template(value)) for key, value in trusted(task[module]).items()
                if key in ('soft_quota_percent', 'alert_threshold', 'overcommit', 'threshold', 'threshold_overrides',
                           'overcommit_overrides', 'soft_quota_percent_overrides',
                           'threshold_percent_overrides'))


def provision(resource='ecs-east', **user):
    """What ecs_provision decides for ``resource`` from the arguments the role hands it (an omitted one: None)."""
    args = module_args(PROVISION, resource, **user)
    params = dict(replication_group=None, ldap_domain=None, bucket_quota=True, default_options=None,
                  attribute_names={}, recorded_federation=None)
    params.update((key, None if value == OMIT else value) for key, value in args.items())
    settings = settings_from_params(params, resource)
    return settings.soft_quota_percent, OMIT if settings.overcommit is None else settings.overcommit


def sync(resource='ecs-east', **user):
    """The threshold and overcommit coldfront_ecs_sync picks for ``resource`` from the role's arguments."""
    args = module_args(SYNC, resource, **user)
    threshold = resource_threshold(resource, float(args['alert_threshold']), args['threshold_overrides'],
                                   args['threshold_percent_overrides'])
    overcommit = resource_overcommit(resource, None if args['overcommit'] == OMIT else args['overcommit'],
                                     args['overcommit_overrides'])
    return threshold, OMIT if overcommit is None else overcommit


def report(**user):
    """The threshold, the per-resource thresholds and the overcommit coldfront_usage_report uses."""
    args = module_args(REPORT, 'localhost', **user)
    overrides = threshold_overrides(args['threshold_overrides'], args['threshold_percent_overrides'])
    return float(args['threshold']), overrides, args['overcommit']


# ---- defaults: what the roles did before the shared settings --------------------------------------------------

def test_nothing_set_is_90_percent_and_no_overcommit_limit_everywhere():
    assert provision() == (90, OMIT)
    assert sync() == (0.9, OMIT)
    assert report() == (0.9, {}, OMIT)


def test_the_global_percent_still_sets_soft_quota_and_thresholds():
    assert provision(coldfront_ecs_soft_quota_percent=75)[0] == 75
    assert sync(coldfront_ecs_soft_quota_percent=75)[0] == 0.75
    assert report(coldfront_ecs_soft_quota_percent=75)[:2] == (0.75, {})


# ---- the shared per-resource threshold ---------------------------------------------------------------------

def test_a_per_resource_threshold_is_the_soft_quota_and_the_alert_threshold_of_that_resource():
    shared = {'coldfront_ecs_resource_threshold_percent': {'ecs-east': 80}}
    assert provision('ecs-east', **shared)[0] == 80
    assert sync('ecs-east', **shared)[0] == 0.8
    assert report(**shared)[:2] == (0.9, {'ecs-east': 0.8})
    # other resources keep the global percentage
    assert provision('ecs-west', **shared)[0] == 90
    assert sync('ecs-west', **shared)[0] == 0.9


def test_per_resource_thresholds_are_fractions_for_the_report_whatever_their_type():
    shared = {'coldfront_ecs_resource_threshold_percent': {'ecs-east': 80, 'ecs-west': '75', 'ecs-archive': 62.5}}
    assert report(**shared)[1] == {'ecs-east': 0.8, 'ecs-west': 0.75, 'ecs-archive': 0.625}
    assert sync('ecs-west', **shared)[0] == 0.75


def test_a_per_resource_threshold_wins_over_the_global_ones():
    shared = {'coldfront_ecs_resource_threshold_percent': {'ecs-east': 80}, 'coldfront_ecs_soft_quota_percent': 95}
    assert provision('ecs-east', **shared)[0] == 80
    assert sync('ecs-east', ecs_sync_alert_threshold=0.85, **shared)[0] == 0.8
    assert sync('ecs-west', ecs_sync_alert_threshold=0.85, **shared)[0] == 0.85
    assert report(ecs_report_threshold=0.85, **shared)[:2] == (0.85, {'ecs-east': 0.8})


# ---- the shared overcommit allowance ------------------------------------------------------------------------

def test_a_per_resource_overcommit_reaches_provision_and_sync():
    shared = {'coldfront_ecs_resource_overcommit': {'ecs-east': 1.2}}
    assert provision('ecs-east', **shared)[1] == 1.2
    assert sync('ecs-east', **shared)[1] == 1.2
    assert provision('ecs-west', **shared)[1] == OMIT
    assert sync('ecs-west', **shared)[1] == OMIT


def test_the_global_overcommit_reaches_provision_sync_and_report():
    shared = {'coldfront_ecs_overcommit': 1.5}
    assert provision('ecs-west', **shared)[1] == 1.5
    assert sync('ecs-west', **shared)[1] == 1.5
    assert report(**shared)[2] == 1.5


def test_a_per_resource_overcommit_wins_over_the_global_one_and_null_means_unlimited():
    shared = {'coldfront_ecs_overcommit': 1.5, 'coldfront_ecs_resource_overcommit': {'ecs-east': 1.2, 'ecs-big': None}}
    assert provision('ecs-east', **shared)[1] == sync('ecs-east', **shared)[1] == 1.2
    assert provision('ecs-big', **shared)[1] == sync('ecs-big', **shared)[1] == OMIT
    assert provision('ecs-west', **shared)[1] == sync('ecs-west', **shared)[1] == 1.5
    # the report module takes one allowance for all resources: the global one
    assert report(**shared)[2] == 1.5


# ---- the role variables still override ------------------------------------------------------------------------

def test_sync_role_variables_override_the_shared_settings():
    shared = {'coldfront_ecs_resource_threshold_percent': {'ecs-east': 80},
              'coldfront_ecs_resource_overcommit': {'ecs-east': 1.2}, 'coldfront_ecs_overcommit': 1.5}
    assert sync('ecs-east', ecs_sync_alert_thresholds={'ecs-east': 0.7}, ecs_sync_overcommit={'ecs-east': 2.0},
                **shared) == (0.7, 2.0)
    # an explicit null in the role's dict is still "unlimited" for that resource
    assert sync('ecs-east', ecs_sync_overcommit={'ecs-east': None}, **shared)[1] == OMIT
    # a role variable for another resource leaves this one to the shared settings
    assert sync('ecs-east', ecs_sync_alert_thresholds={'ecs-west': 0.7}, ecs_sync_overcommit={'ecs-west': 2.0},
                **shared) == (0.8, 1.2)
    assert sync('ecs-west', ecs_sync_alert_thresholds={'ecs-west': 0.7}, ecs_sync_overcommit={'ecs-west': 2.0},
                **shared) == (0.7, 2.0)


def test_the_old_sync_variables_alone_behave_as_before():
    assert sync('ecs-east', ecs_sync_alert_threshold=0.85) == (0.85, OMIT)
    assert sync('ecs-east', ecs_sync_alert_thresholds={'ecs-east': 0.8}, ecs_sync_overcommit={'ecs-east': 1.2}) == (0.8, 1.2)
    assert sync('ecs-west', ecs_sync_alert_thresholds={'ecs-east': 0.8}, ecs_sync_overcommit={'ecs-east': 1.2}) == (0.9, OMIT)


def test_provision_overcommit_variable_overrides_the_global_allowance():
    assert provision('ecs-west', coldfront_ecs_overcommit=1.5, ecs_provision_overcommit=1.0)[1] == 1.0
    assert provision('ecs-west', coldfront_ecs_overcommit=1.5, ecs_provision_overcommit=None)[1] == OMIT
    assert provision('ecs-west', ecs_provision_overcommit=1.0) == (90, 1.0)          # as before


def test_report_role_variables_override_the_shared_settings():
    shared = {'coldfront_ecs_resource_threshold_percent': {'ecs-east': 80, 'ecs-west': 70},
              'coldfront_ecs_overcommit': 1.5}
    threshold, overrides, overcommit = report(ecs_report_threshold=0.85, ecs_report_threshold_overrides={'ecs-east': 0.95},
                                              ecs_report_overcommit=1.1, **shared)
    assert (threshold, overrides, overcommit) == (0.85, {'ecs-east': 0.95, 'ecs-west': 0.7}, 1.1)
    # as before when only the role variables are set
    assert report(ecs_report_threshold_overrides={'ecs-archive': 0.8}, ecs_report_overcommit=1.2) == (
        0.9, {'ecs-archive': 0.8}, 1.2)
    assert report(ecs_report_threshold_overrides=None)[1] == {}


# ---- the settings are declared once ---------------------------------------------------------------------------

def spec(role):
    with open(os.path.join(REPO, 'roles', role, 'meta', 'argument_specs.yml')) as handle:
        return yaml.safe_load(handle)['argument_specs']['main']['options']


def plain_defaults(role):
    with open(os.path.join(REPO, 'roles', role, 'defaults', 'main.yml')) as handle:
        return yaml.safe_load(handle)


@pytest.mark.parametrize('name, kind, default', [
    ('coldfront_ecs_soft_quota_percent', 'int', 90),
    ('coldfront_ecs_resource_threshold_percent', 'dict', {}),
    ('coldfront_ecs_overcommit', 'float', None),
    ('coldfront_ecs_resource_overcommit', 'dict', {}),
])
def test_ecs_common_declares_the_shared_settings(name, kind, default):
    option = spec('ecs_common')[name]
    assert option['type'] == kind and option.get('default') == default
    assert plain_defaults('ecs_common')[name] == default


@pytest.mark.parametrize('role, name', [
    ('ecs_provision', 'ecs_provision_overcommit'),
    ('ecs_sync', 'ecs_sync_alert_threshold'), ('ecs_sync', 'ecs_sync_alert_thresholds'), ('ecs_sync', 'ecs_sync_overcommit'),
    ('ecs_report', 'ecs_report_threshold'), ('ecs_report', 'ecs_report_threshold_overrides'),
    ('ecs_report', 'ecs_report_overcommit'),
])
def test_role_variables_document_the_shared_setting_they_override(role, name):
    description = spec(role)[name]['description']
    text = ' '.join(description if isinstance(description, list) else [description])
    assert 'coldfront_ecs_' in text, text


def test_per_resource_overcommit_reaches_the_report():
    args = module_args(REPORT, 'localhost', coldfront_ecs_resource_overcommit={'ecs-east': 1.2, 'ecs-west': None},
                       ecs_report_overcommit_overrides={'ecs-west': 1.0})
    assert args['overcommit_overrides'] == {'ecs-east': 1.2, 'ecs-west': 1.0}
    assert module_args(REPORT, 'localhost')['overcommit_overrides'] == {}
