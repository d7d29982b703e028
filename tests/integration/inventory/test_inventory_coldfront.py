"""The hpc.coldfront_ecs.coldfront inventory plugin against a real (throwaway) ColdFront.

Every test runs the real ``ansible-inventory`` on a fresh copy of the ``default`` dataset
(tests/coldfront/fixtures): ecs-east (url ecs1.example.org), ecs-west (url https://ecs2.example.org),
ECS-Archive (no url), plus non-ECS resources.
"""

import glob
import json
import os
import subprocess
import sys

import pytest
import yaml

from support.ansible_run import REPO, base_env, run_inventory

pytestmark = pytest.mark.coldfront

SECRET = 'S3cretPw-never-shown'


def write_inventory(directory, name='coldfront.yml', **options):
    path = os.path.join(str(directory), name)
    with open(path, 'w') as handle:
        yaml.safe_dump(dict({'plugin': 'hpc.coldfront_ecs.coldfront'}, **options), handle, sort_keys=False)
    return path


def plain(data):
    """ansible-inventory JSON with the ``{"__ansible_unsafe": value}`` markers (ColdFront text) unwrapped."""
    if isinstance(data, dict):
        if set(data) == {'__ansible_unsafe'}:
            return data['__ansible_unsafe']
        return {key: plain(value) for key, value in data.items()}
    if isinstance(data, list):
        return [plain(value) for value in data]
    return data


def inventory(site, directory, args=('--list',), env=None, **options):
    proc, data = run_inventory(write_inventory(directory, **options), args=args, env=dict(site.env, **(env or {})))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc, plain(data)


def hosts_of(data, group='coldfront_ecs'):
    return sorted((data.get(group) or {}).get('hosts') or [])


def hostvars(data, host):
    return data['_meta']['hostvars'][host]


def with_password(db_url):
    """The site's database URL with a password in it (SQLite ignores it, PostgreSQL already has one)."""
    if db_url.startswith('sqlite:///'):
        return 'sqlite://ansible:%s@//%s' % (SECRET, db_url[len('sqlite:///'):].lstrip('/'))
    return db_url


def expected_view(site, ref, resource, **fields):
    """The documented view of a default-dataset allocation, with ``fields`` overriding the defaults."""
    projects = {'smith-east': 'smith', 'jones-east': 'jones', 'odd-west': 'odd', 'jones-east-renewal': 'jones',
                'smith-west-new': 'smith', 'jones-west-expired': 'jones'}
    titles = {'smith': 'Smith Lab', 'jones': 'Jones Genomics Lab', 'odd': '  Chen & Patel: Über-Lab (2024)!! '}
    pis = {'smith': 'jsmith', 'jones': 'mjones', 'odd': 'achen'}
    project = projects[ref]
    view = {
        'id': site.allocation_id(ref), 'project': titles[project], 'project_id': site.project_id(project),
        'pi': pis[project], 'status': 'Active', 'resource': resource, 'namespace': None, 'bucket': None,
        'namespace_recorded': None, 'bucket_recorded': None,
        'subdirectory': None, 'claim': None, 'provisioned': False, 'quota_tb': None, 'usage_tb': None,
        'quota_bytes': None, 'bucket_quota_bytes': None, 'usage_bytes': None, 'options': [], 'options_source': 'default', 'filesystem_enabled': False,
        'ldap_group': titles[project], 'errors': [], 'error_kinds': []}
    view.update(fields)
    return view


def test_list_hosts_and_exact_host_vars(coldfront_site, tmp_path):
    site = coldfront_site
    proc, data = inventory(site, tmp_path)
    assert hosts_of(data) == ['ecs-east', 'ecs-west']
    assert hosts_of(data, 'coldfront_type_storage') == ['ecs-east', 'ecs-west']
    # ECS-Archive is selected by name but has no url: warned by name and left out.
    assert "ColdFront resource 'ECS-Archive' (id %d) has no 'url' attribute" % site.resource_id('ECS-Archive') \
        in ' '.join(proc.stderr.split())
    assert 'ECS-Archive' not in data['_meta']['hostvars']
    assert hostvars(data, 'ecs-east') == {
        'ansible_connection': 'local',
        'ecs_host': 'ecs1.example.org',
        'ecs_port': 4443,
        'ecs_replication_group': 'rg1',
        'ecs_ldap_domain': 'ad.example.org',
        'coldfront_resource_id': site.resource_id('ecs-east'),
        'coldfront_resource_name': 'ecs-east',
        'coldfront_resource_type': 'Storage',
        'coldfront_resource_attributes': {'url': 'ecs1.example.org', 'replication_group': 'rg1',
                                          'ldap_domain': 'ad.example.org', 'capacity_tb': '500'},
        'ecs_allocations': [
            expected_view(site, 'smith-east', 'ecs-east', namespace='smith-lab', bucket='lab-smith-lab-bucket',
                          quota_tb=10.0, usage_tb=2.5, quota_bytes=10995116277760, usage_bytes=2748779069440),
            expected_view(site, 'jones-east', 'ecs-east', namespace='jones-genomics',
                          namespace_recorded='jones-genomics', bucket='lab-jones-genomics-bucket', quota_tb=20.0,
                          usage_tb=0.0, quota_bytes=21990232555520, usage_bytes=0),
        ],
        'ecs_allocation_errors': [],
        # What the roles read again when they run (ColdFront as it is then).
        'coldfront_allocation_query': {'allocation_statuses': ['Active'], 'default_automation_options': [],
                                       'group_name_rules': 'ldap', 'group_template': '{title}',
                                       'selection': {'name_contains': 'ecs'}},
        'coldfront_attribute_names': {
            'namespace': 'Namespace', 'bucket': 'Bucket', 'subdirectory': 'Subdirectory',
            'quota_tb': 'Storage Quota (TB)', 'quota_bytes': 'Quota_In_Bytes', 'options': 'automation_specifications',
            'url': 'url', 'replication_group': 'replication_group', 'ldap_domain': 'ldap_domain',
            'claim': 'ECS_Claim', 'bucket_quota_bytes': 'Bucket_Quota_In_Bytes', 'federation': 'ecs_federation',
            'capacity': 'capacity_tb', 'used': 'used_tb', 'allocated': 'allocated_tb', 'group': 'ECS_Group'},
    }
    west = hostvars(data, 'ecs-west')
    assert (west['ecs_host'], west['ecs_replication_group']) == ('ecs2.example.org', 'rg-west')
    assert west['ecs_allocations'] == [expected_view(
        site, 'odd-west', 'ecs-west', namespace='chen-patel-ber-lab-2024', bucket='lab-chen-patel-ber-lab-2024-bucket',
        quota_tb=5.0, usage_tb=1.0)]


def test_graph_and_statuses(coldfront_site, tmp_path):
    proc, _data = inventory(coldfront_site, tmp_path, args=('--graph',))
    graph = proc.stdout
    assert '@coldfront_ecs:' in graph and '@coldfront_type_storage:' in graph
    assert graph.count('|--ecs-east') == 2 and graph.count('|--ecs-west') == 2
    assert 'Cluster' not in graph and 'Project Storage' not in graph and 'ECS-Archive' not in graph

    _proc, data = inventory(coldfront_site, tmp_path,
                            allocation_statuses=['Active', 'Renewal Requested', 'New', 'Expired'])
    east = {view['id']: view for view in hostvars(data, 'ecs-east')['ecs_allocations']}
    west = {view['id']: view for view in hostvars(data, 'ecs-west')['ecs_allocations']}
    site = coldfront_site
    assert sorted(east) == sorted(site.allocation_id(ref) for ref in ('smith-east', 'jones-east', 'jones-east-renewal'))
    assert sorted(west) == sorted(site.allocation_id(ref) for ref in ('odd-west', 'smith-west-new', 'jones-west-expired'))
    expired = west[site.allocation_id('jones-west-expired')]
    assert (expired['status'], expired['provisioned'], expired['namespace'], expired['bucket']) == (
        'Expired', True, 'jones-genomics-lab', 'lab-jones-genomics-lab-bucket')
    # Two allocations of Jones Genomics Lab on ecs-east: jones-east has its own Namespace override, the
    # renewal one derives "jones-genomics-lab": distinct namespaces, no error.
    renewal = east[site.allocation_id('jones-east-renewal')]
    assert (renewal['status'], renewal['namespace'], renewal['errors']) == (
        'Renewal Requested', 'jones-genomics-lab', [])


@pytest.mark.parametrize('options, expected', [
    ({'name_contains': 'WEST'}, ['ecs-west']),
    ({'name_contains': '', 'resource_types': ['Storage']}, ['ecs-east', 'ecs-west']),
    ({'resource_attribute': {'name': 'replication_group', 'value': 'rg1'}}, ['ecs-east']),
    ({'resource_attribute': {'name': 'capacity_tb'}}, ['ecs-east']),
    ({'name_contains': '', 'resource_query': "attributes.ldap_domain == 'ad.example.org' && contains(name, 'east')"},
     ['ecs-east']),
    ({'resources': ['ecs-west', 'Cluster A']}, ['ecs-west']),
])
def test_selection(coldfront_site, tmp_path, options, expected):
    _proc, data = inventory(coldfront_site, tmp_path, **options)
    assert hosts_of(data) == expected


def test_constructed_compose_groups_keyed_groups(coldfront_site, tmp_path):
    _proc, data = inventory(
        coldfront_site, tmp_path,
        compose={'ecs_namespaces': "ecs_allocations | map(attribute='namespace') | list",
                 'ecs_url': "'https://' ~ ecs_host ~ ':' ~ ecs_port"},
        groups={'ecs_with_capacity': "'capacity_tb' in coldfront_resource_attributes"},
        keyed_groups=[{'key': 'ecs_replication_group', 'prefix': 'rg'},
                      {'key': 'coldfront_resource_attributes.capacity_tb | default(None)', 'prefix': 'capacity',
                       'default_value': 'unknown'}])
    east, west = hostvars(data, 'ecs-east'), hostvars(data, 'ecs-west')
    assert east['ecs_namespaces'] == ['smith-lab', 'jones-genomics']
    assert west['ecs_url'] == 'https://ecs2.example.org:4443'
    assert hosts_of(data, 'ecs_with_capacity') == ['ecs-east']
    assert hosts_of(data, 'rg_rg1') == ['ecs-east'] and hosts_of(data, 'rg_rg_west') == ['ecs-west']
    assert hosts_of(data, 'capacity_500') == ['ecs-east'] and hosts_of(data, 'capacity_unknown') == ['ecs-west']


def test_bad_urls_are_refused_and_odd_names_sanitized(coldfront_site, tmp_path):
    site = coldfront_site
    bad = {'ecs-http': 'http://ecs3.example.org', 'ecs-port': 'ecs4.example.org:4443',
           'ecs-path': 'https://ecs5.example.org/api', 'ecs-creds': 'https://root:%s@ecs6.example.org' % SECRET}
    for name, url in bad.items():
        site.add_resource(name, attributes={'url': url})
    bad['ecs-creds'] = 'https://root:***@ecs6.example.org'  # the warning never shows the password
    site.add_resource('ECS tier/1 (new)', attributes={'url': 'https://ecs7.example.org/'})
    site.add_resource('ECS_tier_1__new_', attributes={'url': 'ecs8.example.org'})
    proc, data = inventory(site, tmp_path)
    warnings = ' '.join(proc.stderr.split())
    for name, url in bad.items():
        assert "ColdFront resource %r (id %d): 'url' attribute %r refused" % (name, site.resource_id(name), url) \
            in warnings
        assert name not in data['_meta']['hostvars']
    assert 'uses http://' in warnings and 'contains a port' in warnings and 'contains a path' in warnings
    assert 'contains credentials' in warnings and SECRET not in proc.stdout + proc.stderr
    # A name with characters unusable in host patterns is sanitized; the real name stays in a host var,
    # and a resource whose real name already is the sanitized one keeps it.
    odd_id = site.resource_id('ECS tier/1 (new)')
    assert hosts_of(data) == sorted(['ecs-east', 'ecs-west', 'ECS_tier_1__new_', 'ECS_tier_1__new__%d' % odd_id])
    odd = hostvars(data, 'ECS_tier_1__new__%d' % odd_id)
    assert (odd['coldfront_resource_name'], odd['ecs_host']) == ('ECS tier/1 (new)', 'ecs7.example.org')


def test_collisions_and_bad_data_are_reported_not_fatal(coldfront_site, tmp_path):
    site = coldfront_site
    # A new lab whose title slugs like "Smith Lab", one that points its override at Smith Lab's namespace,
    # a same-project second allocation, and junk values.
    rival = site.add_project('Smith-Lab', pi='achen')
    intruder = site.add_project('Intruder Lab', pi='rpatel')
    rival_alloc = site.add_allocation(rival, ['ecs-east'], attributes={'Storage Quota (TB)': '1'})
    intruder_alloc = site.add_allocation(intruder, ['ecs-east'], attributes={'Namespace': 'smith-lab'})
    junk = site.add_allocation('odd', ['ecs-west'], attributes={
        'Storage Quota (TB)': '1', 'Bucket': 'placeholder', 'Quota_In_Bytes': '1'})
    # Values ColdFront's own validation would refuse, written the way a direct database edit would.
    rows = site.orm().AllocationAttribute.objects.filter(allocation_id=junk)
    for name, value in (('Storage Quota (TB)', 'lots'), ('Bucket', '../../etc'), ('Quota_In_Bytes', '-5')):
        rows.filter(allocation_attribute_type__name=name).update(value=value)
    site.add_allocation_attributes('jones-east', {'Namespace': 'jones-other'})  # a duplicate Namespace row
    _proc, data = inventory(site, tmp_path)
    east = {view['id']: view for view in hostvars(data, 'ecs-east')['ecs_allocations']}
    smith = east[site.allocation_id('smith-east')]
    assert smith['namespace'] is None and smith['error_kinds'] == ['shared_namespace']
    [message] = smith['errors']
    assert message.startswith("allocation %d (project 'Smith Lab', resource 'ecs-east'): " % smith['id'])
    for other in ("allocation %d (project 'Smith-Lab', resource 'ecs-east')" % rival_alloc,
                  "allocation %d (project 'Intruder Lab', resource 'ecs-east')" % intruder_alloc, "'Namespace'"):
        assert other in message, message                                # the competitors, the attribute to set
    assert east[rival_alloc]['error_kinds'] == ['shared_namespace']
    assert 'allocation %d' % smith['id'] in east[rival_alloc]['errors'][0]
    # The intruder's override loses against the labs that derive the name from their own title.
    assert east[intruder_alloc]['namespace'] is None
    assert 'shared_namespace' in east[intruder_alloc]['error_kinds']
    jones = east[site.allocation_id('jones-east')]
    assert jones['namespace'] == 'jones-genomics'
    assert jones['error_kinds'] == ['duplicate_attribute'] and "'Namespace'" in jones['errors'][0]
    west = {view['id']: view for view in hostvars(data, 'ecs-west')['ecs_allocations']}
    assert west[junk]['error_kinds'] == ['invalid_name', 'invalid_quota', 'invalid_quota', 'claimed_elsewhere'], \
        west[junk]['errors']
    messages = ' '.join(west[junk]['errors'])
    for value in ("'Storage Quota (TB)'", "'lots'", "'Quota_In_Bytes'", "'-5'", "'../../etc'"):
        assert value in messages                                        # each attribute and value refused
    errors = hostvars(data, 'ecs-east')['ecs_allocation_errors']
    assert len(errors) == 4 and all(message.startswith('allocation ') for message in errors)


def test_override_at_another_labs_namespace_is_refused(coldfront_site, tmp_path):
    site = coldfront_site
    intruder = site.add_project('Intruder Lab', pi='rpatel')
    intruder_alloc = site.add_allocation(intruder, ['ecs-east'], attributes={'Namespace': 'smith-lab'})
    _proc, data = inventory(site, tmp_path)
    east = {view['id']: view for view in hostvars(data, 'ecs-east')['ecs_allocations']}
    assert east[site.allocation_id('smith-east')]['errors'] == []
    assert east[intruder_alloc]['error_kinds'] == ['claimed_elsewhere']
    [message] = east[intruder_alloc]['errors']
    assert message.startswith("allocation %d (project 'Intruder Lab', resource 'ecs-east'): " % intruder_alloc)
    assert "allocation %d (project 'Smith Lab', resource 'ecs-east')" % site.allocation_id('smith-east') in message


def test_resources_on_one_endpoint_share_a_namespace_space(coldfront_site, tmp_path):
    site = coldfront_site
    site.add_resource('ecs-east-2', attributes={'url': 'https://ECS1.example.org'})
    other = site.add_allocation(site.add_project('Other Lab', pi='achen'), ['ecs-east-2'],
                                attributes={'Namespace': 'smith-lab'})
    _proc, data = inventory(site, tmp_path)
    [view] = hostvars(data, 'ecs-east-2')['ecs_allocations']
    assert view['id'] == other and view['error_kinds'] == ['claimed_elsewhere']
    [message] = hostvars(data, 'ecs-east-2')['ecs_allocation_errors']
    assert 'allocation %d' % site.allocation_id('smith-east') in message        # the holder


def test_options_and_attribute_names(coldfront_site, tmp_path):
    site = coldfront_site
    site.add_attribute_type('allocation', 'ecs_options', 'Text')
    site.add_allocation_attributes('smith-east', {'ecs_options': 'nfs_share'})
    site.add_allocation_attributes('jones-east', {'ecs_options': 'snapshots, cifs_share'})
    site.add_allocation_attributes('smith-east', {'Cloud Storage Quota (TB)': {'value': '7', 'usage': 1.5}})
    _proc, data = inventory(site, tmp_path, attribute_names={'options': 'ecs_options', 'quota_tb': 'Cloud Storage Quota (TB)'},
                            default_automation_options=['nfs_share'])
    east = {view['id']: view for view in hostvars(data, 'ecs-east')['ecs_allocations']}
    smith, jones = east[site.allocation_id('smith-east')], east[site.allocation_id('jones-east')]
    assert (smith['options'], smith['options_source'], smith['filesystem_enabled'], smith['quota_tb'],
            smith['usage_tb']) == (['nfs_share'], 'attribute', True, 7.0, 1.5)
    assert (jones['quota_tb'], jones['usage_tb']) == (None, None)
    assert jones['error_kinds'] == ['unsupported_option']
    assert "'snapshots', 'cifs_share'" in jones['errors'][0] and "'ecs_options'" in jones['errors'][0]
    west = hostvars(data, 'ecs-west')['ecs_allocations'][0]
    # the default: the allocation has no ecs_options attribute
    assert (west['options'], west['options_source']) == (['nfs_share'], 'default')


def test_cache_holds_no_secret_and_is_used(coldfront_site, tmp_path):
    site = coldfront_site
    cache_dir = tmp_path / 'cache'
    options = dict(cache=True, cache_plugin='ansible.builtin.jsonfile', cache_connection=str(cache_dir),
                   cache_timeout=3600)
    env = {'DB_URL': with_password(site.db_url)}
    _proc, first = inventory(site, tmp_path, env=env, **options)
    assert hosts_of(first) == ['ecs-east', 'ecs-west']
    files = glob.glob(str(cache_dir / '*'))
    assert len(files) == 1
    with open(files[0]) as handle:
        cached = handle.read()
    assert SECRET not in cached and site.db_url not in cached and env['DB_URL'] not in cached
    assert 'ecs1.example.org' in cached and 'Smith Lab' in cached  # ColdFront records, no option values
    json.loads(cached)

    # With the cache, ColdFront is not read at all: an unreachable database does not matter.
    site.add_resource('ecs-later', attributes={'url': 'ecs9.example.org'})
    broken = {'DB_URL': 'postgresql://nobody:%s@127.0.0.1:1/none' % SECRET}
    _proc, cached_run = inventory(site, tmp_path, env=broken, **options)
    assert cached_run == first
    # --flush-cache reads ColdFront again (and sees the new resource).
    _proc, fresh = inventory(site, tmp_path, args=('--list', '--flush-cache'), env=env, **options)
    assert hosts_of(fresh) == ['ecs-east', 'ecs-later', 'ecs-west']
    # A changed selection never reads the cache of another one.
    _proc, narrowed = inventory(site, tmp_path, env=env, name_contains='west', **options)
    assert hosts_of(narrowed) == ['ecs-west']


def test_cache_off_reads_coldfront_every_time(coldfront_site, tmp_path):
    site = coldfront_site
    _proc, first = inventory(site, tmp_path)
    site.add_resource('ecs-later', attributes={'url': 'ecs9.example.org'})
    _proc, second = inventory(site, tmp_path)
    assert hosts_of(first) == ['ecs-east', 'ecs-west'] and hosts_of(second) == ['ecs-east', 'ecs-later', 'ecs-west']


def test_env_file_alone_is_enough(coldfront_site, tmp_path, monkeypatch):
    site = coldfront_site
    for name in ('DB_URL', 'COLDFRONT_ENV', 'DJANGO_SETTINGS_MODULE', 'SECRET_KEY'):
        monkeypatch.delenv(name, raising=False)
    # Only the env file named in the inventory file: the ColdFront of that file is read.
    proc, data = run_inventory(write_inventory(tmp_path, coldfront_env_file=site.env_file))
    assert proc.returncode == 0, proc.stderr
    assert hosts_of(data) == ['ecs-east', 'ecs-west']


def unreachable(site, tmp_path, env, **options):
    proc, data = run_inventory(write_inventory(tmp_path, **options), env=dict(site.env, **env))
    assert data is None or not hosts_of(data)
    return proc


@pytest.mark.parametrize('db_url, reason', [
    ('postgresql://ansible:%s@127.0.0.1:1/coldfront' % SECRET, 'cannot reach the ColdFront database'),
    ('sqlite:////nonexistent-dir/coldfront.sqlite3', 'database /nonexistent-dir/coldfront.sqlite3 does not exist'),
])
def test_unreachable_coldfront_is_one_clean_error(coldfront_site, tmp_path, db_url, reason):
    proc = unreachable(coldfront_site, tmp_path, {'DB_URL': db_url})
    output = ' '.join((proc.stdout + proc.stderr).split())
    assert 'hpc.coldfront_ecs.plugins.inventory.coldfront' in output and 'cannot read ColdFront: ' in output
    assert reason in output
    assert SECRET not in output and 'Traceback' not in output


def test_unmigrated_database_is_refused(coldfront_site, tmp_path):
    empty = tmp_path / 'empty.sqlite3'
    empty.write_bytes(b'')
    proc = unreachable(coldfront_site, tmp_path, {'DB_URL': 'sqlite:///%s' % empty})
    assert 'is not migrated' in ' '.join(proc.stderr.split())


def test_coldfront_not_importable_gives_an_install_hint(coldfront_site, tmp_path):
    shadow = tmp_path / 'shadow'
    shadow.mkdir()
    (shadow / 'coldfront.py').write_text("raise ImportError('No module named coldfront (test shadow)')\n")
    proc = unreachable(coldfront_site, tmp_path, {'PYTHONPATH': str(shadow)})
    output = ' '.join((proc.stdout + proc.stderr).split())
    assert 'cannot read ColdFront' in output and 'pip install' in output


COUNT_QUERIES = r'''
import json, sys
from ansible.plugins.loader import init_plugin_loader
init_plugin_loader()
from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils.coldfront import setup_django
setup_django()  # the version and schema checks are done once per process, before counting
from django.db import connection
from django.test.utils import CaptureQueriesContext
with CaptureQueriesContext(connection) as queries:
    inventory = InventoryManager(loader=DataLoader(), sources=[sys.argv[1]])
hosts = dict((host.name, len(host.vars['ecs_allocations'])) for host in inventory.get_hosts())
print(json.dumps({'queries': len(queries), 'hosts': hosts}))
'''


def count_queries(site, inventory_file, tmp_path):
    script = tmp_path / 'count_queries.py'
    script.write_text(COUNT_QUERIES)
    proc = subprocess.run([sys.executable, str(script), inventory_file], cwd=REPO, env=base_env(site.env), check=False,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_query_count_does_not_grow_with_allocations(coldfront_site, tmp_path):
    """The plugin reads ColdFront in the same number of queries for 2 and for 300 allocations."""
    site = coldfront_site
    inventory_file = write_inventory(tmp_path)
    small = count_queries(site, inventory_file, tmp_path)
    assert small['hosts'] == {'ecs-east': 2, 'ecs-west': 1}
    generated = site.generate(300, resources=3)
    for allocation_id in generated['allocations'][:50]:  # more attributes per allocation, too
        site.add_allocation_attributes(allocation_id, {'Namespace': 'ns-%d' % allocation_id, 'Bucket': 'b-%d' % allocation_id})
    for number in range(20):  # and recorded namespaces of Expired allocations (the other claims)
        site.add_allocation('Smith Lab', [generated['resources'][number % 3]], status='Expired',
                            attributes={'Subdirectory': 'gone-%d:lab-gone-%d-bucket' % (number, number)})
    large = count_queries(site, inventory_file, tmp_path)
    assert large['hosts'] == dict(small['hosts'], **{name: 100 for name in generated['resources']})
    # 5 for resources, allocations and attributes, 1 for the namespaces recorded by allocations in other statuses
    assert large['queries'] == small['queries'] == 6, (small, large)


def test_an_expired_labs_namespace_is_not_taken_over_by_a_new_allocation(coldfront_site, tmp_path):
    """A new allocation deriving (or naming) the namespace an Expired allocation recorded gets an error, not its data."""
    site = coldfront_site
    project = site.add_project('Takeover Lab', pi='achen')
    expired = site.add_allocation(project, ['ecs-east'], status='Expired',
                                  attributes={'Subdirectory': 'takeover-lab:lab-takeover-lab-bucket'})
    successor = site.add_allocation(project, ['ecs-east'])
    recorded = site.add_allocation(site.add_project('Kept Lab', pi='achen'), ['ecs-east'])
    site.add_allocation(project, ['ecs-east'], status='Expired', attributes={'Subdirectory': 'kept-lab:lab-kept-lab-bucket'})
    site.add_allocation_attributes(recorded, {'Subdirectory': 'kept-lab:lab-kept-lab-bucket'})
    proc, data = run_inventory(write_inventory(tmp_path), env=site.env)
    assert proc.returncode == 0, proc.stderr
    views = dict((view['id'], view) for view in plain(data['_meta']['hostvars']['ecs-east']['ecs_allocations']))
    assert expired not in views
    assert (views[successor]['namespace'], views[successor]['bucket']) == (None, None)
    assert views[successor]['error_kinds'] == ['claimed_elsewhere']
    [message] = views[successor]['errors']
    assert message.startswith("allocation %d (project 'Takeover Lab', resource 'ecs-east'): " % successor)
    for name in ("allocation %d (project 'Takeover Lab', status Expired)" % expired, "'Namespace'", "'Subdirectory'"):
        assert name in message, message                                  # the holder, the attributes to set
    # Recorded on purpose on the new allocation: it keeps the namespace.
    assert (views[recorded]['namespace'], views[recorded]['errors']) == ('kept-lab', [])


def test_coldfront_text_is_never_templated(coldfront_site, tmp_path):
    """Project titles and attributes are data: Jinja in them stays literal text (marked unsafe)."""
    site = coldfront_site
    project = site.add_project("{{ lookup('ansible.builtin.pipe', 'echo pwned') }} Lab", pi='achen')
    allocation = site.add_allocation(project, ['ecs-east'], attributes={'Namespace': 'template-lab'})
    proc, data = run_inventory(write_inventory(tmp_path, compose={'first_ldap_group': 'ecs_allocations[-1].ldap_group'}),
                               env=site.env)
    assert proc.returncode == 0, proc.stderr
    east = data['_meta']['hostvars']['ecs-east']
    view = plain(east['ecs_allocations'])[-1]
    assert view['id'] == allocation
    assert view['ldap_group'] == "{{ lookup('ansible.builtin.pipe', 'echo pwned') }} Lab"
    assert plain(east['first_ldap_group']) == view['ldap_group'] and 'pwned Lab' not in proc.stdout
    assert east['ecs_allocations'][-1]['ldap_group'] == {'__ansible_unsafe': view['ldap_group']}


def test_invalid_jmespath_is_a_clean_error(coldfront_site, tmp_path):
    proc = unreachable(coldfront_site, tmp_path, {}, resource_query='name ==')
    output = ' '.join(proc.stderr.split())
    assert "invalid resource selection: selection.query 'name ==' is not a valid JMESPath expression" in output
    assert 'Traceback' not in output
