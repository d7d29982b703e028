"""The report's last sync per resource and its stale-data alerts; the change reason shortened at a word boundary."""

import datetime

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront.write import change_reason
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import report as R, report_html as H
from integration.report.report_support import NOW, parse_html, sample_resources, table_rows


def report_with(rows, **options):
    report = R.summarize(sample_resources(), R.report_options(**options), NOW)
    return R.attach_last_sync(report, rows, NOW)


def test_last_sync_and_stale_alert():
    synced = NOW - datetime.timedelta(hours=3)
    report = report_with([(1, synced, 'svc-ansible', 'hpc.coldfront_ecs: coldfront_ecs_sync: hourly')],
                         stale_after_hours=48)
    east, west = report['resources']
    assert east['last_sync'] == {'at': '2026-03-01T09:00:00Z', 'user': 'svc-ansible',
                                 'reason': 'hpc.coldfront_ecs: coldfront_ecs_sync: hourly'}
    assert (east['stale'], west['last_sync'], west['stale']) == (False, None, True)
    assert [(a['kind'], a['resource'], a['age_hours']) for a in report['stale']] == [('stale', 'ecs-west', None)]
    assert report['totals']['stale'] == 1
    page = parse_html(H.render_html(report))
    cells = dict((row.attrs['data-resource'], row.find('td', data_field='last-sync').text())
                 for row, _cells in table_rows(page, 'resource-table'))
    assert cells == {'ecs-west': 'never', 'ecs-east': '2026-03-01 09:00:00 UTC by svc-ansible: %s' % (
        'hpc.coldfront_ecs: coldfront_ecs_sync: hourly')}
    assert page.find('li', cls='stale', data_resource='ecs-west')


def test_old_sync_is_stale_and_zero_disables_the_check():
    old = NOW - datetime.timedelta(hours=50)
    reason = 'hpc.coldfront_ecs: coldfront_ecs_sync'
    rows = [(1, old, None, reason), (2, NOW, None, reason)]
    report = report_with(rows, stale_after_hours=48)
    [alert] = report['stale']
    assert (alert['resource'], alert['age_hours'], alert['stale_after_hours']) == ('ecs-east', 50, 48)
    assert report['resources'][0]['last_sync']['user'] is None   # no history user given: shown as such
    assert 'by no history user' in H.render_html(report)
    assert report_with([], stale_after_hours=0)['stale'] == []
    assert 'ecs-east,,,,,,,,,,,' not in R.to_csv(report) and ',2026-02-27T10:00:00Z,true' in R.to_csv(report)


def test_change_reason_is_never_cut_mid_word():
    reason = change_reason('coldfront_ecs_sync: nightly run after the maintenance window of the storage cluster in '
                           'building forty-two')
    assert len(reason) <= 100 and reason.endswith('storage\u2026')
    assert change_reason('short') == 'hpc.coldfront_ecs: short'
    assert len(change_reason('x' * 300)) == 100    # one word longer than the column: cut where it must be
