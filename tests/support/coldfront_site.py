"""A real, throwaway ColdFront 1.1.10 database for tests, ``make demo`` and the benchmarks.

    site = ColdFrontSite.create(tmp_dir, db='sqlite', dataset='default')
    run_playbook(play, env=site.env)                  # ansible processes reach it through DB_URL ...
    site.env_file                                     # ... or through COLDFRONT_ENV / coldfront_env_file
    models = site.orm()                               # in-process ORM on this site's database
    models.AllocationAttribute.objects.filter(...)
    site.history_counts()                             # {'allocation_historicalallocationattribute': 12, ...}
    site.add_allocation('smith', ['ecs-east'], attributes={'Storage Quota (TB)': '4'})

How it stays fast: the first use builds a template database ONCE (migrate + ColdFront's defaults,
then the dataset from tests/coldfront/fixtures) and caches it under ``.build/coldfront`` keyed by the
ColdFront version and a hash of the boot code and fixtures; every site is a copy of it (a file copy on
SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL).  In-test inspection uses ONE Django per
process whose ``default`` database is switched to the site being inspected (:meth:`ColdFrontSite.orm`).

CLI (prints ``export`` lines for the environment of the new site):

    python tests/support/coldfront_site.py create DIR [--db sqlite|postgresql] [--fixture NAME] [--json]
    python tests/support/coldfront_site.py generate DIR --allocations N [--resources R]
    python tests/support/coldfront_site.py destroy DIR
"""

import argparse
import contextlib
import fcntl
import hashlib
import importlib.util
import itertools
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BOOT_DIR = os.path.join(REPO, 'tests', 'coldfront')
LOADER = os.path.join(BOOT_DIR, 'load_fixtures.py')
CACHE = os.path.join(REPO, '.build', 'coldfront')
SETTINGS_MODULE = 'coldfront.config.settings'
SECRET_KEY = 'hpc-coldfront-ecs-tests-only-not-a-secret'
PG_ADMIN_URL = os.environ.get('COLDFRONT_TEST_PG_URL', 'postgresql://coldfront:coldfront@127.0.0.1:55432/postgres')
DB_KINDS = ('sqlite', 'postgresql')
PG_PREFIX = 'cft_'


def default_db_kind():
    """``COLDFRONT_TEST_DB`` (sqlite or postgresql), sqlite when unset."""
    kind = os.environ.get('COLDFRONT_TEST_DB') or 'sqlite'
    if kind not in DB_KINDS:
        raise ValueError('COLDFRONT_TEST_DB=%r: use one of %s' % (kind, ', '.join(DB_KINDS)))
    return kind


def coldfront_version():
    import coldfront  # only coldfront/__init__.py: no Django, no settings
    return coldfront.VERSION


def _digest(paths):
    sha = hashlib.sha256()
    for path in sorted(paths):
        sha.update(os.path.relpath(path, REPO).encode())
        with open(path, 'rb') as handle:
            sha.update(handle.read())
    return sha.hexdigest()[:12]


def _loader_module():
    """tests/coldfront/load_fixtures.py, imported by path (tests/coldfront must not shadow coldfront)."""
    module = sys.modules.get('hpc_coldfront_load_fixtures')
    if module is None:
        spec = importlib.util.spec_from_file_location('hpc_coldfront_load_fixtures', LOADER)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[spec.name] = module
    return module


def template_keys(dataset):
    """(base key, dataset key): cache names that change with ColdFront's version, boot code or fixtures."""
    version = coldfront_version()
    base = 'base-%s-%s' % (version, _digest([LOADER]))
    data = '%s-%s-%s' % (dataset, version, _digest([LOADER] + _loader_module().dataset_files(dataset)))
    return base, data


def _boot_env(db_url):
    env = dict(os.environ)
    for name in ('COLDFRONT_ENV', 'COLDFRONT_CONFIG'):
        env.pop(name, None)
    env.update(DB_URL=db_url, DJANGO_SETTINGS_MODULE=SETTINGS_MODULE, SECRET_KEY=SECRET_KEY)
    return env


def _run_loader(db_url, *args):
    proc = subprocess.run([sys.executable, LOADER] + list(args), env=_boot_env(db_url), cwd=CACHE,
                          capture_output=True, text=True, check=False)
    if proc.returncode:
        raise RuntimeError('tests/coldfront/load_fixtures.py %s failed (rc %d):\n%s%s'
                           % (' '.join(args), proc.returncode, proc.stdout, proc.stderr))


@contextlib.contextmanager
def _build_lock():
    """One builder at a time across processes (pytest-xdist workers, parallel CLI runs)."""
    os.makedirs(CACHE, exist_ok=True)
    with open(os.path.join(CACHE, '.build.lock'), 'w') as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class SqliteBackend:
    """Templates are files in .build/coldfront; a site database is a file copy in the site directory."""

    kind = 'sqlite'

    @staticmethod
    def url(name):
        return 'sqlite:///' + name

    @staticmethod
    def template(key):
        return os.path.join(CACHE, 'template-%s.sqlite3' % key)

    def exists(self, key):
        return os.path.exists(self.template(key)) and os.path.exists(self.template(key) + '.json')

    def build(self, key, source_key, steps):
        """Make template ``key`` from template ``source_key`` (None: empty) by running loader ``steps``."""
        work = self.template(key) + '.tmp-%d' % os.getpid()
        if source_key:
            shutil.copyfile(self.template(source_key), work)
        elif os.path.exists(work):
            os.unlink(work)
        ids = steps(self.url(work))
        with open(self.template(key) + '.json', 'w') as handle:
            json.dump(ids, handle)
        os.replace(work, self.template(key))

    def clone(self, key, directory):
        path = os.path.join(directory, 'coldfront.sqlite3')
        shutil.copyfile(self.template(key), path)
        return self.url(path)

    def drop(self, db_url):
        pass  # the file lives in the site directory


class PostgresBackend:
    """Templates are databases ``cft_<key>``; a site database is ``CREATE DATABASE ... TEMPLATE``."""

    kind = 'postgresql'
    _counter = itertools.count()

    def __init__(self, admin_url=PG_ADMIN_URL):
        from urllib.parse import urlsplit
        parts = urlsplit(admin_url)
        self.params = dict(host=parts.hostname, port=parts.port or 5432, user=parts.username,
                           password=parts.password, dbname=parts.path.lstrip('/') or 'postgres')
        self.admin_url = admin_url

    def _connect(self):
        import psycopg2
        try:
            conn = psycopg2.connect(connect_timeout=5, **self.params)
        except psycopg2.OperationalError as exc:
            raise RuntimeError(
                'COLDFRONT_TEST_DB=postgresql but PostgreSQL is not reachable at %s:%s (%s). '
                'Start it with `tools/postgres.sh start`.' % (self.params['host'], self.params['port'],
                                                              str(exc).strip().splitlines()[0]))
        conn.autocommit = True
        return conn

    def _execute(self, sql, params=None):
        conn = self._connect()
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall() if cursor.description else None
        finally:
            conn.close()

    def url(self, name):
        return 'postgresql://%s:%s@%s:%s/%s' % (self.params['user'], self.params['password'], self.params['host'],
                                                self.params['port'], name)

    @staticmethod
    def template(key):
        return PG_PREFIX + key.replace('.', '').replace('-', '_').lower()

    def _db_exists(self, name):
        return bool(self._execute('SELECT 1 FROM pg_database WHERE datname = %s', (name,)))

    def _ids_file(self, key):
        return os.path.join(CACHE, 'pg-%s.json' % self.template(key))

    def exists(self, key):
        return os.path.exists(self._ids_file(key)) and self._db_exists(self.template(key))

    def _create(self, name, template=None):
        sql = 'CREATE DATABASE "%s"' % name + (' TEMPLATE "%s"' % template if template else '')
        for attempt in range(20):  # another worker may be copying the same template this instant
            try:
                self._execute(sql)
                return
            except Exception as exc:  # pylint: disable=broad-except
                if 'being accessed by other users' not in str(exc) or attempt == 19:
                    raise
                time.sleep(0.25)

    def _drop(self, name):
        self._execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)

    def build(self, key, source_key, steps):
        final = self.template(key)
        work = final + '_tmp'
        self._drop(work)
        self._drop(final)
        self._create(work, self.template(source_key) if source_key else None)
        ids = steps(self.url(work))
        self._execute('ALTER DATABASE "%s" RENAME TO "%s"' % (work, final))
        with open(self._ids_file(key), 'w') as handle:
            json.dump(ids, handle)

    def clone(self, key, directory):
        name = '%st_%d_%d_%s' % (PG_PREFIX, os.getpid(), next(self._counter), uuid.uuid4().hex[:6])
        self._create(name, self.template(key))
        return self.url(name)

    def drop(self, db_url):
        deactivate(db_url)
        self._drop(db_url.rsplit('/', 1)[1])

    def drop_orphans(self):
        """Drop test databases left by processes that no longer run (a killed pytest, say)."""
        for (name,) in self._execute("SELECT datname FROM pg_database WHERE datname LIKE 'cft\\_t\\_%%'"):
            pid = int(name.split('_')[2])
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                self._drop(name)
            except PermissionError:
                pass


def backend(kind=None):
    kind = kind or default_db_kind()
    if kind not in DB_KINDS:
        raise ValueError('unknown database kind %r: use one of %s' % (kind, ', '.join(DB_KINDS)))
    return SqliteBackend() if kind == 'sqlite' else PostgresBackend()


def ensure_template(dataset='default', kind=None):
    """Build (once, cached) the template for ``dataset``; returns (backend, key, ids)."""
    store = backend(kind)
    base_key, data_key = template_keys(dataset)
    if not store.exists(data_key):
        with _build_lock():
            if not store.exists(base_key):
                def boot(url):
                    _run_loader(url, 'bootstrap')
                    return {}
                store.build(base_key, None, boot)
            if not store.exists(data_key):
                def load(url):
                    out = os.path.join(CACHE, 'ids-%d.json' % os.getpid())
                    _run_loader(url, 'load', dataset, out)
                    with open(out) as handle:
                        ids = json.load(handle)
                    os.unlink(out)
                    return ids
                store.build(data_key, base_key, load)
    ids_path = (store.template(data_key) + '.json' if store.kind == 'sqlite' else store._ids_file(data_key))  # pylint: disable=protected-access
    with open(ids_path) as handle:
        return store, data_key, json.load(handle)


# ---- one in-process Django, switched between sites ---------------------------------------------
_DJANGO = {'url': None}


def _db_settings(db_url):
    import environ
    return environ.Env.db_url_config(db_url)


def activate(db_url):
    """Point this process's Django ``default`` database at ``db_url`` (set Django up on first use)."""
    if _DJANGO['url'] == db_url:
        return
    import django
    from django.apps import apps
    if not apps.ready:
        saved = {name: os.environ.get(name) for name in ('DB_URL', 'DJANGO_SETTINGS_MODULE', 'SECRET_KEY')}
        os.environ.update(DB_URL=db_url, DJANGO_SETTINGS_MODULE=SETTINGS_MODULE, SECRET_KEY=SECRET_KEY)
        try:
            django.setup()
        finally:  # tests spawn ansible processes from os.environ: leave it as it was
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    from django.conf import settings
    from django.db import connections
    current = connections['default']
    current.close()
    wanted = dict(current.settings_dict)
    new = _db_settings(db_url)
    if new['ENGINE'] != wanted['ENGINE']:
        raise RuntimeError('this process already uses %s; cannot switch to %s' % (wanted['ENGINE'], new['ENGINE']))
    for key in ('NAME', 'USER', 'PASSWORD', 'HOST', 'PORT'):
        wanted[key] = new.get(key, '')
    settings.DATABASES['default'] = wanted
    connections.settings['default'] = wanted
    del connections['default']
    _DJANGO['url'] = db_url


def deactivate(db_url=None):
    """Close the in-process connection (to ``db_url`` only, when given) so the database can be dropped."""
    if _DJANGO['url'] is None or (db_url and db_url != _DJANGO['url']):
        return
    from django.db import connections
    connections['default'].close()


class Models:
    """ColdFront's models (and Django's User, connection, transaction) as attributes."""

    def __init__(self):
        from django.contrib.auth.models import User
        from django.db import connection, transaction
        from coldfront.core.allocation import models as allocation
        from coldfront.core.project import models as project
        from coldfront.core.resource import models as resource
        self.User, self.connection, self.transaction = User, connection, transaction
        for module in (resource, project, allocation):
            for name in dir(module):
                value = getattr(module, name)
                if isinstance(value, type) and getattr(value, '__module__', '') == module.__name__:
                    setattr(self, name, value)
        # The three data-type tables share the class name AttributeType: name them by app.
        self.ResourceDataType = resource.AttributeType
        self.AllocationDataType = allocation.AttributeType
        self.ProjectDataType = project.AttributeType
        del self.AttributeType


HISTORY_TABLES = (
    'resource_historicalresource', 'resource_historicalresourcetype', 'resource_historicalresourceattributetype',
    'resource_historicalresourceattribute', 'allocation_historicalallocation',
    'allocation_historicalallocationattributetype', 'allocation_historicalallocationattribute',
    'allocation_historicalallocationattributeusage', 'project_historicalproject',
)


class ColdFrontSite:
    """One throwaway ColdFront database plus the environment that reaches it."""

    def __init__(self, directory, db_url, kind, dataset, ids):
        self.directory = directory
        self.db_url = db_url
        self.kind = kind
        self.dataset = dataset
        self.ids = ids
        self.env_file = os.path.join(directory, 'coldfront.env')
        self.env = {'DB_URL': db_url, 'DJANGO_SETTINGS_MODULE': SETTINGS_MODULE, 'SECRET_KEY': SECRET_KEY}

    # ---- life cycle ---------------------------------------------------------------------------
    @classmethod
    def create(cls, directory, db=None, dataset='default'):
        """A fresh copy of the cached template for ``dataset`` (built first if needed)."""
        os.makedirs(directory, exist_ok=True)
        store, key, ids = ensure_template(dataset, db)
        site = cls(os.path.abspath(directory), store.clone(key, directory), store.kind, dataset, ids)
        with open(site.env_file, 'w') as handle:
            handle.write('# ColdFront environment of a throwaway test site (hpc.coldfront_ecs tests)\n')
            handle.writelines('%s=%s\n' % item for item in sorted(site.env.items()) if item[0] != 'DJANGO_SETTINGS_MODULE')
        with open(os.path.join(directory, 'site.json'), 'w') as handle:
            json.dump({'db_url': site.db_url, 'kind': site.kind, 'dataset': dataset, 'ids': ids}, handle, indent=1)
        return site

    @classmethod
    def open(cls, directory):
        """A site created earlier (by the CLI, say) from its directory."""
        with open(os.path.join(directory, 'site.json')) as handle:
            meta = json.load(handle)
        return cls(os.path.abspath(directory), meta['db_url'], meta['kind'], meta['dataset'], meta['ids'])

    def destroy(self):
        """Drop the database (PostgreSQL) or forget the connection (SQLite: the file is in ``directory``)."""
        deactivate(self.db_url)
        backend(self.kind).drop(self.db_url)

    # ---- ids ----------------------------------------------------------------------------------
    def allocation_id(self, ref):
        return self.ids['allocation'][ref]

    def project_id(self, ref):
        return self.ids['project'][ref]

    def resource_id(self, name):
        return self.ids['resource'][name]

    # ---- in-process inspection ----------------------------------------------------------------
    def orm(self):
        """ColdFront's models bound to this site's database (one Django per process, switched)."""
        activate(self.db_url)
        return Models()

    def query(self, sql, params=()):
        """Rows of a raw SQL query on this site's database."""
        models = self.orm()
        with models.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def history_counts(self, tables=HISTORY_TABLES):
        """Row count of each historical table: compare before/after a run to prove nothing was written."""
        return {table: self.query('SELECT COUNT(*) FROM %s' % table)[0][0] for table in tables}

    def history(self, model, **filters):
        """History rows (newest first) of a ColdFront model given by name, e.g. ``'AllocationAttribute'``."""
        return list(getattr(self.orm(), model).history.filter(**filters).order_by('-history_id'))

    def allocation_attributes(self, allocation, name=None):
        """``[(name, value, usage)]`` of an allocation (ref or id), optionally one attribute name."""
        models = self.orm()
        rows = models.AllocationAttribute.objects.filter(allocation_id=self._allocation_pk(allocation))
        if name:
            rows = rows.filter(allocation_attribute_type__name=name)
        result = []
        for row in rows.select_related('allocation_attribute_type', 'allocationattributeusage').order_by('pk'):
            usage = getattr(row, 'allocationattributeusage', None)
            result.append((row.allocation_attribute_type.name, row.value, usage.value if usage else None))
        return result

    def resource_attributes(self, resource):
        """``{name: value}`` of a resource's attributes."""
        models = self.orm()
        return {row.resource_attribute_type.name: row.value for row in models.ResourceAttribute.objects.filter(
            resource__name=resource).select_related('resource_attribute_type')}

    def _allocation_pk(self, allocation):
        return self.ids['allocation'].get(allocation, allocation) if isinstance(allocation, str) else allocation

    # ---- in-test data -------------------------------------------------------------------------
    def _loader(self):
        self.orm()
        return _loader_module().Loader(self.ids)

    def add_project(self, title, pi='jsmith', status='Active', ref=None):
        return self._loader().project(title=title, pi=pi, status=status, ref=ref).pk

    def add_resource(self, name, type='Storage', attributes=None, **fields):  # pylint: disable=redefined-builtin
        return self._loader().resource(name=name, type=type, attributes=attributes, **fields).pk

    def add_allocation(self, project, resources, status='Active', attributes=None, ref=None, **fields):
        """A new allocation (project ref/title/id; resource names); returns its id."""
        fields.setdefault('start_date', '2025-01-01' if status == 'Active' else None)
        fields.setdefault('end_date', '2099-12-31' if status == 'Active' else None)
        return self._loader().allocation(project=project, resources=resources, status=status,
                                         attributes=attributes, ref=ref, **fields).pk

    def add_allocation_attributes(self, allocation, attributes):
        """Add NEW attribute rows (``{name: value}`` or ``{name: {value, usage}}``), duplicates included."""
        return [row.pk for row in self._loader().allocation_attributes(self._allocation_pk(allocation), attributes)]

    def add_resource_attributes(self, resource, attributes):
        self._loader().resource_attributes(resource, attributes)

    def add_attribute_type(self, scope, name, type='Text', **flags):  # pylint: disable=redefined-builtin
        """A new attribute type (``scope`` resource or allocation), even when one of that name exists."""
        loader = self._loader()
        make = loader.resource_attribute_type if scope == 'resource' else loader.allocation_attribute_type
        return make(name=name, type=type, **flags).pk

    def generate(self, allocations, resources=2, **options):
        """Bulk benchmark data (see load_fixtures.generate); returns resource names and allocation ids."""
        self.orm()
        return _loader_module().generate(allocations, resources, **options)

    def export_lines(self):
        return ''.join('export %s=%s\n' % (key, shlex.quote(value)) for key, value in sorted(self.env.items()))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    sub = parser.add_subparsers(dest='command', required=True)
    create = sub.add_parser('create', help='a new site in DIR; prints its environment')
    create.add_argument('directory')
    create.add_argument('--db', choices=DB_KINDS, default=None, help='default: $COLDFRONT_TEST_DB or sqlite')
    create.add_argument('--fixture', default='default', help='dataset in tests/coldfront/fixtures (default, bare)')
    create.add_argument('--json', action='store_true', help='print the site as JSON instead of export lines')
    generate = sub.add_parser('generate', help='bulk allocations in the site in DIR (benchmarks)')
    generate.add_argument('directory')
    generate.add_argument('--allocations', type=int, required=True)
    generate.add_argument('--resources', type=int, default=2)
    generate.add_argument('--prefix', default='bench')
    destroy = sub.add_parser('destroy', help='drop the site database in DIR (PostgreSQL) and remove DIR')
    destroy.add_argument('directory')
    args = parser.parse_args(argv)

    if args.command == 'create':
        started = time.time()
        site = ColdFrontSite.create(args.directory, db=args.db, dataset=args.fixture)
        if args.json:
            print(json.dumps({'env': site.env, 'env_file': site.env_file, 'db_url': site.db_url, 'ids': site.ids,
                              'seconds': round(time.time() - started, 3)}, indent=1))
        else:
            sys.stdout.write(site.export_lines())
            sys.stderr.write('coldfront_site: %s site in %.2f s\n' % (site.kind, time.time() - started))
    elif args.command == 'generate':
        print(json.dumps(ColdFrontSite.open(args.directory).generate(args.allocations, args.resources,
                                                                     prefix=args.prefix)))
    else:
        ColdFrontSite.open(args.directory).destroy()
        shutil.rmtree(args.directory, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
