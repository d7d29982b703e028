"""Issue 18: forecast and alert state end to end, through playbooks/sync.yml and report.yml on a real ColdFront
with crafted usage history (30 days growing 0.2 TB a day) and the ECS simulator."""

import datetime
import json
import os

import pytest

TB = 1024 ** 4
QUOTA = 'Storage Quota (TB)'
pytestmark = [pytest.mark.coldfront, pytest.mark.simulator]


def craft_growth(site, allocation_id):
    """Usage rows 2.0, 2.2, ... 7.8 TB, one a day from 30 days ago to yesterday (as 30 syncs would have left)."""
    models = site.orm()
    usage = models.AllocationAttribute.objects.get(allocation_id=allocation_id,
                                                   allocation_attribute_type__name=QUOTA).allocationattributeusage
    history = type(usage).history.model.objects
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    history.filter(allocation_attribute_id=usage.pk).update(history_date=now - datetime.timedelta(days=31))
    for day in range(30):
        usage.value = round(2.0 + 0.2 * day, 6)
        usage.save()
        newest = history.filter(allocation_attribute_id=usage.pk).order_by('-history_id')[0]
        history.filter(history_id=newest.history_id).update(history_date=now - datetime.timedelta(days=30 - day))


def sync(ecs_world, used_tb):
    ecs_world.set_bucket_usage('smith-lab', 'lab-smith-lab-bucket', used_tb * TB)
    result = ecs_world.run('playbooks/sync.yml')
    assert result.rc == 0, result.output
    stats = result.custom_stats['_run']
    alerts = list(stats['ecs_sync_summary']['ecs-east']['alerts'])
    return alerts, stats['quota_alert_digest']['ecs-east']


def states(alerts, smith):
    return sorted((alert['kind'], alert['level'], alert['state']) for alert in alerts
                  if alert.get('allocation_id') == smith)


def test_forecast_and_alert_state_across_syncs_and_report(ecs_world, tmp_path):
    ecs_world.provisioned('smith-east', 'smith-lab', 'lab-smith-lab-bucket')  # 10 TB quota
    smith = ecs_world.site.allocation_id('smith-east')
    alerts, _digest = sync(ecs_world, 1.0)
    assert states(alerts, smith) == []
    craft_growth(ecs_world.site, smith)

    # 8 TB now after 0.2 TB a day: 80 % (no quota alert), full in 10 days: full_soon, already so yesterday.
    alerts, digest = sync(ecs_world, 8.0)
    assert states(alerts, smith) == [('forecast', 'full_soon', 'ongoing')]
    forecast = [alert for alert in alerts if alert['kind'] == 'forecast'][0]
    assert forecast['growth_per_day'] == pytest.approx(0.2, abs=0.01)
    assert forecast['days_until_full'] == pytest.approx(10, abs=0.6)

    alerts, digest = sync(ecs_world, 9.5)  # 95 %: a new warning
    assert ('namespace', 'warning', 'new') in states(alerts, smith)
    (pi, entry), = digest['pi'].items()
    assert entry['changed'] and entry['counts']['new'] == 1

    alerts, digest = sync(ecs_world, 9.5)  # unchanged: ongoing, nothing to notify
    assert ('namespace', 'warning', 'ongoing') in states(alerts, smith)
    assert digest['pi'][pi]['changed'] is False

    alerts, digest = sync(ecs_world, 2.0)  # recovered: listed once, in the digest
    assert ('namespace', 'warning') not in [(kind, level) for kind, level, _state in states(alerts, smith)]
    assert ('namespace', 'warning', 'recovered') in states(digest['pi'][pi]['alerts'], smith)
    _alerts, digest = sync(ecs_world, 2.0)
    assert all(alert['state'] != 'recovered' for entry in digest['pi'].values() for alert in entry['alerts'])

    out = str(tmp_path / 'report')
    result = ecs_world.run('playbooks/report.yml', extra_vars={'ecs_report_output_dir': out})
    assert result.rc == 0, result.output
    with open(os.path.join(out, 'latest', 'report.json')) as handle:
        report = json.load(handle)
    row = [row for row in report['allocations'] if row['id'] == smith][0]
    assert row['growth_tb_per_day'] is not None and 'digest' in report and 'recovered' in report
    assert report['forecast'] == {'window_days': 30, 'forecast_days': 30}
    assert result.custom_stats['_run']['quota_alert_digest']['report'] == report['digest']
