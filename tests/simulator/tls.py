"""A private CA and a server certificate for the simulator (generated with `cryptography` when absent)."""

import datetime
import fcntl
import ipaddress
import os
import ssl
import tempfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALIDITY = datetime.timedelta(days=3650)


def _write(path, data, mode=0o644):
    """Atomic write (several simulators may share a directory)."""
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path))
    with os.fdopen(handle, 'wb') as stream:
        stream.write(data)
    os.chmod(temporary, mode)
    os.replace(temporary, path)


def _san_entry(name):
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _certificate(subject, issuer, public_key, signing_key, extensions):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + VALIDITY))
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(signing_key, hashes.SHA256())


def _pem_key(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, 'ECS simulator'),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _load_ca(directory):
    with open(os.path.join(directory, 'ca.pem'), 'rb') as stream:
        certificate = x509.load_pem_x509_certificate(stream.read())
    with open(os.path.join(directory, 'ca.key'), 'rb') as stream:
        key = serialization.load_pem_private_key(stream.read(), password=None)
    return certificate, key


def _make_ca(directory):
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name('ECS simulator test CA')
    certificate = _certificate(name, name, key.public_key(), key, [
        (x509.BasicConstraints(ca=True, path_length=0), True),
        (x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                       key_encipherment=False, data_encipherment=False, key_agreement=False,
                       encipher_only=False, decipher_only=False), True),
        (x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)])
    _write(os.path.join(directory, 'ca.key'), _pem_key(key), 0o600)
    _write(os.path.join(directory, 'ca.pem'), certificate.public_bytes(serialization.Encoding.PEM))
    return certificate, key


def _covers(path, names):
    """True when the certificate at `path` lists every name in its SAN."""
    try:
        with open(path, 'rb') as stream:
            certificate = x509.load_pem_x509_certificate(stream.read())
        sans = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, x509.ExtensionNotFound):
        return False
    return all(_san_entry(name) in sans for name in names)


def server_context(directory, host, *more_hosts):
    """A server SSLContext from `directory`'s server.pem/server.key, created first when missing.

    Generated server certificates name `host` (and `more_hosts`: every address of a federation), 127.0.0.1 and
    localhost. When an existing one does not name them all, it is re-issued by the same CA (one ca.pem serves
    simulators on several loopback addresses); certificates supplied without the CA key (ca.key) are used as
    they are.
    """
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, '.lock'), 'w', encoding='utf-8') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _ca_path, cert_path, key_path = _ensure(directory, host, more_hosts)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(cert_path, key_path)
        return context


def _ensure(directory, host, more_hosts=()):
    """ensure_certificates with the directory lock held."""
    ca_path, cert_path, key_path = (os.path.join(directory, name) for name in ('ca.pem', 'server.pem', 'server.key'))
    names = list(dict.fromkeys([host, *more_hosts, '127.0.0.1', 'localhost']))
    have_all = all(os.path.exists(path) for path in (ca_path, cert_path, key_path))
    if have_all and (_covers(cert_path, names) or not os.path.exists(os.path.join(directory, 'ca.key'))):
        return ca_path, cert_path, key_path
    if os.path.exists(os.path.join(directory, 'ca.key')) and os.path.exists(ca_path):
        ca_certificate, ca_key = _load_ca(directory)
    else:
        ca_certificate, ca_key = _make_ca(directory)
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = _certificate(_name(host), ca_certificate.subject, key.public_key(), ca_key, [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (x509.SubjectAlternativeName([_san_entry(name) for name in names]), False),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
        (x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False)])
    _write(key_path, _pem_key(key), 0o600)
    _write(cert_path, certificate.public_bytes(serialization.Encoding.PEM))
    return ca_path, cert_path, key_path
