"""Cluster-level reads: capacity, replication groups (vpools) and storage pools (varrays)."""

from .errors import not_found
from .routes import READ, SYSTEM_READ, Route, ok


def figures(entry):
    """The two capacity numbers of a cluster or storage pool."""
    return {'totalProvisioned_gb': int(entry['totalProvisioned_gb']), 'totalFree_gb': int(entry['totalFree_gb'])}


def capacity(ctx):
    """GET /object/capacity: whole-cluster figures in GB."""
    return ok(figures(ctx.world.capacity), 'cluster_capacity')


def varray_capacity(ctx, varray):
    """GET /object/capacity/{varray}: one storage pool."""
    try:
        return ok(figures(ctx.world.capacity['varrays'][varray]), 'cluster_capacity')
    except KeyError:
        raise not_found(varray) from None


def list_vpools(ctx):
    """GET /vdc/data-service/vpools."""
    return ok({'data_service_vpool': [rg.to_api() for rg in ctx.world.replication_groups.values()]},
              'data_service_vpools')


def get_vpool(ctx, vpool):
    """GET /vdc/data-service/vpools/{id}."""
    rg = ctx.world.rg_by_id(vpool)
    if rg is None:
        raise not_found(vpool)
    return ok(rg.to_api(), 'data_service_vpool')


def list_varrays(ctx):
    """GET /vdc/data-services/varrays: the storage pools."""
    pools = [{'id': varray, 'name': entry['name'], 'isProtected': False, 'isColdStorageEnabled': False,
              'inactive': False, 'global': None, 'remote': None, 'vdc': None}
             for varray, entry in ctx.world.capacity['varrays'].items()]
    return ok({'varray': pools}, 'varrays')


ROUTES = [
    Route('GET', '/object/capacity', capacity, SYSTEM_READ),
    Route('GET', '/object/capacity/{id}', varray_capacity, SYSTEM_READ),
    Route('GET', '/vdc/data-service/vpools', list_vpools, READ),
    Route('GET', '/vdc/data-service/vpools/{id}', get_vpool, READ),
    Route('GET', '/vdc/data-services/varrays', list_varrays, SYSTEM_READ),
]
