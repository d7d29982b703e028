"""The report through playbooks/report.yml against a real ColdFront (issue 18): requested / enforced / agreed quota
columns, a pending push, invalid values listed as data problems, the last sync per resource with its history user
and reason, and a stale-data alert.  Screenshots of the page go to docs/images (docs/report.md, docs/quotas.md)."""

import datetime
import json
import os
import shutil

import pytest

from integration.report.report_support import parse_html, table_rows
from support.ansible_run import REPO, run_playbook

pytestmark = pytest.mark.coldfront

QUOTA, AGREED = 'Storage Quota (TB)', 'Quota_In_Bytes'
TB, GB = 1024 ** 4, 1024 ** 3
SYNC_REASON = 'hpc.coldfront_ecs: coldfront_ecs_sync: hourly'
IMAGES = os.path.join(REPO, 'docs', 'images')


def add_allocations(site):
    """The issue's numbers: 0.1 TB agreed as 103 GB with 110e9 bytes used; a raise to 2 TB not pushed (ECS keeps
    1 TB) with 1.5 TB used; a limit of -5."""
    ids = {}
    for ref, title, value, usage, agreed in (
            ('tenth', 'Tenth Lab', '0.1', 110e9 / TB, 103 * GB),
            ('raised', 'Raised Lab', '2', 1.5, TB),
            ('negative', 'Negative Lab', '-5', 0.5, None)):
        attributes = {QUOTA: {'value': value, 'usage': usage}}
        if agreed is not None:
            attributes[AGREED] = {'value': str(agreed), 'usage': int(usage * TB)}
        ids[ref] = site.add_allocation(site.add_project(title, pi='achen'), ['ecs-east'], attributes=attributes)
    return ids


def record_syncs(site):
    """ecs-east synced 2 hours ago by svc-ansible, ecs-west 100 hours ago without a history user, ECS-Archive never."""
    models = site.orm()
    user = models.User.objects.get_or_create(username='svc-ansible')[0]
    site.add_resource_attributes('ecs-west', {'used_tb': '1'})
    now = datetime.datetime.now(datetime.timezone.utc)
    for resource, name, who, hours in (('ecs-east', 'capacity_tb', user, 2), ('ecs-west', 'used_tb', None, 100)):
        attribute = models.ResourceAttribute.objects.get(resource__name=resource, resource_attribute_type__name=name)
        attribute._change_reason = SYNC_REASON  # pylint: disable=protected-access
        attribute._history_user = who  # pylint: disable=protected-access
        attribute.save()
        newest = models.ResourceAttribute.history.filter(id=attribute.pk).order_by('-history_id').first()
        models.ResourceAttribute.history.filter(history_id=newest.history_id).update(
            history_date=now - datetime.timedelta(hours=hours))


def without_sections(html_path, tmp_path, sections):
    """A copy of the page without these ``<section id=...>`` (the policy still holds: style and script unchanged)."""
    with open(html_path) as handle:
        page = handle.read()
    for section in sections:
        start = page.index('<section id="%s">' % section)
        page = page[:start] + page[page.index('</section>', start) + len('</section>'):]
    path = tmp_path / ('without-%s.html' % '-'.join(sections))
    path.write_text(page)
    return 'file://%s' % path


def screenshot(chromium, url, name, tmp_path, height):
    """A small PNG of the page's top ``height`` pixels (1400 wide) into docs/images."""
    png = chromium.screenshot(url, str(tmp_path / name), width=1400, height=height)
    os.makedirs(IMAGES, exist_ok=True)
    return shutil.copyfile(png, os.path.join(IMAGES, name))


def test_report_judges_like_sync_and_shows_last_sync(coldfront_site, chromium, tmp_path):
    site = coldfront_site
    ids = add_allocations(site)
    record_syncs(site)
    output = tmp_path / 'reports'
    result = run_playbook('playbooks/report.yml', env=site.env, extra_vars={
        'ecs_report_output_dir': str(output), 'ecs_report_stale_after_hours': 48})
    assert result.rc == 0, result.output
    written = result.results('Write the usage report')[0]
    html_path = written['files']['html']
    with open(os.path.join(os.path.dirname(html_path), 'report.json')) as handle:
        data = json.load(handle)

    rows = dict((row['id'], row) for row in data['allocations'])
    tenth, raised, negative = rows[ids['tenth']], rows[ids['raised']], rows[ids['negative']]
    assert (tenth['limit'], tenth['enforced'], tenth['level'], tenth['percent'], tenth['quota_state']) == (
        0.1, 0.1006, 'warning', 99.46, 'agreed')
    assert (raised['limit'], raised['enforced'], raised['agreed'], raised['quota_state'], raised['level']) == (
        2, 1, 1, 'pending_push', 'exceeded')
    assert (negative['level'], negative['limit'], negative['problems']) == (
        'invalid', None, ['Storage Quota (TB) value -5 is negative (only -1 means unlimited)'])
    assert any('Negative Lab' in warning for warning in data['warnings'])
    # One alert per allocation at or over the threshold, and the report's counts are its alerts'.
    allocation_alerts = [alert for alert in data['alerts'] if alert['kind'] != 'resource']
    assert sorted(alert['allocation_id'] for alert in allocation_alerts) == sorted(
        row['id'] for row in data['allocations'] if row['level'] in ('warning', 'exceeded'))
    assert data['totals']['alerts'] == len(data['alerts']) == written['summary']['totals']['alerts']

    # Last sync per resource and the stale-data alerts (task warnings too).
    last = dict((entry['name'], (entry['last_sync'], entry['stale'])) for entry in data['resources'])
    assert last['ecs-east'][0]['user'] == 'svc-ansible' and last['ecs-east'][0]['reason'] == SYNC_REASON
    assert last['ecs-east'][1] is False
    assert last['ecs-west'][0]['user'] is None and last['ecs-west'][1] is True
    assert last['ECS-Archive'] == (None, True)
    assert sorted(alert['resource'] for alert in data['stale']) == ['ECS-Archive', 'ecs-west']
    assert sorted(alert['resource'] for alert in written['stale']) == ['ECS-Archive', 'ecs-west']
    assert data['stale_after_hours'] == 48 and data['totals']['stale'] == 2

    # The page, after its script ran in Chromium.
    page = parse_html(chromium.dump_dom('file://' + html_path))
    headers = [th.text() for th in page.find('table', id='allocation-table').find_all('th')]
    assert headers[4:9] == ['Usage (TB)', 'Requested (TB)', 'Enforced (TB)', 'Agreed (TB)', 'Used % of enforced']
    shown = dict((row.attrs['data-id'], row) for row, _cells in table_rows(page, 'allocation-table'))
    raised_row = shown[str(ids['raised'])]
    assert [raised_row.find('td', data_field=key).text() for key in ('limit', 'enforced', 'agreed', 'percent')] == [
        '2', '1', '1', '150%']
    assert raised_row.find('span', cls='pending_push').text() == 'pending push'
    assert shown[str(ids['negative'])].classes == ['level-invalid']
    syncs = dict((row.attrs['data-resource'], row.find('td', data_field='last-sync').text())
                 for row, _cells in table_rows(page, 'resource-table'))
    assert syncs['ecs-east'].endswith('by svc-ansible: %s' % SYNC_REASON)
    assert 'by no history user' in syncs['ecs-west'] and syncs['ECS-Archive'] == 'never'
    assert len(page.find_all('li', cls='stale')) == 2

    if site.kind == 'sqlite':  # one set of pictures for the docs
        pictures = (('report-alerts.png', 'file://' + html_path, 560),
                    ('report-allocations.png', without_sections(html_path, tmp_path, (
                        'alerts', 'resources', 'resource-charts', 'top-charts')), 620))
        for name, url, height in pictures:
            path = screenshot(chromium, url, name, tmp_path, height)
            with open(path, 'rb') as handle:
                content = handle.read()
            assert content.startswith(b'\x89PNG') and 5000 < len(content) < 250000
