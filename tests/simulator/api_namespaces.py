"""Namespaces and namespace quotas: /object/namespaces/..."""

from urllib.parse import urlencode

from .routes import ADMIN, READ, SYSTEM_READ, Reply, Route, name_filter, ok

NAMESPACE = '/object/namespaces/namespace/{id}'


def list_namespaces(ctx):
    """GET /object/namespaces: `limit`/`marker` paging, `name` prefix filter; brief or full items."""
    pattern = ctx.params.get('name', '')
    wanted = name_filter(pattern)
    names, next_marker, size = ctx.page(name for name in ctx.world.namespaces if wanted(name))
    full = ctx.config.namespace_list == 'full'
    items = [ctx.world.namespaces[name].to_api() if full else ctx.world.namespaces[name].to_brief() for name in names]
    body = {'namespace': items, 'MaxNamespaces': size, 'Filter': 'name=%s' % (pattern or '*')}
    if next_marker:
        query = {'marker': next_marker, 'limit': size, **({'name': pattern} if pattern else {})}
        body.update(NextMarker=next_marker, NextPageLink='/object/namespaces?' + urlencode(query))
    return ok(body, 'namespaces')


def get_namespace(ctx, namespace):
    """GET /object/namespaces/namespace/{namespace}: 400/1004 when missing."""
    ctx.require(READ, namespace)
    return ok(ctx.world.namespace(namespace).to_api(), 'namespace')


def create_namespace(ctx):
    """POST /object/namespaces/namespace: the new namespace object."""
    return ok(ctx.world.create_namespace(ctx.body(), ctx.now).to_api(), 'namespace')


def update_namespace(ctx, namespace):
    """PUT /object/namespaces/namespace/{namespace}: 200, empty body; no user_mapping clears it (configurable)."""
    ctx.world.update_namespace(namespace, ctx.body(), ctx.config.put_without_user_mapping == 'keep')
    return Reply(200)


def deactivate_namespace(ctx, namespace):
    """POST .../{namespace}/deactivate: any body is ignored; 400 while buckets remain."""
    ctx.world.deactivate_namespace(namespace)
    return Reply(200)


def get_quota(ctx, namespace):
    """GET .../{namespace}/quota."""
    ctx.require(READ, namespace)
    return ok(ctx.world.namespace(namespace).quota_api(), 'namespace_quota_details')


def set_quota(ctx, namespace):
    """PUT .../{namespace}/quota {blockSize, notificationSize} in GB."""
    ctx.world.set_namespace_quota(namespace, ctx.body())
    return Reply(200)


def delete_quota(ctx, namespace):
    """DELETE .../{namespace}/quota: back to -1/-1."""
    quota = ctx.world.namespace(namespace)
    quota.block_size = quota.notification_size = -1
    return Reply(200)


ROUTES = [
    Route('GET', '/object/namespaces', list_namespaces, SYSTEM_READ),
    Route('GET', NAMESPACE, get_namespace, READ),
    Route('POST', '/object/namespaces/namespace', create_namespace, ADMIN),
    Route('PUT', NAMESPACE, update_namespace, ADMIN),
    Route('POST', NAMESPACE + '/deactivate', deactivate_namespace, ADMIN),
    Route('GET', NAMESPACE + '/quota', get_quota, READ),
    Route('PUT', NAMESPACE + '/quota', set_quota, ADMIN),
    Route('DELETE', NAMESPACE + '/quota', delete_quota, ADMIN),
]
