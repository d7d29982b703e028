"""Headless Chromium for the usage report tests (Debian's ``chromium``, installed by tools/ensure_chromium.sh)."""

import os
import subprocess

import pytest

from support.ansible_run import REPO

FLAGS = ('--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--disable-sync', '--no-first-run', '--disable-default-apps', '--disable-extensions', '--mute-audio',
         '--hide-scrollbars')


class Chromium:
    """Open local pages in a fresh headless Chromium profile: dump the DOM after scripts ran, or screenshot."""

    def __init__(self, binary, profile):
        self.binary = binary
        self.profile = profile

    def _run(self, url, *args):
        command = [self.binary] + list(FLAGS) + ['--user-data-dir=%s' % self.profile] + list(args) + [url]
        proc = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
        assert proc.returncode == 0, 'chromium failed (rc %d): %s' % (proc.returncode, proc.stderr[-2000:])
        return proc

    def dump_dom(self, url):
        """The serialized DOM once the page has loaded and its scripts have run."""
        return self._run(url, '--dump-dom').stdout

    def screenshot(self, url, path, width=1280, height=2000):
        self._run(url, '--screenshot=%s' % path, '--window-size=%d,%d' % (width, height))
        return path


@pytest.fixture(scope='session')
def chromium(tmp_path_factory):
    """A :class:`Chromium`; installs the Debian package first when missing (fails, never skips, without it)."""
    proc = subprocess.run([os.path.join(REPO, 'tools', 'ensure_chromium.sh')], capture_output=True, text=True,
                          timeout=900, check=False)
    assert proc.returncode == 0, 'tools/ensure_chromium.sh failed: %s%s' % (proc.stdout, proc.stderr)
    binary = proc.stdout.strip().splitlines()[-1]
    return Chromium(binary, str(tmp_path_factory.mktemp('chromium-profile')))
