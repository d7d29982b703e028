"""Django-side half of the throwaway ColdFront: boot steps, fixture datasets, test and bulk helpers.

Everything here runs INSIDE a process where ColdFront's Django is set up (``DB_URL`` etc. in the
environment).  ``tests/support/coldfront_site.py`` drives it: it runs this file as a script to build
the cached template databases, and imports it (by path: ``tests/coldfront`` is deliberately not a
package, it would shadow the real ``coldfront``) for in-test helpers.

    python tests/coldfront/load_fixtures.py bootstrap          # migrate + ColdFront's own defaults
    python tests/coldfront/load_fixtures.py load default OUT   # a dataset; ids written to OUT (JSON)

Datasets are YAML files in ``fixtures/`` (format in tests/coldfront/README.md); ``extends`` chains them.
"""

import datetime
import io
import json
import os
import sys

import yaml

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures')

# ColdFront's ``initial_setup -f`` steps, in its order (coldfront/core/utils/management/commands).
DEFAULT_COMMANDS = (
    'import_field_of_science_data',
    'add_default_grant_options',
    'add_default_project_choices',
    'add_resource_defaults',
    'add_allocation_defaults',
    'add_default_publication_sources',
    'add_scheduled_tasks',
)

FIXTURE_REASON = 'test fixture'


def dataset_files(name):
    """The YAML files of dataset ``name``, base first (follows ``extends``)."""
    files = []
    while name:
        path = os.path.join(FIXTURES, name + '.yaml')
        if path in files:
            raise ValueError('dataset %r extends itself' % name)
        files.insert(0, path)
        with open(path) as handle:
            name = (yaml.safe_load(handle) or {}).get('extends')
    return files


def dataset_layers(name):
    layers = []
    for path in dataset_files(name):
        with open(path) as handle:
            layers.append(yaml.safe_load(handle) or {})
    return layers


def bootstrap():
    """migrate, then ColdFront's defaults (what ``initial_setup -f`` runs), quietly."""
    from django.core.management import call_command
    out = io.StringIO()
    call_command('migrate', verbosity=0, interactive=False, stdout=out)
    for command in DEFAULT_COMMANDS:
        call_command(command, stdout=out, stderr=out)


def _models():
    from django.contrib.auth.models import User
    from coldfront.core.allocation import models as allocation
    from coldfront.core.project import models as project
    from coldfront.core.resource import models as resource
    return User, allocation, project, resource


def _unique(queryset, what):
    rows = list(queryset[:2])
    if len(rows) != 1:
        raise LookupError('%s: expected exactly one, found %d' % (what, len(rows)))
    return rows[0]


def _date(value):
    if value in (None, ''):
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


class Loader:
    """Creates fixture objects; remembers refs so later layers and tests can find them."""

    def __init__(self, ids=None):
        self.ids = ids or {'user': {}, 'project': {}, 'resource': {}, 'allocation': {}}

    # ---- types -------------------------------------------------------------------------------
    def resource_data_type(self, name):
        _User, _allocation, _project, resource = _models()
        return resource.AttributeType.objects.get_or_create(name=name)[0]

    def allocation_data_type(self, name):
        _User, allocation, _project, _resource = _models()
        return _unique(allocation.AttributeType.objects.filter(name=name), 'allocation data type %r' % name)

    def resource_attribute_type(self, name, type='Text', **flags):  # pylint: disable=redefined-builtin
        _User, _allocation, _project, resource = _models()
        rat = resource.ResourceAttributeType(
            name=name, attribute_type=resource.AttributeType.objects.get(name=type), **flags)
        rat.save()
        return rat

    def allocation_attribute_type(self, name, type='Text', **flags):  # pylint: disable=redefined-builtin
        _User, allocation, _project, _resource = _models()
        flags.setdefault('is_private', False)
        aat = allocation.AllocationAttributeType(name=name, attribute_type=self.allocation_data_type(type), **flags)
        aat.save()
        return aat

    def resource_type(self, name, description=''):
        _User, _allocation, _project, resource = _models()
        return resource.ResourceType.objects.get_or_create(name=name, defaults={'description': description or name})[0]

    # ---- objects -----------------------------------------------------------------------------
    def user(self, username, **fields):
        User, _allocation, _project, _resource = _models()
        user = User(username=username, **fields)
        user.set_unusable_password()  # load_test_data's PBKDF2 hashing is what makes it slow
        user.save()
        self.ids['user'][username] = user.pk
        return user

    def project(self, title, pi, status='Active', ref=None, description=None):
        User, _allocation, project, _resource = _models()
        obj = project.Project(
            title=title, pi=User.objects.get(username=pi),
            status=project.ProjectStatusChoice.objects.get(name=status),
            description=description or 'Research of %s, a test fixture project.' % title.strip())
        obj.save()
        self.ids['project'][ref or title] = obj.pk
        return obj

    def resource(self, name, type='Storage', description='', attributes=None, **flags):  # pylint: disable=redefined-builtin
        _User, _allocation, _project, resource = _models()
        obj = resource.Resource(name=name, resource_type=self.resource_type(type),
                                description=description or name, **flags)
        obj.save()
        self.ids['resource'][name] = obj.pk
        self.resource_attributes(obj, attributes or {})
        return obj

    def resource_attributes(self, resource_obj, attributes):
        _User, _allocation, _project, resource = _models()
        if not hasattr(resource_obj, 'pk'):
            resource_obj = resource.Resource.objects.get(name=resource_obj)
        for name, value in attributes.items():
            rat = _unique(resource.ResourceAttributeType.objects.filter(name=name), 'resource attribute type %r' % name)
            attribute = resource.ResourceAttribute(resource=resource_obj, resource_attribute_type=rat, value=str(value))
            attribute.full_clean()
            attribute.save()

    def _project_for(self, ref):
        _User, _allocation, project, _resource = _models()
        if isinstance(ref, int):
            return project.Project.objects.get(pk=ref)
        if ref in self.ids['project']:
            return project.Project.objects.get(pk=self.ids['project'][ref])
        return _unique(project.Project.objects.filter(title=ref), 'project %r' % ref)

    def allocation(self, project, resources, status='Active', ref=None, start_date=None, end_date=None,
                   quantity=1, justification='Test fixture allocation.', attributes=None, **fields):
        _User, allocation, _project, resource = _models()
        obj = allocation.Allocation(
            project=self._project_for(project), status=allocation.AllocationStatusChoice.objects.get(name=status),
            start_date=_date(start_date), end_date=_date(end_date), quantity=quantity,
            justification=justification, **fields)
        obj.save()
        obj.resources.set([resource.Resource.objects.get(name=name) for name in resources])
        if ref:
            self.ids['allocation'][ref] = obj.pk
        self.allocation_attributes(obj, attributes or {})
        return obj

    def allocation_attributes(self, allocation_obj, attributes):
        """``{name: value}`` or ``{name: {value:, usage:}}`` added to an allocation (always new rows)."""
        _User, allocation, _project, _resource = _models()
        if not hasattr(allocation_obj, 'pk'):
            pk = self.ids['allocation'].get(allocation_obj, allocation_obj)
            allocation_obj = allocation.Allocation.objects.get(pk=pk)
        created = []
        for name, spec in attributes.items():
            spec = spec if isinstance(spec, dict) else {'value': spec}
            aat = _unique(allocation.AllocationAttributeType.objects.filter(name=name),
                          'allocation attribute type %r' % name)
            attribute = allocation.AllocationAttribute(
                allocation=allocation_obj, allocation_attribute_type=aat, value=str(spec.get('value', '')))
            attribute.full_clean()
            attribute.save()
            if spec.get('usage') is not None:
                usage = attribute.allocationattributeusage
                usage.value = float(spec['usage'])
                usage.save()
            created.append(attribute)
        return created

    # ---- datasets ----------------------------------------------------------------------------
    def layer(self, data):
        """Apply one parsed YAML layer (see README for the keys)."""
        for name in data.get('resource_data_types', ()):
            self.resource_data_type(name)
        for spec in data.get('resource_types', ()):
            self.resource_type(**spec)
        for spec in data.get('resource_attribute_types', ()):
            self.resource_attribute_type(**spec)
        for spec in data.get('allocation_attribute_types', ()):
            self.allocation_attribute_type(**spec)
        for spec in data.get('users', ()):
            self.user(**spec)
        for spec in data.get('projects', ()):
            self.project(**spec)
        for spec in data.get('resources', ()):
            self.resource(**spec)
        for spec in data.get('allocations', ()):
            self.allocation(**spec)
        for name, attributes in (data.get('resource_attributes') or {}).items():
            self.resource_attributes(name, attributes)
        for ref, attributes in (data.get('allocation_attributes') or {}).items():
            self.allocation_attributes(ref, attributes)


def load_dataset(name):
    """Load dataset ``name`` into the current database in one transaction; returns the ids by ref."""
    from django.db import transaction
    loader = Loader()
    with transaction.atomic():
        for data in dataset_layers(name):
            loader.layer({k: v for k, v in data.items() if k != 'extends'})
    return loader.ids


def generate(allocations, resources=2, prefix='bench', quota_type='Storage Quota (TB)', with_usage=True,
             status='Active', pi='jsmith'):
    """Bulk data for benchmarks: ``resources`` ECS resources and ``allocations`` Active allocations.

    Uses ``bulk_create`` (no ``save()``, so no history rows): thousands of allocations in about a
    second.  Each allocation gets its own project, the quota attribute (value 1..10 TB) and usage.
    Returns ``{'resources': [names], 'allocations': [ids]}``.
    """
    from django.contrib.auth.models import User
    from django.db import transaction
    from coldfront.core.allocation import models as allocation
    from coldfront.core.project import models as project
    from coldfront.core.resource import models as resource

    with transaction.atomic():
        storage = resource.ResourceType.objects.get(name='Storage')
        new_resources = resource.Resource.objects.bulk_create([
            resource.Resource(name='%s-ecs-%d' % (prefix, index), resource_type=storage,
                              description='generated ECS resource %d' % index)
            for index in range(resources)])
        url_types = list(resource.ResourceAttributeType.objects.filter(name='url')[:1])
        if url_types:
            resource.ResourceAttribute.objects.bulk_create([
                resource.ResourceAttribute(resource=res, resource_attribute_type=url_types[0],
                                           value='%s.example.org' % res.name)
                for res in new_resources])
        pi_user = User.objects.get(username=pi)
        active = project.ProjectStatusChoice.objects.get(name='Active')
        projects = project.Project.objects.bulk_create([
            project.Project(title='%s lab %05d' % (prefix.title(), index), pi=pi_user, status=active,
                            description='Generated benchmark project %d.' % index)
            for index in range(allocations)])
        status_obj = allocation.AllocationStatusChoice.objects.get(name=status)
        start, end = datetime.date(2025, 1, 1), datetime.date(2099, 12, 31)
        new_allocations = allocation.Allocation.objects.bulk_create([
            allocation.Allocation(project=proj, status=status_obj, start_date=start, end_date=end,
                                  justification='generated') for proj in projects])
        through = allocation.Allocation.resources.through
        through.objects.bulk_create([
            through(allocation_id=alloc.pk, resource_id=new_resources[index % resources].pk)
            for index, alloc in enumerate(new_allocations)])
        aat = list(allocation.AllocationAttributeType.objects.filter(name=quota_type)[:1])
        if aat:
            attributes = allocation.AllocationAttribute.objects.bulk_create([
                allocation.AllocationAttribute(allocation=alloc, allocation_attribute_type=aat[0],
                                               value=str(1 + index % 10))
                for index, alloc in enumerate(new_allocations)])
            if with_usage and aat[0].has_usage:
                allocation.AllocationAttributeUsage.objects.bulk_create([
                    allocation.AllocationAttributeUsage(allocation_attribute=attr, value=(index % 10) / 4.0)
                    for index, attr in enumerate(attributes)])
    return {'resources': [res.name for res in new_resources], 'allocations': [a.pk for a in new_allocations]}


def main(argv):
    import django
    django.setup()
    if argv[:1] == ['bootstrap']:
        bootstrap()
    elif argv[:1] == ['load'] and len(argv) == 3:
        ids = load_dataset(argv[1])
        with open(argv[2], 'w') as handle:
            json.dump(ids, handle, indent=1, sort_keys=True)
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
