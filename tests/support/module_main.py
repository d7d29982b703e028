"""Run a module's ``main()`` in this process, as Ansible would run it, and return its JSON result."""

import json

import pytest
from ansible.module_utils import _internal as module_internal
from ansible.module_utils import basic
from ansible.module_utils.common import warnings as module_warnings
from ansible.module_utils.common.text.converters import to_bytes


def run_main(module, monkeypatch, capsys, check=False, diff=False, **args):
    """``module.main()`` with ``args``; the result of its exit_json or fail_json."""
    args.update(_ansible_check_mode=check, _ansible_diff=diff, _ansible_remote_tmp='/tmp',
                _ansible_keep_remote_files=False)
    monkeypatch.setattr(basic, '_ANSIBLE_ARGS', to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args})))
    monkeypatch.setattr(basic, '_ANSIBLE_PROFILE', 'legacy', raising=False)
    monkeypatch.setattr(module_warnings, '_global_warnings', {})   # each run reports its own warnings only
    # Once a test of the process has loaded Ansible's controller side, warnings go to its display, not the result.
    monkeypatch.setattr(module_internal, 'is_controller', False)
    with pytest.raises(SystemExit):
        module.main()
    return json.loads(capsys.readouterr().out)
