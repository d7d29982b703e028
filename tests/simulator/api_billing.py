"""Metering: /object/billing/... (per namespace, per bucket, samples, and the batch POST forms)."""

from . import billing
from .errors import ApiError, missing, not_found
from .payload import as_list, as_str
from .routes import READ, Route, ok


def meter(ctx):
    """What metering reports for this request (`metering_lag_seconds` behind ctx.now)."""
    return billing.Metering(ctx.now, ctx.config.metering_lag_seconds)


def namespace_info(ctx, namespace):
    """GET /object/billing/namespace/{ns}/info: totals, plus a page of buckets with include_bucket_detail."""
    ctx.require(READ, namespace)
    target = ctx.world.namespace(namespace)
    unit = billing.size_unit(ctx.params)
    if not ctx.flag('include_bucket_detail'):
        return ok(billing.namespace_record(target, unit, meter(ctx), False), 'namespace_billing_info')
    names, next_marker, _size = ctx.page(target.buckets)
    page = [target.buckets[name] for name in names]
    return ok(billing.namespace_record(target, unit, meter(ctx), True, page, next_marker), 'namespace_billing_info')


def bucket_info(ctx, namespace, bucket):
    """GET /object/billing/buckets/{ns}/{bucket}/info."""
    ctx.require(READ, namespace)
    unit = billing.size_unit(ctx.params)
    return ok(billing.bucket_record(ctx.world.bucket(namespace, bucket), unit, meter(ctx)), 'bucket_billing_info')


def namespace_sample(ctx, namespace):
    """GET /object/billing/namespace/{ns}/sample?start_time=&end_time= (5-minute boundaries)."""
    ctx.require(READ, namespace)
    target = ctx.world.namespace(namespace)
    unit, window, metered = billing.size_unit(ctx.params), billing.sample_window(ctx.params), meter(ctx)
    record = dict(billing.sample_record(list(target.buckets.values()), unit, window, metered), namespace=namespace)
    if ctx.flag('include_bucket_detail'):
        names, next_marker, _size = ctx.page(target.buckets)
        record['bucket_billing_sample'] = [
            dict(billing.sample_record([target.buckets[name]], unit, window, metered), name=name, namespace=namespace)
            for name in names]
        if next_marker:
            record['next_marker'] = next_marker
    return ok(record, 'namespace_billing_sample')


def bucket_sample(ctx, namespace, bucket):
    """GET /object/billing/buckets/{ns}/{bucket}/sample."""
    ctx.require(READ, namespace)
    target = ctx.world.bucket(namespace, bucket)
    unit, window = billing.size_unit(ctx.params), billing.sample_window(ctx.params)
    return ok(dict(billing.sample_record([target], unit, window, meter(ctx)), name=bucket, namespace=namespace),
              'bucket_billing_sample')


def batch_ids(ctx):
    """The `id` list of a batch request; 404/2000 when batch billing is switched off (older clusters)."""
    if not ctx.config.batch_billing:
        raise ApiError(404, 2000, 'No API resource matches %s %s' % (ctx.request.method, ctx.request.path))
    ids = [as_str(item, 'id') for item in as_list(ctx.body().get('id'), 'id')]
    if not ids:
        raise missing('id')
    return ids


def namespaces_batch(ctx):
    """POST /object/billing/namespace/info {"id": [ns, ...]}: {"namespace_billing_info": [...]}; 400/1004 if any is missing."""
    ids = batch_ids(ctx)
    unit, detail, metered = billing.size_unit(ctx.params), ctx.flag('include_bucket_detail'), meter(ctx)
    records = []
    for name in ids:
        ctx.require(READ, name)
        records.append(billing.namespace_record(ctx.world.namespace(name), unit, metered, detail))
    return ok({'namespace_billing_info': records}, 'namespace_billing_infos')


def buckets_batch(ctx, namespace):
    """POST /object/billing/buckets/{ns}/info {"id": [bucket, ...]}: {"bucket_billing_info": [...]}."""
    ids = batch_ids(ctx)
    ctx.require(READ, namespace)
    unit = billing.size_unit(ctx.params)
    target = ctx.world.namespace(namespace)
    missing_buckets = [name for name in ids if name not in target.buckets]
    if missing_buckets:
        raise not_found(missing_buckets[0])
    metered = meter(ctx)
    records = [billing.bucket_record(target.buckets[name], unit, metered) for name in ids]
    return ok({'bucket_billing_info': records}, 'bucket_billing_infos')


ROUTES = [
    Route('GET', '/object/billing/namespace/{namespace}/info', namespace_info, READ),
    Route('GET', '/object/billing/namespace/{namespace}/sample', namespace_sample, READ),
    Route('GET', '/object/billing/buckets/{namespace}/{bucketName}/info', bucket_info, READ),
    Route('GET', '/object/billing/buckets/{namespace}/{bucketName}/sample', bucket_sample, READ),
    Route('POST', '/object/billing/namespace/info', namespaces_batch, READ),
    Route('POST', '/object/billing/buckets/{namespace}/info', buckets_batch, READ),
]
