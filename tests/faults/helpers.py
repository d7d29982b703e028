"""Shared pieces of the fault tests: a small ECS world, what "synced" and "untouched" mean, run checks.

The sync world (``seed_sync_world``): five provisioned allocations, three on ``ecs-east`` and two on
``ecs-west``, whose ECS usage differs from what ColdFront holds, so a sync has something to write for each
one and a test can tell a synced allocation (new usage) from an untouched one (old values).
"""

import contextlib
import sqlite3

TB = 1024 ** 4
GB = 1024 ** 3
SYNC_TASK = 'Read ECS and write quota, usage and capacity into ColdFront'
READ_TASK = 'Read ECS and write quota, usage and capacity into ColdFront'


class Lab:
    """One provisioned allocation of the sync world."""

    def __init__(self, ref, resource, namespace, quota_tb, used_bytes):
        self.ref = ref
        self.resource = resource
        self.namespace = namespace
        self.bucket = 'lab-%s-bucket' % namespace
        self.quota_tb = quota_tb
        self.used_bytes = used_bytes

    @property
    def quota_gb(self):
        return self.quota_tb * 1024


# Usage values are deliberately not whole TB or KB multiples of each other.
SYNC_LABS = (
    Lab('smith-east', 'ecs-east', 'smith-lab', 10, 3 * TB + 7 * GB + 1024 * 5),
    Lab('jones-east', 'ecs-east', 'jones-genomics', 20, 11 * TB + 3 * GB),
    Lab('lee-east', 'ecs-east', 'lee-lab', 4, 1 * TB + 512 * GB),
    Lab('odd-west', 'ecs-west', 'chen-patel-ber-lab-2024', 5, 2 * TB + 1024 * 77),
    Lab('kim-west', 'ecs-west', 'kim-lab', 3, 700 * GB),
)
REPLICATION_GROUP = {'ecs-east': 'rg1', 'ecs-west': 'rg-west'}


def lab(ref):
    return [item for item in SYNC_LABS if item.ref == ref][0]


def add_lab_allocation(site, ref, title, resource, quota_tb, **attributes):
    """A new project ``title`` with an Active allocation ``ref`` on ``resource`` with a quota (and attributes)."""
    project = site.add_project(title, pi='achen', ref=ref + '-project')
    values = {'Storage Quota (TB)': {'value': str(quota_tb), 'usage': 0}}
    values.update(attributes)
    return site.add_allocation(project, [resource], attributes=values, ref=ref)


def seed_sync_world(world, older_cluster=('ecs-east', 'ecs-west')):
    """Provision the five ``SYNC_LABS`` (ColdFront records + namespaces and buckets on ECS).

    Resources in ``older_cluster`` answer with brief namespace lists and no batch billing, so every namespace
    costs its own quota and billing calls (faults can then target one namespace by name).
    """
    site = world.site
    add_lab_allocation(site, 'lee-east', 'Lee Lab', 'ecs-east', 4,
                       Quota_In_Bytes={'value': str(4 * TB), 'usage': 0})
    add_lab_allocation(site, 'kim-west', 'Kim Lab', 'ecs-west', 3,
                       Quota_In_Bytes={'value': str(3 * TB), 'usage': 0})
    for item in SYNC_LABS:
        site.add_allocation_attributes(item.ref, {'Subdirectory': '%s:%s' % (item.namespace, item.bucket)})
        world.sim(item.resource).seed({'namespaces': {item.namespace: {
            'vpool': REPLICATION_GROUP[item.resource],
            'quota': {'blockSize': item.quota_gb, 'notificationSize': item.quota_gb * 9 // 10},
            'buckets': {item.bucket: {'usage': {'bytes': item.used_bytes, 'objects': 3}}}}}})
    for resource in older_cluster:
        world.sim(resource).config(namespace_list='brief', batch_billing='off')


def attributes(site, ref):
    """``{name: (value, usage)}`` of an allocation."""
    return {name: (value, usage) for name, value, usage in site.allocation_attributes(ref)}


def assert_synced(site, item):
    """ColdFront holds the ECS quota and usage of ``item`` (a :class:`Lab`), to the byte."""
    values = attributes(site, item.ref)
    assert float(values['Storage Quota (TB)'][0]) == item.quota_tb, (item.ref, values)
    assert values['Storage Quota (TB)'][1] == item.used_bytes / TB, (item.ref, values)
    assert values['Quota_In_Bytes'] == (str(item.quota_tb * TB), float(item.used_bytes)), (item.ref, values)


def snapshot(site, refs):
    """Every attribute (value and usage) of the allocations ``refs``, to compare after a failed write."""
    return {ref: sorted(site.allocation_attributes(ref), key=repr) for ref in refs}


def assert_untouched(site, before):
    """The allocations of ``snapshot`` still hold exactly what they held: nothing half-written."""
    assert snapshot(site, list(before)) == before


def assert_finished(result, summary_key, hosts):
    """The play ran to its end for every host (a summary per resource) and nothing crashed."""
    assert 'Traceback' not in result.output and 'MODULE FAILURE' not in result.output, result.output
    # ansible-core 2.19 reports an exception a module did not catch as "Task failed: Module failed: <exception>".
    crashed = [(event['host'], event['task']) for event in result.events
               if str((event.get('result') or {}).get('msg')).startswith('Task failed: Module failed')]
    assert not crashed, ('modules crashed instead of failing cleanly', crashed, result.output)
    summaries = (result.custom_stats.get('_run') or {}).get(summary_key) or {}
    assert sorted(summaries) == sorted(hosts), (summaries, result.output)
    return summaries


def sync_entries(result, resource):
    """``{allocation id: entry}`` of the sync module's ``allocations`` for one resource."""
    results = result.results(SYNC_TASK, host=resource)
    assert len(results) == 1, result.output
    return {entry['allocation_id']: entry for entry in results[0]['allocations']}


def assert_converges(world, playbook, refs=None):
    """Re-run without faults: every lab synced; a second re-run changes nothing and writes no history."""
    again = world.run(playbook)
    assert again.rc == 0, again.output
    for item in SYNC_LABS:
        if refs is None or item.ref in refs:
            assert_synced(world.site, item)
    history = world.site.history_counts()
    third = world.run(playbook)
    assert third.rc == 0 and third.changed == 0, third.output
    assert world.site.history_counts() == history
    return again


# ---- provision -------------------------------------------------------------------------------------------------
PROVISION_TASK = 'Provision namespaces and buckets, push quota changes'
# The default dataset's three Active ECS allocations (none provisioned) plus one more lab per resource.
PROVISION_LABS = (
    Lab('smith-east', 'ecs-east', 'smith-lab', 10, 0),
    Lab('jones-east', 'ecs-east', 'jones-genomics', 20, 0),
    Lab('lee-east', 'ecs-east', 'lee-lab', 4, 0),
    Lab('odd-west', 'ecs-west', 'chen-patel-ber-lab-2024', 5, 0),
    Lab('kim-west', 'ecs-west', 'kim-lab', 3, 0),
)
RECORDED_NAMES = ('Namespace', 'Bucket', 'Subdirectory')


def seed_provision_world(world):
    """Two more allocations to provision: Lee Lab on ecs-east, Kim Lab on ecs-west (4 and 3 TB)."""
    add_lab_allocation(world.site, 'lee-east', 'Lee Lab', 'ecs-east', 4)
    add_lab_allocation(world.site, 'kim-west', 'Kim Lab', 'ecs-west', 3)


def provision_lab(ref):
    return [item for item in PROVISION_LABS if item.ref == ref][0]


def assert_provisioned(world, item):
    """ECS holds the namespace and bucket of ``item`` with its quota; ColdFront records them."""
    namespace = world.sim(item.resource).state()['namespaces'].get(item.namespace)
    assert namespace is not None, (item.ref, 'no namespace on ECS')
    quota = {'blockSize': item.quota_gb, 'notificationSize': item.quota_gb * 9 // 10}
    assert namespace['quota'] == quota, (item.ref, namespace['quota'])
    assert list(namespace['buckets']) == [item.bucket], (item.ref, namespace['buckets'])
    assert namespace['buckets'][item.bucket]['quota'] == quota
    values = {name: value for name, value, _usage in world.site.allocation_attributes(item.ref)}
    assert {name: values.get(name) for name in RECORDED_NAMES + ('Quota_In_Bytes',)} == {
        'Namespace': item.namespace, 'Bucket': item.bucket, 'Subdirectory': '%s:%s' % (item.namespace, item.bucket),
        'Quota_In_Bytes': str(item.quota_tb * TB)}, (item.ref, values)


def provision_entries(result, resource):
    """``{allocation id: entry}`` of the ecs_provision ``results`` for one resource."""
    results = result.results(PROVISION_TASK, host=resource)
    assert len(results) == 1, result.output
    return {entry['allocation_id']: entry for entry in results[0]['results']}


def assert_provision_converges(world, playbook):
    """Re-run without faults: all five labs provisioned and recorded; a second re-run changes nothing."""
    again = world.run(playbook)
    assert again.rc == 0, again.output
    for item in PROVISION_LABS:
        assert_provisioned(world, item)
    history = world.site.history_counts()
    third = world.run(playbook)
    assert third.rc == 0 and third.changed == 0, third.output
    assert world.site.history_counts() == history
    return again


# ---- ColdFront database faults ---------------------------------------------------------------------------------
@contextlib.contextmanager
def coldfront_writes_locked(site, table):
    """Hold a write lock on the site's database while the body runs; yields the extra vars for the run.

    SQLite: ``BEGIN IMMEDIATE`` (readers go on, writers wait for the lock, 2 s here instead of the modules' 60, then
    fail).  PostgreSQL: ``LOCK TABLE <table> IN EXCLUSIVE MODE`` (reads go on, writes to ``table`` wait, 3 s here
    through ``lock_timeout``, then fail; what the transaction wrote to other tables before is rolled back with it).
    """
    if site.kind == 'sqlite':
        connection = sqlite3.connect(site.db_url.split('sqlite://', 1)[1], isolation_level=None)
        connection.execute('BEGIN IMMEDIATE')
        extra_vars = {'coldfront_ecs_db_url': site.db_url + '?timeout=2'}
    else:
        import psycopg2  # pylint: disable=import-outside-toplevel
        connection = psycopg2.connect(site.db_url)
        connection.cursor().execute('LOCK TABLE %s IN EXCLUSIVE MODE' % table)
        extra_vars = {'coldfront_ecs_db_url': site.db_url + '?options=-c%20lock_timeout%3D3000'}
    try:
        yield extra_vars
    finally:
        connection.rollback()
        connection.close()


def locked_message(site):
    """What the database says when the lock of :func:`coldfront_writes_locked` stops a write."""
    return 'database is locked' if site.kind == 'sqlite' else 'canceling statement due to lock timeout'


def execute(site, sql):
    """Run one SQL statement (DDL, no result rows) on the site's database."""
    with site.orm().connection.cursor() as cursor:
        cursor.execute(sql)


def refuse_writes(site, table, column, value):
    """A trigger that makes the database refuse every row written to ``table`` with ``column = value``.

    Returns the error message the database raises.
    """
    message = 'injected fault: %s rows with %s %d refused' % (table, column, value)
    if site.kind == 'sqlite':
        for event in ('INSERT', 'UPDATE'):
            execute(site, "CREATE TRIGGER hpc_fault_%s BEFORE %s ON %s WHEN NEW.%s = %d BEGIN SELECT RAISE(ABORT, '%s'); "
                          "END" % (event.lower(), event, table, column, value, message))
    else:
        execute(site, "CREATE FUNCTION hpc_fault() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION '%s'; END $$ "
                      "LANGUAGE plpgsql" % message)
        execute(site, 'CREATE TRIGGER hpc_fault BEFORE INSERT OR UPDATE ON %s FOR EACH ROW WHEN (NEW.%s = %d) '
                      'EXECUTE FUNCTION hpc_fault()' % (table, column, value))
    return message


def allow_writes(site, table):
    """Drop the trigger of :func:`refuse_writes`."""
    if site.kind == 'sqlite':
        for event in ('insert', 'update'):
            execute(site, 'DROP TRIGGER hpc_fault_%s' % event)
    else:
        execute(site, 'DROP TRIGGER hpc_fault ON %s' % table)
        execute(site, 'DROP FUNCTION hpc_fault()')
