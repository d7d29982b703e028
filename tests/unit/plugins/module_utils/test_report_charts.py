"""Chart series of the usage report: step series with the value in force carried in, thinning that keeps peaks,
time ticks readable at any span, the top-N choice, and the SVG step path drawn from them (known answers)."""

import datetime

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import report as R
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import report_html as H

UTC = datetime.timezone.utc
START = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _epoch(*args):
    return datetime.datetime(*args, tzinfo=UTC).timestamp()


def test_thinning_keeps_one_reading_peaks_and_dips_under_the_cap():
    values = [1.0] * 1000
    values[537], values[38], values[999] = 50.0, 0.0, 2.0
    points = list(enumerate(values))
    thinned = R.downsample(points, 500)
    assert len(thinned) <= 500 and thinned == sorted(thinned)
    assert (537, 50.0) in thinned and (38, 0.0) in thinned
    assert thinned[0] == (0, 1.0) and thinned[-1] == (999, 2.0)
    assert R.downsample(points[:8], 8) == points[:8]
    # One bucket: first, last, highest and the reading after it, lowest and the reading after it.
    ten = list(enumerate([3, 1, 9, 2, 4, 5, 7, 0, 6, 8]))
    assert R.downsample(ten, 8) == [ten[0], ten[2], ten[3], ten[7], ten[8], ten[9]]
    # Fewer allowed: the most needed of those.
    assert R.downsample(ten, 5) == [ten[0], ten[2], ten[3], ten[7], ten[9]]
    assert R.downsample(ten, 3) == [ten[0], ten[2], ten[9]] and R.downsample(ten, 2) == [ten[0], ten[9]]
    # Two buckets of ten: a peak's end survives, so it is not drawn longer than it lasted.
    twenty = [(index, 9.0 if index == 13 else 1.0) for index in range(20)]
    assert R.downsample(twenty, 12) == [twenty[index] for index in (0, 1, 9, 10, 11, 13, 14, 19)]


def test_step_series_carries_the_value_in_force_into_the_window():
    old = START - datetime.timedelta(days=120)
    rows = [(START + datetime.timedelta(days=2), 4.0), (old, 2.5), (old - datetime.timedelta(days=1), 1.0)]
    assert R.step_series(rows, 500, START) == {'rows': 1, 'start_value': 2.5, 'points': [['2026-03-03T12:00:00Z', 4]]}
    assert R.step_series([(old, 2.5)], 500, START) == {'rows': 0, 'start_value': 2.5, 'points': []}
    assert R.step_series([], 500, START) == {'rows': 0, 'start_value': None, 'points': []}
    # A reading exactly at the window start is in the window.
    assert R.step_series([(START, 7.0)], 500, START)['points'] == [['2026-03-01T12:00:00Z', 7]]


def test_time_ticks_are_distinct_and_readable_at_any_span():
    ten_minutes = H.time_ticks(_epoch(2026, 3, 1, 12, 0), _epoch(2026, 3, 1, 12, 10))
    assert [label for _s, label in ten_minutes] == ['12:00', '12:02', '12:04', '12:06', '12:08', '12:10']
    two_days = H.time_ticks(_epoch(2026, 3, 1, 12, 0), _epoch(2026, 3, 3, 12, 0))
    assert [label for _s, label in two_days] == ['03-01 12:00', '03-02 00:00', '03-02 12:00', '03-03 00:00',
                                                 '03-03 12:00']
    year = H.time_ticks(_epoch(2025, 3, 1, 12, 0), _epoch(2026, 3, 1, 12, 0))
    assert [label for _s, label in year] == ['2025-05', '2025-07', '2025-09', '2025-11', '2026-01', '2026-03']
    assert year[0][0] == _epoch(2025, 5, 1)
    ninety_days = H.time_ticks(_epoch(2025, 12, 1, 12, 0), _epoch(2026, 3, 1, 12, 0))
    assert [label for _s, label in ninety_days] == ['2025-12-04', '2025-12-18', '2026-01-01', '2026-01-15',
                                                    '2026-01-29', '2026-02-12', '2026-02-26']
    for start, end in ((0, 59), (_epoch(2026, 1, 1), _epoch(2026, 1, 1, 5, 17)), (0, 40 * 365 * 86400)):
        ticks = H.time_ticks(start, end)
        labels = [label for _s, label in ticks]
        assert len(set(labels)) == len(labels) <= H.MAX_TICKS
        assert all(start <= seconds <= end for seconds, _l in ticks)


def test_step_path_holds_each_value_until_the_next_reading():
    start = _epoch(2026, 3, 1)
    frame = H.Frame(start, start + 100, [10])
    assert (frame.width, frame.height, frame.top_value) == (544, 192, 10)
    at_50 = datetime.datetime.fromtimestamp(start + 50, tz=UTC).strftime('%Y-%m-%dT%H:%M:%SZ')
    assert H.step_path(frame, {'start_value': 5, 'points': [[at_50, 10]]}) == 'M56 110 H328 V14 H600'
    assert H.step_path(frame, {'start_value': None, 'points': [[at_50, 10]]}) == 'M328 14 H600'
    assert H.step_path(frame, {'start_value': 5, 'points': [[at_50, 5]]}) == 'M56 110 H328 H600'
    assert H.step_path(frame, {'start_value': 5, 'points': [[at_50, None]]}) == 'M56 110 H328'  # unlimited: a gap
    assert H.step_path(frame, {'start_value': None, 'points': []}) == ''


def _allocation(pk, usage):
    return {'id': pk, 'usage': usage, 'attribute_id': 1000 + pk, 'resource': 'ecs'}


def test_top_allocations_by_current_usage_leave_out_empty_ones():
    report = {'top': 3, 'allocations': [_allocation(1, 0), _allocation(2, None), _allocation(3, 2.5),
                                        _allocation(4, 9), _allocation(5, 0.0), _allocation(6, 1)]}
    assert [row['id'] for row in R.chart_candidates(report)] == [4, 3, 6]
    report['top'] = 10
    assert [row['id'] for row in R.chart_candidates(report)] == [4, 3, 6]
