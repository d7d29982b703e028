"""In-memory stand-ins for the unit tests of the workflows that claim namespaces (provision, adopt).

The real claim ledger (ColdFront, one locked transaction) runs in tests/integration; these keep its interface.
"""

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.errors import EcsApiError, EcsConfigError

VDC = 'urn:storageos:VirtualDataCenterData:1'


class SequentialMap:
    """``EcsClient.map`` without threads: ``[(item, result, error)]`` in order."""

    @staticmethod
    def map(func, items):
        out = []
        for item in items:
            try:
                out.append((item, func(item), None))
            except (EcsApiError, EcsConfigError) as error:
                out.append((item, None, error))
        return out

    def vdc_identity(self):
        return {'local': VDC, 'name': 'vdc1', 'vdcs': [VDC]}


class MemoryLedger:
    """The claim ledger of one federation, in memory; ``written`` lists the claims made, ``opened`` each opening.

    ``records``: allocations of other labs with a ``Subdirectory``; ``status``: the status those holders are in;
    ``changed_federation``: the commit reports the federation recorded anew.
    """

    def __init__(self, claims=None, records=None, quotas=None, error=None, status='Active', changed_federation=False):
        self.claims = dict(claims or {})        # allocation id: (namespace, bucket)
        self.records = dict(records or {})      # allocation id: (namespace, bucket)
        self.quotas = dict(quotas or {})        # allocation id: Storage Quota (TB) text
        self.error = error
        self.status = status
        self.opened = []
        self.written = []
        self.result = {'resource_attributes': [{'changed': True}]} if changed_federation else None

    def __call__(self, vdcs):
        self.opened.append(list(vdcs))
        return self

    def __enter__(self):
        if self.error is not None:
            raise self.error
        return self

    def __exit__(self, *exc):
        return False

    def holders(self, namespace):
        found = [{'allocation_id': pk, 'how': how, 'project': 'Lab %s' % pk, 'status': self.status,
                  'resource': 'ecs-east'}
                 for how, table in (('record', self.records), ('claim', self.claims))
                 for pk, names in table.items() if names[0] == namespace]
        return sorted(found, key=lambda holder: holder['allocation_id'])

    def claim_of(self, allocation_id):
        return self.claims.get(allocation_id)

    def pending(self):
        return [{'allocation_id': pk, 'namespace': names[0], 'quota_tb': self.quotas.get(pk)}
                for pk, names in sorted(self.claims.items()) if pk not in self.records]

    def claim(self, allocation_id, namespace, bucket):
        self.claims[allocation_id] = (namespace, bucket)
        self.written.append((allocation_id, namespace, bucket))
