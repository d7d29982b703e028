"""EcsModule.run: the client is always exited (logged out), and its warnings (a failed logout) reach the result,
whether the work succeeded or failed."""

import types

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible import ecs_module
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.errors import EcsApiError
from support import module_main

LOGOUT_WARNING = 'https://ecs.example:4443: GET /logout failed (HTTP 500)'


class FakeClient:
    """What run uses of an EcsClient; its logout fails (a warning, never an exception)."""

    validate_certs = True
    base_url = 'https://ecs.example:4443'

    def __init__(self):
        self.calls, self.warnings, self.exits = 0, [], []

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.exits.append(exc_info[0])
        self.warnings.append(LOGOUT_WARNING)
        return False


def warnings(result):
    """The texts of the result's warnings (ansible-core 2.19+ returns each as a structured summary)."""
    return [entry['event']['msg'] if isinstance(entry, dict) else entry for entry in result.get('warnings', [])]


def run(monkeypatch, capsys, work):
    """The result of an EcsModule running ``work`` on a FakeClient, and the client."""
    client = FakeClient()
    monkeypatch.setattr(ecs_module, 'client_from_params', lambda params: client)
    module = types.SimpleNamespace(main=lambda: ecs_module.EcsModule({}).run(work))
    return module_main.run_main(module, monkeypatch, capsys, host='ecs.example', username='u', password='p'), client


def test_success_logs_out_and_reports_the_logout_warning(monkeypatch, capsys):
    def work(client):
        client.calls = 3
        return {'changed': False}

    result, client = run(monkeypatch, capsys, work)
    assert (result['changed'], result['ecs_calls'], client.exits) == (False, 3, [None])
    assert warnings(result) == [LOGOUT_WARNING]


def test_a_failure_still_logs_out_and_reports_the_logout_warning(monkeypatch, capsys):
    def work(client):
        client.calls = 2
        raise EcsApiError('GET /object/namespaces failed', status=500, code=7000, method='GET',
                          path='/object/namespaces')

    result, client = run(monkeypatch, capsys, work)
    assert result['failed'] and (result['error']['status'], result['ecs_calls']) == (500, 2)
    assert client.exits == [EcsApiError] and warnings(result) == [LOGOUT_WARNING]
