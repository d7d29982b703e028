"""Bad input from ColdFront: one ColdFront holds every case, ONE inventory run and ONE provision run read it, and
each case is checked against its exact error.

Input from ColdFront is untrusted: project titles, the ``Namespace``/``Bucket``/``Subdirectory``
attributes a person can edit, quotas, resource ``url`` attributes.  What must hold for every bad case: the inventory
reports the exact error on the allocation (or leaves the resource out with the exact warning), provision refuses the
allocation with that error and creates nothing for it, nothing is recorded for it in ColdFront, the good allocations
next to it are provisioned, and no other lab's namespace is ever touched.
"""

import os

import pytest

from support.ansible_run import run_inventory, untag
from support.coldfront_site import ColdFrontSite, default_db_kind
from support.e2e_fixtures import EcsWorld, point_resources_at
from support.simulator import start_simulator

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.naming import derive_bucket

from faults.helpers import PROVISION_TASK, TB, add_lab_allocation

pytestmark = [pytest.mark.coldfront, pytest.mark.simulator]

LONG_TITLE = 'The ' + 'Very ' * 20 + 'Long Lab'
LONG_SLUG = ('the-' + 'very-' * 20)[:63].strip('-')
RIVERA = {'Subdirectory': 'rivera-lab:lab-rivera-lab-bucket', 'Quota_In_Bytes': str(2 * TB)}
ORTIZ = {'Subdirectory': 'ortiz-lab:lab-ortiz-lab-bucket', 'Quota_In_Bytes': str(2 * TB)}

# ref: (project title, resource, Storage Quota (TB), other attributes)
ALLOCATIONS = {
    'empty-slug': ('!!! ???', 'ecs-east', '1', {}),
    'unicode-title': ('Лаборатория', 'ecs-east', '1', {}),
    'long-title': (LONG_TITLE, 'ecs-east', '1', {}),
    'ns-too-long': ('Too Long Lab', 'ecs-east', '1', {'Namespace': 'a' * 64}),
    'ns-upper': ('Upper Lab', 'ecs-east', '1', {'Namespace': 'UpperLab'}),
    'ns-dotdot': ('Dots Lab', 'ecs-east', '1', {'Namespace': '../admin'}),
    'ns-percent': ('Percent Lab', 'ecs-east', '1', {'Namespace': 'lab%2Fother'}),
    'ns-space': ('Space Lab', 'ecs-east', '1', {'Namespace': 'space lab'}),
    'ns-unicode': ('Umlaut Lab', 'ecs-east', '1', {'Namespace': 'läb'}),
    'bucket-dotdot': ('Bucket Dots Lab', 'ecs-east', '1', {'Bucket': '../x-bucket'}),
    'bucket-upper': ('Bucket Upper Lab', 'ecs-east', '1', {'Bucket': 'MyBucket'}),
    'bucket-too-long': ('Bucket Long Lab', 'ecs-east', '1', {'Bucket': 'b' * 64}),
    'bucket-too-short': ('Bucket Short Lab', 'ecs-east', '1', {'Bucket': 'ab'}),
    'bucket-percent': ('Bucket Percent Lab', 'ecs-east', '1', {'Bucket': 'lab%2Fother-bucket'}),
    'bucket-space': ('Bucket Space Lab', 'ecs-east', '1', {'Bucket': 'my bucket'}),
    'bucket-unicode': ('Bucket Umlaut Lab', 'ecs-east', '1', {'Bucket': 'bücket'}),
    'collide-a': ('Garcia Lab', 'ecs-east', '1', {}),
    'collide-b': ('GARCIA lab!!', 'ecs-east', '1', {}),
    'quota-negative': ('Negative Lab', 'ecs-east', '-5', {}),
    'quota-text': ('Text Lab', 'ecs-east', 'ten', {}),
    'quota-nan': ('Nan Lab', 'ecs-east', 'NaN', {}),
    'quota-inf': ('Inf Lab', 'ecs-east', 'inf', {}),
    'quota-huge': ('Huge Lab', 'ecs-east', '1e30', {}),
    'quota-zero': ('Zero Lab', 'ecs-east', '0', {}),
    'rivera': ('Rivera Lab', 'ecs-east', '2', RIVERA),
    'steal-recorded': ('Mallory Lab', 'ecs-east', '1', {'Namespace': 'rivera-lab'}),
    'steal-derived': ('Evil Lab', 'ecs-east', '1', {'Namespace': 'smith-lab'}),
    'subdirectory-mismatch': ('Drift Lab', 'ecs-east', '1', {'Subdirectory': 'drift-lab:lab-drift-lab-bucket',
                                                             'Namespace': 'other-ns'}),
    'ortiz': ('Ortiz Lab', 'ecs-west', '2', ORTIZ),
    'steal-subdirectory': ('Sneaky Lab', 'ecs-west', '1', dict(ORTIZ)),
}
NOT_A_NAMESPACE = 'is not a valid namespace name: use 1-63 characters from a-z, 0-9 and inner "-"; fix the \'Namespace\' ' \
                  'allocation attribute'
NOT_A_BUCKET = 'is not a valid bucket name: use 3-63 characters from a-z, 0-9 and inner "-"; fix the \'Bucket\' ' \
               'allocation attribute'
# ref: the exact error(s) after "allocation <id> (project <title>, resource <name>): "; {name} = id of allocation name.
EXPECTED = {
    'empty-slug': ["project title '!!! ???' is empty after slugging; set the Namespace allocation attribute; fix the "
                   "'Namespace' allocation attribute"],
    'unicode-title': ["project title 'Лаборатория' is empty after slugging; set the Namespace allocation attribute; fix "
                      "the 'Namespace' allocation attribute"],
    'ns-too-long': ["Namespace attribute '%s' %s" % ('a' * 64, NOT_A_NAMESPACE)],
    'ns-upper': ["Namespace attribute 'UpperLab' %s" % NOT_A_NAMESPACE],
    'ns-dotdot': ["Namespace attribute '../admin' %s" % NOT_A_NAMESPACE],
    'ns-percent': ["Namespace attribute 'lab%%2Fother' %s" % NOT_A_NAMESPACE],
    'ns-space': ["Namespace attribute 'space lab' %s" % NOT_A_NAMESPACE],
    'ns-unicode': ["Namespace attribute 'läb' %s" % NOT_A_NAMESPACE],
    'bucket-dotdot': ["Bucket attribute '../x-bucket' %s" % NOT_A_BUCKET],
    'bucket-upper': ["Bucket attribute 'MyBucket' %s" % NOT_A_BUCKET],
    'bucket-too-long': ["Bucket attribute '%s' %s" % ('b' * 64, NOT_A_BUCKET)],
    'bucket-too-short': ["Bucket attribute 'ab' %s" % NOT_A_BUCKET],
    'bucket-percent': ["Bucket attribute 'lab%%2Fother-bucket' %s" % NOT_A_BUCKET],
    'bucket-space': ["Bucket attribute 'my bucket' %s" % NOT_A_BUCKET],
    'bucket-unicode': ["Bucket attribute 'bücket' %s" % NOT_A_BUCKET],
    'collide-a': ["namespace 'garcia-lab' is also claimed by {collide-b}; refused for all of them, give each lab its "
                  "own 'Namespace' attribute"],
    'collide-b': ["namespace 'garcia-lab' is also claimed by {collide-a}; refused for all of them, give each lab its "
                  "own 'Namespace' attribute"],
    'quota-negative': ["the 'Storage Quota (TB)' value is refused: '-5' is negative (use -1 for no quota)"],
    'quota-text': ["the 'Storage Quota (TB)' value is refused: 'ten' is not a number"],
    'quota-nan': ["the 'Storage Quota (TB)' value is refused: 'NaN' is not a finite number"],
    'quota-inf': ["the 'Storage Quota (TB)' value is refused: 'inf' is not a finite number"],
    'quota-huge': ["the 'Storage Quota (TB)' value is refused: it exceeds the largest size ECS can store "
                   "(9223372036854775807 bytes)"],
    'quota-zero': ["the 'Storage Quota (TB)' value is refused: 0 would block every write and ECS refuses quotas under "
                   "1 GB (use -1 for no quota)"],
    'steal-recorded': ["namespace 'rivera-lab' belongs to {rivera}, another lab; refused"],
    'steal-derived': ["namespace 'smith-lab' belongs to {smith-east}, another lab; refused"],
    'subdirectory-mismatch': ["the 'Namespace' attribute 'other-ns' disagrees with the recorded 'Subdirectory' "
                              "'drift-lab:lab-drift-lab-bucket' ('drift-lab'); make them agree"],
    # A recorded Subdirectory edited to another lab's: both are refused, neither reaches the namespace.
    'steal-subdirectory': ["namespace 'ortiz-lab' is also claimed by {ortiz}; refused for all of them, give each lab its "
                           "own 'Namespace' attribute"],
    'ortiz': ["namespace 'ortiz-lab' is also claimed by {steal-subdirectory}; refused for all of them, give each lab its "
              "own 'Namespace' attribute"],
}
# Resources whose url cannot be used: left out of the inventory with a warning (the password in a url masked).
BAD_URLS = {
    'ecs-port': ('ecs3.example.org:4443', ": 'url' attribute 'ecs3.example.org:4443' refused (host "
                                          "'ecs3.example.org:4443' contains a port: set the port option (ECS_PORT, default "
                                          "4443) instead): left out of the inventory"),
    'ecs-path': ('https://ecs4.example.org/mgmt', ": 'url' attribute 'https://ecs4.example.org/mgmt' refused (host "
                                                  "'https://ecs4.example.org/mgmt' contains a path: give only the host name "
                                                  "(the API paths are fixed)): left out of the inventory"),
    'ecs-http': ('http://ecs5.example.org', ": 'url' attribute 'http://ecs5.example.org' refused (host "
                                            "'http://ecs5.example.org' uses http://: the ECS Management API is HTTPS only; "
                                            "give the host name or https://host): left out of the inventory"),
    'ecs-creds': ('https://admin:Url-Pw-77@ecs6.example.org', ": 'url' attribute 'https://admin:***@ecs6.example.org' "
                                                              "refused (host 'https://admin:***@ecs6.example.org' "
                                                              "contains credentials: use the username and password "
                                                              "options): left out of the inventory"),
    'ECS-Archive': (None, " has no 'url' attribute: left out of the inventory; set it to the ECS host name or "
                          "https://host"),
}
GOOD = {'smith-east': 'smith-lab', 'jones-east': 'jones-genomics', 'long-title': LONG_SLUG,
        'odd-west': 'chen-patel-ber-lab-2024'}


def label(world, ref):
    """How messages name an allocation: ``allocation 12 (project 'Smith Lab', resource 'ecs-east')``."""
    project, resource = (ALLOCATIONS[ref][:2] if ref in ALLOCATIONS else
                         {'smith-east': ('Smith Lab', 'ecs-east')}[ref])
    return 'allocation %d (project %r, resource %r)' % (world.site.allocation_id(ref), project, resource)


def expected_errors(world, ref):
    names = dict((other, label(world, other)) for other in list(ALLOCATIONS) + ['smith-east'])
    return ['%s: %s' % (label(world, ref), text.format(**names)) for text in EXPECTED[ref]]


def build(world):
    """Every case of ALLOCATIONS and BAD_URLS in the world's ColdFront; Rivera's and Ortiz's namespaces on ECS."""
    site = world.site
    models = site.orm()
    for ref, (title, resource, quota, attributes) in ALLOCATIONS.items():
        add_lab_allocation(site, ref, title, resource, '1', **attributes)
        # ColdFront's form refuses a bad Float; the admin, a script or the database do not: write it directly.
        models.AllocationAttribute.objects.filter(allocation_id=site.allocation_id(ref),
                                                  allocation_attribute_type__name='Storage Quota (TB)').update(value=quota)
    for resource, (url, _warning) in BAD_URLS.items():
        if url:
            site.ids['resource'][resource] = site.add_resource(
                resource, attributes={'url': url, 'replication_group': 'rg1', 'ldap_domain': 'ad.example.org'})
    for simulator, namespace in ((world.east, 'rivera-lab'), (world.west, 'ortiz-lab')):
        simulator.seed({'namespaces': {namespace: {
            'vpool': 'rg1' if simulator is world.east else 'rg-west', 'quota': {'blockSize': 2048, 'notificationSize': 1843},
            'buckets': {'lab-%s-bucket' % namespace: {}}}}})


@pytest.fixture(scope='module')
def bad_world(coldfront_templates, tmp_path_factory):  # pylint: disable=unused-argument
    """ONE ColdFront with every case, read once by the inventory and once by provision; yields what they said."""
    directory = tmp_path_factory.mktemp('bad-input')
    certs = str(directory / 'certs')
    site = ColdFrontSite.create(str(directory / 'coldfront'), db=default_db_kind(), dataset='default')
    east = start_simulator(cert_dir=certs)
    west = start_simulator(host='127.0.0.2', port=east.port, cert_dir=certs)
    try:
        simulators = {'ecs-east': east, 'ecs-west': west}
        point_resources_at(site, simulators)
        env = dict(site.env, ECS_USER=east.admin.username, ECS_PASS=east.admin.password, ECS_CA_PATH=east.ca_path)
        world = EcsWorld(site, simulators, None, env)
        world.inventory = world.write_inventory(os.path.join(str(directory), 'ecs.coldfront.yml'))
        build(world)
        before = {name: sim.state()['namespaces'] for name, sim in simulators.items()}
        proc, inventory = run_inventory(world.inventory, env=env)
        assert proc.returncode == 0, proc.stderr
        result = world.run('playbooks/provision.yml')
        yield {'world': world, 'inventory': untag(inventory), 'warnings': ' '.join(proc.stderr.split()),
               'provision': result, 'before': before,
               'after': {name: sim.state()['namespaces'] for name, sim in simulators.items()},
               'live_tokens': {name: sim.stats()['live_tokens_total'] for name, sim in simulators.items()}}
    finally:
        east.stop()
        west.stop()
        site.destroy()


def views(bad_world):
    """``{allocation id: view}`` of every ECS host of the inventory."""
    hostvars = bad_world['inventory']['_meta']['hostvars']
    return dict((view['id'], view) for host in hostvars.values() for view in host.get('ecs_allocations', []))


@pytest.mark.parametrize('ref', sorted(EXPECTED))
def test_bad_allocation_is_refused_with_its_exact_error(bad_world, ref):
    world, result = bad_world['world'], bad_world['provision']
    allocation_id = world.site.allocation_id(ref)
    errors = expected_errors(world, ref)
    view = views(bad_world)[allocation_id]
    assert view['errors'] == errors
    resource = ALLOCATIONS[ref][1]
    [entries] = result.results(PROVISION_TASK, host=resource)
    [entry] = [item for item in entries['results'] if item['allocation_id'] == allocation_id]
    assert entry['action'] == 'failed' and entry['changes'] == [] and entry['record'] == {}, entry
    assert entry['error'] == '; '.join(errors), entry
    recorded = dict((name, value) for name, value, _usage in world.site.allocation_attributes(ref))
    assert recorded.get('Subdirectory') == ALLOCATIONS[ref][3].get('Subdirectory'), recorded


@pytest.mark.parametrize('resource', sorted(BAD_URLS))
def test_resource_with_bad_url_is_left_out_with_its_exact_warning(bad_world, resource):
    world = bad_world['world']
    where = "ColdFront resource %r (id %d)" % (resource, world.site.resource_id(resource))
    assert where + BAD_URLS[resource][1] in bad_world['warnings'], bad_world['warnings']
    assert resource not in bad_world['inventory']['_meta']['hostvars']


def test_good_allocations_are_provisioned_and_no_other_lab_is_touched(bad_world):
    """Next to every bad case the good allocations are provisioned; ECS gained exactly their namespaces, Rivera's and
    Ortiz's namespaces are as they were, no name from a bad case reached ECS, and no token is left live."""
    world, result = bad_world['world'], bad_world['provision']
    assert result.rc == 2, result.output
    assert 'Url-Pw-77' not in result.output and 'Url-Pw-77' not in bad_world['warnings']
    before, after = bad_world['before'], bad_world['after']
    created = dict((name, sorted(set(after[name]) - set(before[name]))) for name in after)
    assert created == {'ecs-east': sorted(['smith-lab', 'jones-genomics', LONG_SLUG]),
                       'ecs-west': ['chen-patel-ber-lab-2024']}
    for name in after:
        for namespace in before[name]:
            assert after[name][namespace] == before[name][namespace]
    for ref, namespace in GOOD.items():
        recorded = dict((name, value) for name, value, _usage in world.site.allocation_attributes(ref))
        assert recorded['Subdirectory'] == '%s:%s' % (namespace, derive_bucket(namespace)), (ref, recorded)
    assert bad_world['live_tokens'] == {'ecs-east': 0, 'ecs-west': 0}
