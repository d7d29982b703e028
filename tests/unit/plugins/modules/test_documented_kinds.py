"""The `kind` words of provision, adopt and the allocation views are exactly the ones their documentation lists."""

import re

import pytest
import yaml

from ansible_collections.hpc.coldfront_ecs.plugins.inventory import coldfront as coldfront_inventory
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import outcomes
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.allocation import ERROR_KINDS
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._workflows import adopt, provision
from ansible_collections.hpc.coldfront_ecs.plugins.modules import ecs_adopt, ecs_provision


def words(text, marker):
    """The ``marker(word)`` values of a documentation text (``V`` for values, ``C`` for code)."""
    return set(re.findall(r'\b%s\(([a-z_]+)\)' % marker, text))


@pytest.mark.parametrize('module, kinds', [(ecs_provision, provision.FAILURE_KINDS), (ecs_adopt, adopt.FAILURE_KINDS)])
def test_the_result_kinds_are_documented_one_for_one(module, kinds):
    documented = yaml.safe_load(module.RETURN)['results']['contains']['kind']
    assert words(' '.join(documented['description']), 'V') - {'failed'} == set(kinds)    # failed: the action
    assert documented['sample'] in kinds and set(kinds) <= set(outcomes.FAILURE_KINDS)


def test_the_view_error_kinds_are_documented_one_for_one():
    [note] = [note for note in yaml.safe_load(coldfront_inventory.DOCUMENTATION)['description']
              if 'C(error_kinds)' in note]
    assert words(note, 'C') - {'error_kinds', 'errors'} == set(ERROR_KINDS)
    assert set(ERROR_KINDS) <= set(outcomes.FAILURE_KINDS)
