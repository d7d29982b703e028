"""HTTPS with a verifiable CA, the READY line, and several simulators on loopback addresses."""

import ssl
import subprocess
import sys

import pytest
import requests
from cryptography import x509

from support.simulator import SCRIPT

pytestmark = pytest.mark.simulator


def test_certificate_verifies_against_the_ca_and_names_the_host(ecs_sim):
    response = requests.get(ecs_sim.url + '/login', auth=ecs_sim.admin, verify=ecs_sim.ca_path, timeout=10)
    assert response.status_code == 200
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(ecs_sim.url + '/login', verify=True, timeout=10)  # system CAs do not know it
    pem = ssl.get_server_certificate((ecs_sim.host, ecs_sim.port))
    names = x509.load_pem_x509_certificate(pem.encode()).extensions.get_extension_for_class(
        x509.SubjectAlternativeName).value
    assert 'localhost' in names.get_values_for_type(x509.DNSName)
    assert '127.0.0.1' in [str(ip) for ip in names.get_values_for_type(x509.IPAddress)]


def test_plain_http_is_not_served(ecs_sim):
    with pytest.raises(requests.ConnectionError):
        requests.get('http://%s:%d/login' % (ecs_sim.host, ecs_sim.port), timeout=5)
    assert requests.get(ecs_sim.url + '/object/capacity', verify=ecs_sim.ca_path, timeout=10).status_code == 401


def test_a_second_endpoint_on_another_loopback_address_shares_the_ca(ecs_sim, ecs_sim_factory):
    other = ecs_sim_factory(host='127.0.0.2')
    assert other.url.startswith('https://127.0.0.2:')
    assert other.ca_path == ecs_sim.ca_path
    other.seed({'namespaces': {'only-here': {}}})
    assert other.api().get('/object/namespaces/namespace/only-here').status_code == 200
    assert ecs_sim.api().get('/object/namespaces/namespace/only-here').status_code == 400
    assert requests.get(ecs_sim.url + '/login', auth=ecs_sim.admin, verify=ecs_sim.ca_path, timeout=10).ok


def test_ready_line_without_cert_dir(tmp_path):
    process = subprocess.Popen([sys.executable, SCRIPT, '--port', '0'], stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith('READY https://127.0.0.1:') and int(line.rsplit(':', 1)[1]) > 0
    finally:
        process.terminate()
        process.wait(10)


def test_bad_command_line_exits_with_an_error():
    result = subprocess.run([sys.executable, SCRIPT, '--users', 'nopassword'], capture_output=True, text=True,
                            timeout=30, check=False)
    assert result.returncode == 2
    assert 'bad --users entry' in result.stderr
