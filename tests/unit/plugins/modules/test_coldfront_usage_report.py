"""main() of coldfront_usage_report against a real ColdFront (in this process): the options reach the report job,
its files are written only when their content changes, and bad options fail before anything is read."""

import json
import os

import pytest

from ansible_collections.hpc.coldfront_ecs.plugins.modules import coldfront_usage_report
from support import module_main

pytestmark = pytest.mark.coldfront


def run_main(monkeypatch, capsys, site, **args):
    site.orm()
    return module_main.run_main(coldfront_usage_report, monkeypatch, capsys, db_url=site.db_url, **args)


def test_files_are_written_once_and_check_mode_writes_none(coldfront_site, monkeypatch, capsys, tmp_path):
    dest = str(tmp_path / 'report')
    checked = run_main(monkeypatch, capsys, coldfront_site, check=True, dest=dest, formats=['json', 'csv'])
    assert checked['changed'] and not os.path.exists(dest)

    first = run_main(monkeypatch, capsys, coldfront_site, dest=dest, formats=['json', 'csv'], mode='0640')
    assert first['changed'] and sorted(first['files']) == ['csv', 'json'] and 'report' not in first
    with open(first['files']['json']) as handle:
        written = json.load(handle)
    assert [entry['name'] for entry in first['summary']['resources']] == [
        entry['name'] for entry in written['resources']]
    assert oct(os.stat(first['files']['json']).st_mode & 0o777) == '0o640'


def test_attribute_names_reach_the_report(coldfront_site, monkeypatch, capsys):
    renamed = run_main(monkeypatch, capsys, coldfront_site, attribute_names={'quota_tb': 'No Such Quota'})
    assert not renamed['changed'] and renamed['report']['attributes']['quota_tb'] == 'No Such Quota'
    # every allocation now lacks its quota attribute: each is a data problem, none is reported as unlimited
    assert renamed['data_warnings'] and all('No Such Quota' in text for text in renamed['data_warnings'])


@pytest.mark.parametrize('args, field', [
    ({'attribute_names': {'quota': 'x'}}, 'quota'),
    ({'threshold': 90}, 'threshold'),
    ({'max_points': 1}, 'max_points'),
])
def test_bad_options_fail_before_anything_is_read(coldfront_site, monkeypatch, capsys, args, field):
    result = run_main(monkeypatch, capsys, coldfront_site, **args)
    assert result['failed'] and field in result['msg']


def test_forecast_settings_are_options(coldfront_site, monkeypatch, capsys):
    report = run_main(monkeypatch, capsys, coldfront_site, forecast_window_days=7, forecast_days=90)['report']
    assert report['forecast'] == {'window_days': 7, 'forecast_days': 90}
    refused = run_main(monkeypatch, capsys, coldfront_site, forecast_days=0)
    assert refused['failed'] and 'forecast_days' in refused['msg']
