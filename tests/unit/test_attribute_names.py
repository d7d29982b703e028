"""One definition of the ColdFront attribute names: the table in _rules/attributes.py. The doc fragment, the role
variables and the plugins follow it, and no plugin keeps a table of its own."""

import glob
import os
import re

import pytest
import yaml

from ansible_collections.hpc.coldfront_ecs.plugins.doc_fragments.attribute_names import ModuleDocFragment
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import attributes
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.allocation import DEFAULT_SETTINGS, settings_from_names

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _yaml(path):
    with open(os.path.join(ROOT, path)) as handle:
        return yaml.safe_load(handle)


def test_the_doc_fragment_is_the_table():
    suboptions = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options']['attribute_names']['suboptions']
    assert dict((key, spec['default']) for key, spec in suboptions.items()) == attributes.DEFAULT_NAMES
    assert attributes.attribute_names_spec() == dict(
        (key, {'type': 'str', 'default': name}) for key, name in attributes.DEFAULT_NAMES.items())


def test_the_roles_pass_every_key_and_default_to_the_table():
    defaults = _yaml('roles/ecs_common/defaults/main.yml')
    passed = defaults['coldfront_ecs_attribute_names']
    assert sorted(passed) == sorted(attributes.ATTRIBUTES)
    specs = _yaml('roles/ecs_common/meta/argument_specs.yml')['argument_specs']['main']['options']
    for key, template in passed.items():
        variable = re.match(r'^\{\{ (\w+) \}\}$', template).group(1)
        # The variable's default: the inventory's name for the key, else the table's default.
        assert "coldfront_attribute_names.%s | default('%s')" % (key, attributes.DEFAULT_NAMES[key]) in defaults[variable]
        assert specs[variable]['default'] == attributes.DEFAULT_NAMES[key]


def test_names_fill_defaults_and_refuse_unknown_keys():
    assert attributes.attribute_names({'quota_tb': 'Quota (TiB)', 'bucket': None}) == dict(
        attributes.DEFAULT_NAMES, quota_tb='Quota (TiB)')
    with pytest.raises(ValueError, match='unknown attribute key quota'):
        attributes.attribute_names({'quota': 'x'})
    assert settings_from_names({}) == DEFAULT_SETTINGS
    assert settings_from_names({'options': 'opts'})['automation_options_attribute'] == 'opts'


@pytest.mark.parametrize('path', sorted(glob.glob(os.path.join(ROOT, 'plugins', '**', '*.py'), recursive=True)))
def test_no_plugin_spells_a_default_name_in_code(path):
    """Code takes names from the table; only documentation and examples may spell them."""
    if path.endswith(os.path.join('_rules', 'attributes.py')):
        return
    with open(path) as handle:
        source = handle.read()
    code = re.sub(r"(DOCUMENTATION|EXAMPLES|RETURN) = r?('''|\"\"\").*?\2", '', source, flags=re.S)
    code = re.sub(r'""".*?"""', '', code, flags=re.S)
    code = '\n'.join(line.split('#', 1)[0] for line in code.splitlines())
    spelled = [name for name in ('Storage Quota (TB)', 'Quota_In_Bytes', 'Bucket_Quota_In_Bytes', 'ECS_Claim',
                                 'Subdirectory', 'ecs_federation', 'automation_specifications')
               if "'%s'" % name in code or '"%s"' % name in code]
    assert spelled == []
