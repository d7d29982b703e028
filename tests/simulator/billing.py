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


def sample_time(now):
    """The time of the last metering sample: now, floored to the 5-minute period."""
    return clock.iso_seconds(now - now % SAMPLE_PERIOD)


def bucket_record(bucket, unit, now):
    """A bucket billing record (GET /object/billing/buckets/{ns}/{bucket}/info, bucket_billing_info items)."""
    stamp = sample_time(now)
    return {'name': bucket.name, 'namespace': bucket.namespace, 'vpool_id': bucket.vpool,
            'total_size': in_unit(bucket.size_bytes, unit), 'total_size_unit': unit,
            'total_objects': bucket.objects, 'total_mpu_size': 0, 'total_mpu_parts': 0,
            'sample_time': stamp, 'uptodate_till': stamp, 'TagSet': list(bucket.tags)}


def namespace_record(namespace, unit, now, detail, page=None, next_marker=None):
    """A namespace billing record: totals over all buckets, per-bucket records for `page` when `detail`."""
    buckets = list(namespace.buckets.values())
    stamp = sample_time(now)
    record = {'namespace': namespace.name, 'total_size': in_unit(sum(b.size_bytes for b in buckets), unit),
              'total_size_unit': unit, 'total_objects': sum(b.objects for b in buckets),
              'total_mpu_size': 0, 'total_mpu_parts': 0, 'sample_time': stamp, 'uptodate_till': stamp}
    if detail:
        record['bucket_billing_info'] = [bucket_record(b, unit, now) for b in (buckets if page is None else page)]
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


def sample_record(buckets, unit, window):
    """Totals for a sample window. The simulator keeps no history: deltas are 0, totals are current."""
    start, end = window
    return {'sample_start_time': clock.iso_seconds(start), 'sample_end_time': clock.iso_seconds(end),
            'total_size': in_unit(sum(b.size_bytes for b in buckets), unit), 'total_size_unit': unit,
            'total_objects': sum(b.objects for b in buckets), 'objects_created': 0, 'objects_deleted': 0,
            'bytes_delta': 0, 'ingress': 0, 'egress': 0}
