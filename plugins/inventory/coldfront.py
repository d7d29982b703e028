# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: coldfront
short_description: ECS resources and their allocations, read from ColdFront
version_added: 1.0.0
description:
  - One host per ECS resource of a ColdFront 1.1 portal, with every allocation of that resource (in the
    selected statuses) in the host var C(ecs_allocations), with namespace and bucket names, quota, usage,
    automation options and the problems found in the allocation's data (unless O(allocation_vars=false), for
    large portals, where the roles read the allocations when they run).
  - Reads ColdFront through its Django models (the same database as the portal), with a fixed number of
    queries whatever the number of allocations. ColdFront must be importable by the Python that runs
    Ansible (ColdFront's virtualenv, or an execution environment that contains it).
  - The inventory file name must end with C(coldfront.yml) or C(coldfront.yaml), for example
    C(coldfront.yml) or C(production.coldfront.yml).
  - The host name is the ColdFront resource name. A resource name with characters other than letters,
    digits, C(.), C(_) and C(-) is sanitized (each other character becomes C(_); C(_<resource id>) is appended
    if that collides); C(coldfront_resource_name) always holds the real name.
  - A resource without a usable C(url) attribute (missing, C(http://), a port, a path) is left out with a
    warning that names it. Allocation data problems never fail the inventory; they are listed per
    allocation in C(errors) and for the host in C(ecs_allocation_errors).
  - Each allocation's C(error_kinds) holds the kind of each of its C(errors), in the same order, one stable word to
    decide on (the wording of C(errors) may change) - C(duplicate_attribute), C(invalid_name) (a C(Namespace) or
    C(Bucket) attribute, or a project title that slugs to nothing), C(invalid_record) (a C(Subdirectory) or claim
    that is not C(<namespace>:<bucket>)), C(record_mismatch) (a C(Namespace) or C(Bucket) attribute that disagrees
    with the recorded names), C(invalid_quota), C(unsupported_option), C(no_ldap_group), C(claimed_elsewhere)
    (another allocation holds the namespace) or C(shared_namespace) (several allocations claim it and none wins).
  - O(attribute_names) names the attributes it reads. The resource attribute C(url) holds the ECS endpoint, a host
    name or C(https://host), with no port and no path. C(replication_group) and C(ldap_domain) become the host vars
    C(ecs_replication_group) and C(ecs_ldap_domain). C(subdirectory) and C(claim) are also read on allocations
    outside O(allocation_statuses), in one more query. A namespace recorded or claimed by an Expired allocation is
    refused to every other allocation that has not recorded it. Resources whose federations (C(federation)) share a
    VDC, or whose hosts are the same, share one namespace name space.
  - The host var C(coldfront_attribute_names) holds every attribute name the inventory used (O(attribute_names) with
    the defaults filled in); the roles write under the same names by default.
  - Hosts are in the group C(coldfront_ecs) and in C(coldfront_type_<resource type>) (lower case).
author:
  - hpc.coldfront_ecs contributors (@hpc-coldfront-ecs)
requirements:
  - ansible-core 2.19 or later (earlier versions would evaluate Jinja in ColdFront text; the plugin refuses them)
  - ColdFront 1.1.x (C(coldfront) Python package) and its database driver
  - jmespath (only for O(resource_query))
extends_documentation_fragment:
  - constructed
  - inventory_cache
  - hpc.coldfront_ecs.attribute_names
options:
  plugin:
    description: The name of this plugin; it marks the file as this plugin's configuration.
    required: true
    type: str
    choices: [hpc.coldfront_ecs.coldfront]
  coldfront_env_file:
    description:
      - ColdFront's environment file (what the portal reads through C(COLDFRONT_ENV)); it usually holds
        C(DB_URL) and the C(PLUGIN_*) settings.
    type: path
    env:
      - name: COLDFRONT_ENV
  db_url:
    description:
      - ColdFront's database URL, for example C(postgresql://coldfront:secret@db.example.org:5432/coldfront).
      - Takes precedence over the C(DB_URL) of O(coldfront_env_file). Never shown in output, errors or the cache.
      - Leave it out of inventory files; set the C(DB_URL) environment variable (for AWX, through a credential).
    type: str
    env:
      - name: DB_URL
  settings_module:
    description: Django settings module of ColdFront.
    type: str
    default: coldfront.config.settings
    env:
      - name: DJANGO_SETTINGS_MODULE
  name_contains:
    description:
      - Select resources whose name contains this text (case-insensitive).
      - Set to an empty string to select by the other criteria only.
    type: str
    default: ecs
  resource_types:
    description: Select resources of these ColdFront resource types (names, for example C(Storage)).
    type: list
    elements: str
  resource_attribute:
    description:
      - Select resources whose attribute O(resource_attribute.name) equals O(resource_attribute.value), or, without
        O(resource_attribute.value), has a value that is not empty.
    type: dict
    suboptions:
      name:
        description: Resource attribute name.
        type: str
        required: true
      value:
        description: The value it must have (text). Leave it out to select every resource where the attribute is set.
        type: str
  resource_query:
    description:
      - JMESPath expression evaluated on each resource record (C(id), C(name), C(resource_type),
        C(description), C(is_available), C(attributes)); a truthy result selects the resource.
      - For example V(attributes.storage_type == 'ecs' && is_available).
    type: str
  resources:
    description: Select only resources with these exact names.
    type: list
    elements: str
  allocation_statuses:
    description: Allocations in these statuses are listed in C(ecs_allocations).
    type: list
    elements: str
    default: [Active]
  allocation_vars:
    description:
      - Put the allocations of each resource in its host vars (C(ecs_allocations), C(ecs_allocation_errors)).
      - Set V(false) for large portals. Hosts then carry only resource data and C(coldfront_allocation_query), and
        the C(hpc.coldfront_ecs.ecs_provision) and C(hpc.coldfront_ecs.ecs_sync) roles read the same allocations from
        ColdFront when they run (M(hpc.coldfront_ecs.coldfront_ecs_allocation_info)). The inventory then reads no
        allocation and its size no longer grows with them (ansible-core 2.19 spends most of C(ansible-inventory --list)
        on tagging and printing large host vars; see C(docs/performance.md)). Its data are also as fresh as the play.
      - With V(false), O(compose), O(groups) and O(keyed_groups) cannot use C(ecs_allocations).
    type: bool
    default: true
  ecs_port:
    description: Port of the ECS Management API, set as C(ecs_port) on every host.
    type: int
    default: 4443
    env:
      - name: ECS_PORT
  default_automation_options:
    description:
      - Automation options of allocations without the O(attribute_names.options) attribute.
      - Supported is C(nfs_share) (the bucket gets file system access); any other option is reported as an
        error of the allocation.
    type: list
    elements: str
    default: []
  group_template:
    description:
      - The AD/LDAP group of the group mapping of each new namespace (the C(ldap_group) of each allocation), made
        from the project. Placeholders C({title}) (the project title, unchanged), C({pi}) (the PI's user name),
        C({project_id}) and C({attr:NAME}) (the project attribute C(NAME)); any other text is kept as it is.
      - Each placeholder is replaced once by the project's value, which is never read as a template again. The
        allocation attribute O(attribute_names.group) overrides it for one allocation.
      - A group that cannot be made (a missing project attribute) or that O(group_name_rules) refuses is an error of
        the allocation, unless it is provisioned already (its namespace keeps the mapping it was created with).
      - The roles use the same template when they read the allocations again (host var C(coldfront_allocation_query)).
    type: str
    default: '{title}'
  group_name_rules:
    description:
      - What the group of O(group_template) (or of the attribute O(attribute_names.group)) must be.
      - V(ldap) - 1 to 256 characters, not only spaces, no control characters (any LDAP directory).
      - 'V(ad) - what Active Directory accepts as a group name - 1 to 64 characters, none of
        C(" / \ [ ] : ; | = , + * ? < >), no control characters, no space at either end and no C(.) at the end.'
    type: str
    choices: [ldap, ad]
    default: ldap
"""

EXAMPLES = r"""
---
# coldfront.yml: every resource whose name contains "ecs", Active allocations. ColdFront's database comes
# from the environment: COLDFRONT_ENV=/etc/coldfront/coldfront.env (or DB_URL=...).
plugin: hpc.coldfront_ecs.coldfront

---
# production.coldfront.yml: select by type and attribute, include allocations awaiting renewal,
# cache the result for 10 minutes, add groups and variables.
plugin: hpc.coldfront_ecs.coldfront
coldfront_env_file: /etc/coldfront/coldfront.env
name_contains: ''
resource_types: [Storage]
resource_attribute:
  name: storage_type
  value: ecs
allocation_statuses: [Active, Renewal Requested]
default_automation_options: [nfs_share]
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: /var/cache/ansible/coldfront
cache_timeout: 600
compose:
  ecs_pending: ecs_allocations | rejectattr('provisioned') | map(attribute='id') | list
groups:
  ecs_with_errors: ecs_allocation_errors | length > 0
keyed_groups:
  - key: ecs_replication_group
    prefix: rg

---
# selected.coldfront.yml: explicit resources, or a JMESPath expression over the resource record.
plugin: hpc.coldfront_ecs.coldfront
name_contains: ''
resource_query: "is_available && contains(name, 'ecs')"
"""

import hashlib
import json
import re

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.module_utils.compat.version import LooseVersion
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.release import __version__ as ansible_core_version

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.allocation import settings_from_names
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.group_mapping import (
    GroupTemplateError, parse_template, template_attributes)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.attributes import attribute_names
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.credentials import hide
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.systems import (
    scrub_credentials, system_views, usable_resources)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils.coldfront import (
    InvalidSelection, load_resources, mask, setup_django)

MINIMUM_ANSIBLE_CORE = '2.19'
ALL_GROUP = 'coldfront_ecs'
# Variable of group all that says why the inventory could not be read (the playbooks fail with it).
ERROR_VAR = 'coldfront_ecs_inventory_error'
TYPE_GROUP_PREFIX = 'coldfront_type_'
_SAFE_HOST_NAME = re.compile(r'[^A-Za-z0-9._-]')


def host_names(records):
    """``{resource id: host name}``: the resource name, sanitized when needed, never two hosts with one name."""
    names = dict((record['id'], record['name']) for record in records if not _SAFE_HOST_NAME.search(record['name']))
    taken = set(names.values())
    for record in records:
        if record['id'] not in names:
            name = _SAFE_HOST_NAME.sub('_', record['name'])
            if name in taken:
                name = '%s_%s' % (name, record['id'])
            names[record['id']] = name
            taken.add(name)
    return names


def require_untrusted_strings(version):
    """Refuse ansible-core before 2.19: it would evaluate Jinja written by portal users into the host vars."""
    if LooseVersion(version) < LooseVersion(MINIMUM_ANSIBLE_CORE):
        raise AnsibleParserError(
            'hpc.coldfront_ecs.coldfront needs ansible-core %s or later (this is %s): older versions evaluate Jinja in '
            'inventory values, so a project title such as "{{ lookup(\'pipe\', ...) }}" would run on the controller; '
            'upgrade ansible-core or the execution environment' % (MINIMUM_ANSIBLE_CORE, version))


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """ECS resources of ColdFront as hosts, their allocations as host vars."""

    NAME = 'hpc.coldfront_ecs.coldfront'
    names = None  # the attribute names (option attribute_names with the defaults), set when the options are read

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and path.endswith(('coldfront.yml', 'coldfront.yaml'))

    def parse(self, inventory, loader, path, cache=True):
        require_untrusted_strings(ansible_core_version)
        super(InventoryModule, self).parse(inventory, loader, path)
        try:
            self._parse(path, cache)
        except AnsibleError as exc:
            # Ansible turns a failed source into a warning and goes on with no hosts; the playbooks' first play
            # (role hpc.coldfront_ecs.ecs_common, entry point inventory) fails the run with this reason.
            self.inventory.set_variable('all', ERROR_VAR, str(exc.message))
            raise

    def _parse(self, path, cache):
        self._check_options(self._read_config_data(path))
        cache_key = '%s_%s' % (self.get_cache_key(path), self._selection_fingerprint())
        use_cache = self.get_option('cache') and cache
        update_cache = self.get_option('cache') and not cache
        records = None
        if use_cache:
            try:
                records = self._cache[cache_key]
            except KeyError:
                update_cache = True
        if records is None:
            records = scrub_credentials(self._load_records())
        if update_cache:
            # Only ColdFront data goes into the cache: no option value (the database URL) is ever stored.
            self._cache[cache_key] = records
        self._populate(records)

    def _check_options(self, config):
        """Refuse what Ansible lets through: unknown option names (a typo would silently keep the default) and ports."""
        known = set(self.get_options()) | set(('plugin',))
        unknown = sorted(set(config or {}) - known)
        if unknown:
            raise AnsibleParserError('unknown option(s) %s in the inventory file: check the spelling (ansible-doc -t '
                                     'inventory hpc.coldfront_ecs.coldfront lists the options)' % ', '.join(unknown))
        port = self.get_option('ecs_port')
        if not 1 <= port <= 65535:
            raise AnsibleParserError('ecs_port %s is not a TCP port (1-65535)' % port)
        try:
            self.names = attribute_names(self.get_option('attribute_names'))
        except ValueError as exc:
            raise AnsibleParserError('attribute_names: %s' % exc)
        try:
            parse_template(self.get_option('group_template'))
        except GroupTemplateError as exc:
            raise AnsibleParserError(str(exc))

    # -- reading ColdFront --------------------------------------------------------------------------------

    def _selection(self):
        selection = {'name_contains': self.get_option('name_contains') or None}
        for key, option in (('resource_types', 'resource_types'), ('attribute', 'resource_attribute'),
                            ('query', 'resource_query'), ('names', 'resources')):
            if self.get_option(option):
                selection[key] = self.get_option(option)
        return selection

    def _selection_fingerprint(self):
        """Short hash of what decides the records read, so a changed selection never reads a stale cache."""
        text = json.dumps([self._selection(), self.get_option('allocation_statuses'),
                           self.get_option('allocation_vars'), self._project_attributes()], sort_keys=True, default=str)
        return hashlib.sha256(text.encode('utf-8')).hexdigest()[:12]

    def _load_records(self):
        db_url = self.get_option('db_url')
        try:
            status = setup_django(env_file=self.get_option('coldfront_env_file'), db_url=db_url,
                                  settings_module=self.get_option('settings_module'))
            for warning in status.get('warnings') or ():
                self.display.warning('hpc.coldfront_ecs.coldfront: %s' % mask(warning))
            if not self.get_option('allocation_vars'):
                return load_resources(selection=self._selection(), include_allocations=False)
            return load_resources(selection=self._selection(),
                                  allocation_statuses=tuple(self.get_option('allocation_statuses')),
                                  claims_attribute=[self.names['subdirectory'], self.names['claim']],
                                  project_attributes=self._project_attributes())
        except InvalidSelection as exc:
            raise AnsibleParserError('invalid resource selection: %s' % exc)
        except Exception as exc:  # pylint: disable=broad-except
            # One line, whatever failed (import, version, database), never the database URL.
            raise AnsibleParserError('cannot read ColdFront: %s'
                                     % mask(hide(' '.join(str(exc).split()), db_url)))

    # -- building the inventory -----------------------------------------------------------------------------

    def _project_attributes(self):
        """The project attributes the group template uses (read with the allocations)."""
        return template_attributes(self.get_option('group_template'))

    def _allocation_settings(self):
        return settings_from_names(self.names, self.get_option('default_automation_options'),
                                   self.get_option('group_template'), self.get_option('group_name_rules'))

    def _usable_resources(self, records):
        usable, warnings = usable_resources(records, self.names['url'], self.get_option('ecs_port'))
        for warning in warnings:
            self.display.warning(warning)
        return usable

    def _populate(self, records):
        resources = self._usable_resources(records)
        names = host_names([record for record, _host in resources])
        views = (system_views(resources, self._allocation_settings(), self.names['federation'])
                 if self.get_option('allocation_vars') else {})
        for record, host in resources:
            self._add_host(names[record['id']], record, host, views.get(record['id']))

    def _allocation_query(self):
        """What ``coldfront_ecs_allocation_info`` needs to read the same views as this inventory, at run time."""
        return {'selection': self._selection(), 'allocation_statuses': list(self.get_option('allocation_statuses')),
                'default_automation_options': list(self.get_option('default_automation_options')),
                'group_template': self.get_option('group_template'),
                'group_name_rules': self.get_option('group_name_rules')}

    def _add_host(self, name, record, host, views):
        """One host; ``views`` None when allocations are left out of the host vars (O(allocation_vars) off)."""
        attributes = record.get('attributes') or {}
        hostvars = {
            'ansible_connection': 'local',
            'ecs_host': host,
            'ecs_port': self.get_option('ecs_port'),
            'ecs_replication_group': attributes.get(self.names['replication_group']),
            'ecs_ldap_domain': attributes.get(self.names['ldap_domain']),
            'coldfront_resource_id': record['id'],
            'coldfront_resource_name': record['name'],
            'coldfront_resource_type': record.get('resource_type'),
            'coldfront_resource_attributes': attributes,
            'coldfront_attribute_names': dict(self.names),
        }
        # The roles read the allocations again when they run (ColdFront may have changed since): always the query.
        hostvars['coldfront_allocation_query'] = self._allocation_query()
        if views is not None:
            hostvars['ecs_allocations'] = views
            hostvars['ecs_allocation_errors'] = [message for view in views for message in view['errors']]
        self.inventory.add_group(ALL_GROUP)
        self.inventory.add_host(name, group=ALL_GROUP)
        if record.get('resource_type'):
            type_group = self.inventory.add_group(
                self._sanitize_group_name(TYPE_GROUP_PREFIX + record['resource_type'].lower()))
            self.inventory.add_child(type_group, name)
        for key, value in hostvars.items():
            self.inventory.set_variable(name, key, value)
        strict = self.get_option('strict')
        self._set_composite_vars(self.get_option('compose'), hostvars, name, strict=strict)
        self._add_host_to_composed_groups(self.get_option('groups'), hostvars, name, strict=strict)
        self._add_host_to_keyed_groups(self.get_option('keyed_groups'), hostvars, name, strict=strict)
