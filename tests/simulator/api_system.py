"""Cluster-level reads: VDCs, capacity, replication groups (vpools) and storage pools (varrays)."""

from .errors import not_found
from .routes import READ, SYSTEM_READ, Route, ok


def figures(entry):
    """The two capacity numbers of a cluster or storage pool."""
    return {'totalProvisioned_gb': int(entry['totalProvisioned_gb']), 'totalFree_gb': int(entry['totalFree_gb'])}


def local_vdc(ctx):
    """The VDC whose address the request arrived on."""
    return ctx.world.local_vdc(ctx.request.vdc)


def get_local_vdc(ctx):
    """GET /object/vdcs/vdc/local."""
    return ok(local_vdc(ctx).to_api(local=True), 'vdc')


def list_vdcs(ctx):
    """GET /object/vdcs/vdc/list: every VDC of the federation, `local` only on the answering one."""
    here = local_vdc(ctx)
    return ok({'vdc': [vdc.to_api(local=vdc is here) for vdc in ctx.world.vdcs.values()]}, 'vdcs')


def get_vdc_by_name(ctx, name):
    """GET /object/vdcs/vdc/{name} (the `link` of a VDC)."""
    vdc = ctx.world.vdc_by('name', name)
    return ok(vdc.to_api(local=vdc is local_vdc(ctx)), 'vdc')


def get_vdc_by_id(ctx, vdc_id):
    """GET /object/vdcs/vdcid/{id}."""
    vdc = ctx.world.vdc_by('id', vdc_id)
    return ok(vdc.to_api(local=vdc is local_vdc(ctx)), 'vdc')


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
    vdc_id = local_vdc(ctx).id
    return ok({'data_service_vpool': [rg.to_api(vdc_id) for rg in ctx.world.replication_groups.values()]},
              'data_service_vpools')


def get_vpool(ctx, vpool):
    """GET /vdc/data-service/vpools/{id}."""
    rg = ctx.world.rg_by_id(vpool)
    if rg is None:
        raise not_found(vpool)
    return ok(rg.to_api(local_vdc(ctx).id), 'data_service_vpool')


def list_varrays(ctx):
    """GET /vdc/data-services/varrays: the storage pools."""
    pools = [{'id': varray, 'name': entry['name'], 'isProtected': False, 'isColdStorageEnabled': False,
              'inactive': False, 'global': None, 'remote': None, 'vdc': None}
             for varray, entry in ctx.world.capacity['varrays'].items()]
    return ok({'varray': pools}, 'varrays')


ROUTES = [
    Route('GET', '/object/vdcs/vdc/local', get_local_vdc, SYSTEM_READ),
    Route('GET', '/object/vdcs/vdc/list', list_vdcs, SYSTEM_READ),
    Route('GET', '/object/vdcs/vdc/{name}', get_vdc_by_name, SYSTEM_READ),
    Route('GET', '/object/vdcs/vdcid/{id}', get_vdc_by_id, SYSTEM_READ),
    Route('GET', '/object/capacity', capacity, SYSTEM_READ),
    Route('GET', '/object/capacity/{id}', varray_capacity, SYSTEM_READ),
    Route('GET', '/vdc/data-service/vpools', list_vpools, READ),
    Route('GET', '/vdc/data-service/vpools/{id}', get_vpool, READ),
    Route('GET', '/vdc/data-services/varrays', list_varrays, SYSTEM_READ),
]
