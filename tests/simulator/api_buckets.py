"""Buckets and bucket quotas: /object/bucket/... (always with ?namespace=)."""

from urllib.parse import urlencode

from .routes import ADMIN, NS_ADMIN, READ, Reply, Route, name_filter, ok

BUCKET = '/object/bucket/{bucketName}'


def list_buckets(ctx):
    """GET /object/bucket?namespace=: paging like namespaces; items are full bucket infos."""
    namespace = ctx.namespace_param()
    ctx.require(READ, namespace)
    buckets = ctx.world.namespace(namespace).buckets
    pattern = ctx.params.get('name', '')
    wanted = name_filter(pattern)
    names, next_marker, size = ctx.page(name for name in buckets if wanted(name))
    body = {'object_bucket': [buckets[name].to_api() for name in names], 'MaxBuckets': size,
            'Filter': 'namespace=%s&name=%s' % (namespace, pattern or '*')}
    if next_marker:
        query = {'namespace': namespace, 'marker': next_marker, 'limit': size, **({'name': pattern} if pattern else {})}
        body.update(NextMarker=next_marker, NextPageLink='/object/bucket?' + urlencode(query))
    return ok(body, 'object_buckets')


def create_bucket(ctx):
    """POST /object/bucket: name, namespace, vpool (default: the namespace's), flags, quota."""
    body = ctx.body()
    namespace = ctx.namespace_param(body)
    ctx.require(NS_ADMIN, namespace)
    return ok(ctx.world.create_bucket(body, namespace, ctx.user.name, ctx.now).to_created(), 'bucket')


def bucket_info(ctx, bucket):
    """GET /object/bucket/{bucket}/info?namespace=."""
    namespace = ctx.namespace_param()
    ctx.require(READ, namespace)
    return ok(ctx.world.bucket(namespace, bucket).to_api(), 'bucket_info')


def deactivate_bucket(ctx, bucket):
    """POST .../{bucket}/deactivate?namespace=[&emptyBucket=true]: 200 if empty, 202 when emptying starts."""
    accepted = ctx.world.deactivate_bucket(ctx.namespace_param(), bucket, ctx.flag('emptyBucket'), ctx.now,
                                           ctx.config.empty_bucket_seconds)
    return Reply(202 if accepted else 200)


def empty_status(ctx, bucket):
    """GET .../{bucket}/empty-bucket-status?namespace=."""
    namespace = ctx.namespace_param()
    ctx.require(READ, namespace)
    return ok(ctx.world.empty_status(namespace, bucket, ctx.now), 'empty_bucket_status')


def get_quota(ctx, bucket):
    """GET .../{bucket}/quota?namespace=."""
    namespace = ctx.namespace_param()
    ctx.require(READ, namespace)
    return ok(ctx.world.bucket(namespace, bucket).quota_api(), 'bucket_quota_details')


def set_quota(ctx, bucket):
    """PUT .../{bucket}/quota {blockSize, notificationSize, namespace}: both values, not both -1."""
    body = ctx.body()
    namespace = ctx.namespace_param(body)
    ctx.require(NS_ADMIN, namespace)
    ctx.world.set_bucket_quota(namespace, bucket, body)
    return Reply(200)


def delete_quota(ctx, bucket):
    """DELETE .../{bucket}/quota?namespace=: back to -1/-1."""
    namespace = ctx.namespace_param()
    ctx.require(NS_ADMIN, namespace)
    target = ctx.world.bucket(namespace, bucket)
    target.block_size = target.notification_size = -1
    return Reply(200)


ROUTES = [
    Route('GET', '/object/bucket', list_buckets, READ),
    Route('POST', '/object/bucket', create_bucket, NS_ADMIN),
    Route('GET', BUCKET + '/info', bucket_info, READ),
    Route('POST', BUCKET + '/deactivate', deactivate_bucket, ADMIN),
    Route('GET', BUCKET + '/empty-bucket-status', empty_status, READ),
    Route('GET', BUCKET + '/quota', get_quota, READ),
    Route('PUT', BUCKET + '/quota', set_quota, NS_ADMIN),
    Route('DELETE', BUCKET + '/quota', delete_quota, NS_ADMIN),
]
