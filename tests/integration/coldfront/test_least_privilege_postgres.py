"""The least-privilege ColdFront database roles of docs/security.md, proven on PostgreSQL.

The roles are made with exactly the ``sql`` blocks of the section "ColdFront database rights" of docs/security.md
(read from the file, so the documentation and this test cannot drift apart); only the role names (unique per test),
the database name and the password are replaced.  Then the collection's jobs run as those roles: provision and sync
(inventory as ``coldfront_ecs_read``, modules as ``coldfront_ecs_write``), setup (with the setup grants), and the
module_utils write functions in process.  The roles must also be refused what the documentation says they cannot do.

Roles and grants exist on PostgreSQL only: those tests run in ``make postgres-tests`` (``COLDFRONT_TEST_DB=postgresql``)
and are skipped on SQLite, where only the shape of the documented SQL is checked against ColdFront's schema.
"""

import os
import re
import uuid

import pytest

from support.ansible_run import run_playbook
from support.coldfront_site import REPO, PostgresBackend, activate, deactivate

pytestmark = pytest.mark.coldfront

# The tests marked postgresql run in `make postgres-tests` (COLDFRONT_TEST_DB=postgresql) and are deselected on
# SQLite (tests/conftest.py): database roles and grants need PostgreSQL.
postgres_only = pytest.mark.postgresql

DOC = os.path.join(REPO, 'docs', 'security.md')
SECTION = '## ColdFront database rights'
READ, WRITE = 'coldfront_ecs_read', 'coldfront_ecs_write'
ROLE_PREFIX = 'cft_lp_'             # cft_lp_<pid>_<random>_read / _write; orphans of killed runs are dropped
PASSWORD = 'least-privilege-test'   # tools/postgres.sh trusts local clients: any password gets in
QUOTA = 'Storage Quota (TB)'
TB = 1024 ** 4
GRANT_RE = re.compile(r'^GRANT\s+(?P<privileges>.+?)\s+ON\s+(?P<kind>SEQUENCE\s+|DATABASE\s+|SCHEMA\s+|ALL TABLES IN '
                      r'SCHEMA\s+)?(?P<objects>.+?)\s+TO\s+(?P<role>\w+)$', re.S | re.I)
DENIED = 'permission denied for table %s'


# ---- the documented SQL ---------------------------------------------------------------------------------------
def documented_blocks():
    """``{'read': sql, 'write': sql, 'setup': sql}``: the three sql blocks of the section, in order."""
    with open(DOC) as handle:
        text = handle.read()
    assert SECTION in text, 'docs/security.md has no section %r' % SECTION
    section = text.split(SECTION, 1)[1].split('\n## ', 1)[0]
    blocks = re.findall(r'^```sql\n(.*?)^```', section, re.S | re.M)
    assert len(blocks) == 3, 'expected the read, write and setup sql blocks in %r, found %d' % (SECTION, len(blocks))
    read, write, setup = blocks
    assert 'CREATE ROLE %s ' % READ in read and 'CREATE ROLE %s ' % WRITE in write and 'CREATE ROLE' not in setup
    return {'read': read, 'write': write, 'setup': setup}


def statements(sql):
    """The statements of a block, comments dropped, whitespace collapsed."""
    text = '\n'.join(line.split('--', 1)[0] for line in sql.splitlines())
    return [' '.join(part.split()) for part in text.split(';') if part.strip()]


def grants(sql):
    """``[(privileges, kind, [objects], role)]`` of the GRANT ... ON ... TO statements of a block."""
    found = []
    for statement in statements(sql):
        match = GRANT_RE.match(statement)
        if match and ' ON ' in statement.upper():
            found.append((match.group('privileges').upper(), (match.group('kind') or 'TABLE').strip().upper(),
                          [name.strip() for name in match.group('objects').split(',')], match.group('role')))
    return found


def test_documented_grants_name_coldfront_tables_and_their_sequences(coldfront_site):
    """Every table the SQL names is one of ColdFront's; every table given INSERT gets the sequence of its id."""
    models = coldfront_site.orm()
    from django.apps import apps  # pylint: disable=import-outside-toplevel
    by_table = {model._meta.db_table: model for model in apps.get_models()}  # pylint: disable=protected-access
    blocks = documented_blocks()
    assert [statement for statement in statements(blocks['read']) if statement.startswith('GRANT')] == [
        'GRANT CONNECT ON DATABASE coldfront TO %s' % READ, 'GRANT USAGE ON SCHEMA public TO %s' % READ,
        'GRANT SELECT ON ALL TABLES IN SCHEMA public TO %s' % READ]
    with models.connection.cursor() as cursor:
        tables = set(models.connection.introspection.table_names(cursor))
    for name in ('write', 'setup'):
        found = grants(blocks[name])
        assert found and all(role == WRITE for _privileges, _kind, _objects, role in found), found
        others = [statement for statement in statements(blocks[name]) if not statement.startswith('CREATE ROLE ')]
        assert len(found) == len(others), 'a statement that is not GRANT ... ON ... TO: %s' % others
        inserted, sequences = set(), set()
        for privileges, kind, objects, _role in found:
            if kind == 'SEQUENCE':
                assert privileges == 'USAGE'
                sequences.update(objects)
                continue
            assert kind == 'TABLE', (privileges, kind)
            missing = [table for table in objects if table not in tables]
            assert not missing, 'not ColdFront tables: %s' % missing
            if 'INSERT' in privileges:
                inserted.update(objects)
        # serial id columns (databases made before Django 4.1) need USAGE on their sequence for INSERT
        wanted = set()
        for table in inserted:
            pk = by_table[table]._meta.pk  # pylint: disable=protected-access
            if pk.get_internal_type() in ('AutoField', 'BigAutoField'):
                wanted.add('%s_%s_seq' % (table, pk.column))
        assert sequences == wanted, (name, sorted(sequences ^ wanted))
    # the row locks of provision and sync: UPDATE on one harmless column, never on the whole row
    write = grants(documented_blocks()['write'])
    assert ('UPDATE (MODIFIED)', 'TABLE', ['allocation_allocation', 'resource_resource'], WRITE) in write
    for privileges, _kind, objects, _role in write:
        if privileges != 'UPDATE (MODIFIED)':
            assert 'allocation_allocation' not in objects and 'resource_resource' not in objects


# ---- the roles ------------------------------------------------------------------------------------------------
def admin_connection(database):
    """An autocommit connection to ``database`` as the test server's superuser (tools/postgres.sh)."""
    import psycopg2  # pylint: disable=import-outside-toplevel
    connection = psycopg2.connect(connect_timeout=5, **dict(PostgresBackend().params, dbname=database))
    connection.autocommit = True
    return connection


class Roles:
    """The documented roles in one site's database, under unique names; ``url('write')`` reaches it as one."""

    def __init__(self, site):
        self.admin = PostgresBackend().params
        self.database = site.db_url.rsplit('/', 1)[1]
        prefix = '%s%d_%s' % (ROLE_PREFIX, os.getpid(), uuid.uuid4().hex[:6])
        self.names = {'read': prefix + '_read', 'write': prefix + '_write'}
        self.created = []

    def admin_sql(self, sql):
        """Run ``sql`` in the site's database as the test server's superuser."""
        connection = admin_connection(self.database)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
        finally:
            connection.close()

    def sql(self, block):
        """A documented block with this test's role names, database and password."""
        text, count = re.subn(r'\b%s\b' % READ, self.names['read'], block)
        text, more = re.subn(r'\b%s\b' % WRITE, self.names['write'], text)
        assert count + more, 'the block names neither %s nor %s' % (READ, WRITE)
        text, databases = re.subn(r'\bON DATABASE coldfront\b', 'ON DATABASE "%s"' % self.database, text)
        text, passwords = re.subn(r"PASSWORD '\.\.\.'", "PASSWORD '%s'" % PASSWORD, text)
        assert databases == text.count('ON DATABASE') and passwords == text.count('PASSWORD')
        return text

    def create(self, *blocks):
        """Run the documented blocks (``read``, ``write``, ``setup``) as they are, in that order."""
        documented = documented_blocks()
        for name in blocks:
            self.admin_sql(self.sql(documented[name]))
            if name in self.names:
                self.created.append(self.names[name])
        return self

    def url(self, role):
        return 'postgresql://%s:%s@%s:%s/%s' % (self.names[role], PASSWORD, self.admin['host'], self.admin['port'],
                                                self.database)

    def connect(self, role):
        import psycopg2  # pylint: disable=import-outside-toplevel
        return psycopg2.connect(self.url(role), connect_timeout=5)

    def drop(self):
        if self.created:
            names = ', '.join(reversed(self.created))
            self.admin_sql('DROP OWNED BY %s; DROP ROLE %s' % (names, names))
            self.created = []


def drop_orphan_roles():
    """Roles left by test processes that no longer run (their databases are gone: drop_orphans)."""
    connection = admin_connection('postgres')
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE 'cft\\_lp\\_%' ORDER BY rolname DESC")
            for (name,) in cursor.fetchall():
                try:
                    os.kill(int(name.split('_')[2]), 0)
                except ProcessLookupError:
                    try:
                        cursor.execute('DROP ROLE %s' % name)
                    except Exception:  # pylint: disable=broad-except
                        pass    # still has rights in a database that is not dropped yet
                except (PermissionError, ValueError):
                    pass
    finally:
        connection.close()


@pytest.fixture
def pg_roles(coldfront_templates):  # pylint: disable=unused-argument
    """``make(site, *blocks)`` -> :class:`Roles` made from the documented blocks; dropped after the test."""
    drop_orphan_roles()
    made = []

    def make(site, *blocks):
        made.append(Roles(site))
        return made[-1].create(*blocks)

    yield make
    for roles in made:
        roles.drop()


def denied(roles, role, sql):
    """The error message PostgreSQL gives ``role`` for ``sql`` (which must be refused for lack of privilege)."""
    import psycopg2  # pylint: disable=import-outside-toplevel
    connection = roles.connect(role)
    try:
        with pytest.raises(psycopg2.errors.InsufficientPrivilege) as refused:
            with connection.cursor() as cursor:
                cursor.execute(sql)
        connection.rollback()
    finally:
        connection.close()
    return str(refused.value).splitlines()[0]


def role_env(site):
    """The environment of a job with no ColdFront account of its own: every run names its role."""
    return {key: value for key, value in site.env.items() if key != 'DB_URL'}


# ---- the jobs as the documented roles -------------------------------------------------------------------------
@postgres_only
@pytest.mark.postgresql
@pytest.mark.simulator
def test_provision_and_sync_run_as_the_documented_roles(ecs_world, pg_roles, tmp_path):
    site = ecs_world.site
    roles = pg_roles(site, 'read', 'write')
    inventory = ecs_world.write_inventory(str(tmp_path / 'read.coldfront.yml'), db_url=roles.url('read'))
    env = dict(role_env(site), **{key: value for key, value in ecs_world.env.items() if key.startswith('ECS_')})
    as_writer = {'coldfront_ecs_db_url': roles.url('write')}
    smith, odd = site.allocation_id('smith-east'), site.allocation_id('odd-west')

    provision = run_playbook('playbooks/provision.yml', inventory=inventory, env=env, extra_vars=as_writer)
    assert provision.rc == 0, provision.output
    recorded = dict((name, value) for name, value, _usage in site.allocation_attributes(smith))
    assert {name: recorded.get(name) for name in ('Namespace', 'Bucket', 'Subdirectory', 'Quota_In_Bytes')} == {
        'Namespace': 'smith-lab', 'Bucket': 'lab-smith-lab-bucket', 'Subdirectory': 'smith-lab:lab-smith-lab-bucket',
        'Quota_In_Bytes': str(10 * TB)}
    assert dict((name, value) for name, value, _usage in site.allocation_attributes(odd))['Subdirectory'] == \
        'chen-patel-ber-lab-2024:lab-chen-patel-ber-lab-2024-bucket'

    ecs_world.set_bucket_usage('smith-lab', 'lab-smith-lab-bucket', 3 * TB)
    history = site.history_counts()
    sync = run_playbook('playbooks/sync.yml', inventory=inventory, env=env, extra_vars=as_writer)
    assert sync.rc == 0, sync.output
    assert site.allocation_attributes(smith, 'Quota_In_Bytes') == [('Quota_In_Bytes', str(10 * TB), float(3 * TB))]
    assert site.allocation_attributes(smith, QUOTA) == [(QUOTA, '10', 3.0)]
    east = site.resource_attributes('ecs-east')
    assert float(east['used_tb']) > 0 and 'allocated_tb' in east        # resource attributes created and updated
    after = site.history_counts()
    assert after['allocation_historicalallocationattributeusage'] > history['allocation_historicalallocationattributeusage']
    assert after['resource_historicalresourceattribute'] > history['resource_historicalresourceattribute']

    # What the roles must not do, through the modules: setup's writes need the setup grants, any write needs the write role
    play = [{'hosts': 'localhost', 'gather_facts': False, 'tasks': [
        {'name': 'onboard', 'ignore_errors': True, 'hpc.coldfront_ecs.coldfront_resource': {
            'db_url': roles.url('write'), 'name': 'ecs-north', 'resource_type': 'Storage',
            'attributes': {'url': 'ecs3.example.org'}}},
        {'name': 'record as reader', 'ignore_errors': True, 'hpc.coldfront_ecs.coldfront_allocation_attribute': {
            'db_url': roles.url('read'), 'attributes': [{'allocation_id': smith, 'name': 'Bucket', 'value': 'x'}]}},
    ]}]
    refused = run_playbook(play, env=env)
    assert refused.rc == 0, refused.output
    assert DENIED % 'resource_resource' in refused.results('onboard')[0]['msg']
    assert DENIED % 'allocation_allocation' in refused.results('record as reader')[0]['msg']   # its row lock
    assert not site.orm().Resource.objects.filter(name='ecs-north').exists()
    assert site.allocation_attributes(smith, 'Bucket') == [('Bucket', 'lab-smith-lab-bucket', None)]

    # ... and in SQL: no allocation or resource changed, no attribute deleted, no history rewritten
    for sql, table in (
            ('UPDATE allocation_allocation SET status_id = status_id WHERE id = %d' % smith, 'allocation_allocation'),
            ('UPDATE allocation_allocation SET quantity = 2 WHERE id = %d' % smith, 'allocation_allocation'),
            ("UPDATE resource_resource SET name = 'renamed' WHERE name = 'ecs-east'", 'resource_resource'),
            ('DELETE FROM allocation_allocationattribute WHERE allocation_id = %d' % smith,
             'allocation_allocationattribute'),
            ('DELETE FROM resource_resourceattribute', 'resource_resourceattribute'),
            ("UPDATE allocation_historicalallocationattribute SET history_change_reason = 'forged'",
             'allocation_historicalallocationattribute'),
            ('DELETE FROM allocation_historicalallocationattributeusage',
             'allocation_historicalallocationattributeusage'),
            ("INSERT INTO resource_resourceattributetype (name) VALUES ('x')", 'resource_resourceattributetype')):
        assert denied(roles, 'write', sql) == DENIED % table, sql
    assert denied(roles, 'read', "UPDATE allocation_allocationattribute SET value = 'x'") == \
        DENIED % 'allocation_allocationattribute'


@postgres_only
@pytest.mark.postgresql
def test_setup_runs_as_the_documented_role_with_the_setup_grants(coldfront_site_factory, pg_roles):
    bare = coldfront_site_factory('bare')
    bare.add_attribute_type('allocation', QUOTA, 'Float')        # without usage: setup updates the type
    bare.add_attribute_type('resource', 'capacity_tb', 'Text')   # unused, wrong data type: setup updates it
    roles = pg_roles(bare, 'read', 'write', 'setup')
    north = {'name': 'ecs-north', 'url': 'https://ecs3.example.org', 'replication_group': 'rg-north',
             'ldap_domain': 'ad.example.org', 'resource_type': 'Object Storage', 'attributes': {'capacity_tb': 250}}
    as_writer = {'coldfront_ecs_db_url': roles.url('write'), 'ecs_setup_resources': [north]}

    done = run_playbook('playbooks/setup.yml', env=role_env(bare), extra_vars=as_writer)
    assert done.rc == 0, done.output
    summary = done.results('Show the setup summary')[0]['msg']
    assert sorted(summary['updated_types']) == ['Storage Quota (TB)', 'capacity_tb']
    assert summary['resources_created'] == ['ecs-north']
    models = bare.orm()
    assert models.AllocationAttributeType.objects.get(name=QUOTA).has_usage
    assert models.ResourceAttributeType.objects.get(name='capacity_tb').attribute_type.name == 'Float'
    assert models.Resource.objects.get(name='ecs-north').resource_type.name == 'Object Storage'
    assert bare.resource_attributes('ecs-north')['capacity_tb'] == '250'

    changed = dict(north, description='Dell ECS, north wing', attributes={'capacity_tb': 300})
    again = run_playbook('playbooks/setup.yml', env=role_env(bare),
                         extra_vars=dict(as_writer, ecs_setup_resources=[changed]))
    assert again.rc == 0 and again.changed, again.output
    assert models.Resource.objects.get(name='ecs-north').description == 'Dell ECS, north wing'
    assert bare.resource_attributes('ecs-north')['capacity_tb'] == '300'
    # still no allocation changes and no deletes, with the setup grants too
    assert denied(roles, 'write', 'DELETE FROM resource_resource') == DENIED % 'resource_resource'
    assert denied(roles, 'write', 'UPDATE allocation_allocation SET quantity = 2') == DENIED % 'allocation_allocation'


@postgres_only
@pytest.mark.postgresql
def test_write_functions_need_the_documented_row_lock_grant(coldfront_site, pg_roles):
    """apply_changes as coldfront_ecs_write: refused without ``UPDATE (modified)`` (SELECT ... FOR UPDATE), fine with it."""
    from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront import access as cf
    from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront import write as cw
    from django.db.utils import ProgrammingError
    site = coldfront_site
    roles = pg_roles(site, 'read', 'write')
    smith = site.allocation_id('smith-east')
    items = dict(allocation_attributes=[{'allocation_id': smith, 'name': QUOTA, 'value': 12, 'usage': 4.5}],
                 resource_attributes=[{'resource': 'ecs-east', 'name': 'used_tb', 'value': 1.5}])
    site.orm()
    history = site.history_counts()
    roles.admin_sql('REVOKE UPDATE (modified) ON allocation_allocation, resource_resource FROM %s' % roles.names['write'])
    activate(roles.url('write'))
    try:
        cf.setup_django()
        with pytest.raises(ProgrammingError, match=DENIED % 'allocation_allocation'):
            cw.apply_changes(reason='least privilege', **items)
        roles.admin_sql(roles.sql(next(statement for statement in documented_blocks()['write'].split(';')
                                       if 'UPDATE (modified)' in statement)))
        result = cw.apply_changes(reason='least privilege', **items)
    finally:
        deactivate(roles.url('write'))
        activate(site.db_url)
    assert result['changed'] and [item['changed'] for item in result['resource_attributes']] == [True]
    assert site.allocation_attributes(smith, QUOTA) == [(QUOTA, '12', 4.5)]
    assert site.resource_attributes('ecs-east')['used_tb'] == '1.5'
    after = site.history_counts()
    assert after['allocation_historicalallocationattribute'] == history['allocation_historicalallocationattribute'] + 1
