"""Metering: namespace and bucket billing records, size units and sample windows."""

from datetime import datetime, timezone

from . import clock
from .errors import invalid, missing

# Legacy KB/MB/GB are binary, equal to KiB/MiB/GiB (ECS 4.x API reference).
UNITS = {'BYTE': 1, 'KB': 1024, 'KiB': 1024, 'MB': 1024 ** 2, 'MiB': 1024 ** 2, 'GB': 1024 ** 3, 'GiB': 1024 ** 3}
DEFAULT_UNIT = 'GB'
SAMPLE_PERIOD = 300
SAMPLE_FORMATS = ('%Y-%m-%dT%H:%M', '%Y-%m-%dT%H')


def size_unit(params):
    """The `sizeunit` query parameter (default GB); 400/1008 for anything else."""
    unit = params.get('sizeunit') or DEFAULT_UNIT
    if unit not in UNITS:
        raise invalid('sizeunit %r is not one of %s' % (unit, ', '.join(UNITS)))
    return unit


def in_unit(size_bytes, unit):
    """Bytes in `unit` as a JSON number: exact (power-of-two division), integral values as integers."""
    value = size_bytes / UNITS[unit]
    return int(value) if value.is_integer() else value


class Metering:
    """What metering reports at `now` with a lag of `lag` seconds (config `metering_lag_seconds`).

    The metering point is the 5-minute sample boundary at or before `now - lag`; it is the `sample_time` and
    `uptodate_till` of every record. With lag 0 the usage is the current one (no lag at all); with a lag it is
    the bucket's usage as of the metering point (its last change at or before it, 0 before any).
    """

    def __init__(self, now, lag=0):
        self.lag = lag
        moment = now - lag
        self.point = moment - moment % SAMPLE_PERIOD
        self.stamp = clock.iso_seconds(self.point)

    def usage(self, bucket):
        """(bytes, objects) of a bucket as metering reports them."""
        if not self.lag:
            return bucket.size_bytes, bucket.objects
        return bucket.usage_at(self.point)

    def totals(self, buckets):
        """(bytes, objects) summed over buckets."""
        usages = [self.usage(bucket) for bucket in buckets]
        return sum(size for size, _objects in usages), sum(objects for _size, objects in usages)


def bucket_record(bucket, unit, meter):
    """A bucket billing record (GET /object/billing/buckets/{ns}/{bucket}/info, bucket_billing_info items)."""
    size_bytes, objects = meter.usage(bucket)
    return {'name': bucket.name, 'namespace': bucket.namespace, 'vpool_id': bucket.vpool,
            'total_size': in_unit(size_bytes, unit), 'total_size_unit': unit,
            'total_objects': objects, 'total_mpu_size': 0, 'total_mpu_parts': 0,
            'sample_time': meter.stamp, 'uptodate_till': meter.stamp, 'TagSet': list(bucket.tags)}


def namespace_record(namespace, unit, meter, detail, page=None, next_marker=None):
    """A namespace billing record: totals over all buckets, per-bucket records for `page` when `detail`."""
    buckets = list(namespace.buckets.values())
    size_bytes, objects = meter.totals(buckets)
    record = {'namespace': namespace.name, 'total_size': in_unit(size_bytes, unit),
              'total_size_unit': unit, 'total_objects': objects,
              'total_mpu_size': 0, 'total_mpu_parts': 0, 'sample_time': meter.stamp, 'uptodate_till': meter.stamp}
    if detail:
        record['bucket_billing_info'] = [bucket_record(b, unit, meter) for b in (buckets if page is None else page)]
    if next_marker:
        record['next_marker'] = next_marker
    return record


def parse_sample_time(params, name):
    """start_time/end_time: yyyy-MM-ddTHH:mm or yyyy-MM-ddTHH, on a 5-minute boundary."""
    text = params.get(name)
    if not text:
        raise missing(name)
    for fmt in SAMPLE_FORMATS:
        try:
            moment = datetime.strptime(text, fmt).replace(tzinfo=timezone.utc)
            break
        except ValueError:
            continue
    else:
        raise invalid('%s %r is not in the format yyyy-MM-ddTHH:mm' % (name, text))
    if moment.minute % 5:
        raise invalid('%s %s must be a multiple of 5 minutes' % (name, text))
    return moment.timestamp()


def sample_window(params):
    """(start, end) of a sample request; start inclusive, end exclusive, end after start."""
    start, end = parse_sample_time(params, 'start_time'), parse_sample_time(params, 'end_time')
    if end <= start:
        raise invalid('end_time must be after start_time')
    return start, end


def sample_record(buckets, unit, window, meter):
    """Totals for a sample window: deltas are 0; totals are what `meter` reports (current usage without lag)."""
    start, end = window
    size_bytes, objects = meter.totals(buckets)
    return {'sample_start_time': clock.iso_seconds(start), 'sample_end_time': clock.iso_seconds(end),
            'total_size': in_unit(size_bytes, unit), 'total_size_unit': unit,
            'total_objects': objects, 'objects_created': 0, 'objects_deleted': 0,
            'bytes_delta': 0, 'ingress': 0, 'egress': 0}
