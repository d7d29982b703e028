"""`make demo` (tools/demo.py) on this checkout, twice in a row: every step passes, the table is printed, the
second run starts afresh, and no simulator is left running."""

import os
import subprocess
import sys

import pytest

from support.ansible_run import REPO

pytestmark = pytest.mark.simulator

STEPS = ('setup', 'provision', 'sync', 'sync again', 'report')


def simulators_of(directory):
    """Command lines of running simulator processes started for ``directory`` (their --cert-dir is in it)."""
    found = []
    for pid in os.listdir('/proc'):
        try:
            with open('/proc/%s/cmdline' % pid, 'rb') as handle:
                command = handle.read().replace(b'\0', b' ').decode('utf-8', 'replace')
        except OSError:
            continue
        if 'ecs_sim.py' in command and directory in command:
            found.append(command)
    return found


def run_demo(directory):
    proc = subprocess.run([sys.executable, os.path.join(REPO, 'tools', 'demo.py'), '--dir', directory], cwd=REPO,
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return proc.stdout


def test_demo_runs_twice_and_stops_what_it_started(tmp_path):
    directory = str(tmp_path / 'demo')
    for run in (1, 2):
        output = run_demo(directory)
        for step in STEPS:
            assert '==> %s:' % step in output, (run, step, output)
        assert output.count('    ok;') == len(STEPS), output
        assert 'nothing written (playbooks/sync.yml)\n    ok; 0 task results changed something' in output
        rows = dict((line.split()[0], line) for line in output.splitlines() if line[:1].isdigit())
        assert 'smith-lab' in rows['1'] and 'lab-smith-lab-bucket' in rows['1'] and '42 %' in rows['1']
        assert 'jones-genomics' in rows['2'] and '95 %' in rows['2']
        assert os.path.exists(os.path.join(directory, 'report', 'latest', 'report.html'))
        assert simulators_of(directory) == []
