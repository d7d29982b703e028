"""Names and units: the naming and unit rules of docs/quotas.md and docs/inventory.md, exactly."""

import pytest

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import naming, units


@pytest.mark.parametrize('title, expected', [
    ('Angular momentum in QGP holography', 'angular-momentum-in-qgp-holography'),
    ('  Lab__of  Dr. Müller!! ', 'lab-of-dr-m-ller'),
    ('---x---', 'x'),
    ('a' * 80, 'a' * 63),
    ('a' * 62 + ' b', 'a' * 62),
])
def test_slug(title, expected):
    assert naming.slugify(title) == expected


def test_namespace_from_title_and_override():
    assert naming.derive_namespace('Smith Lab') == 'smith-lab'
    assert naming.derive_namespace('Smith Lab', override='smith-ns') == 'smith-ns'


@pytest.mark.parametrize('bad', ['', 'UPPER', '../etc', 'a%2Fb', 'with space', 'ünï', 'a' * 64, '-lead', 'trail-'])
def test_namespace_override_refused(bad):
    if bad == '':
        assert naming.derive_namespace('x', override=bad) == 'x'
        return
    with pytest.raises(naming.InvalidName, match='not a valid namespace name'):
        naming.derive_namespace('Smith Lab', override=bad)


def test_empty_slug_is_refused_not_defaulted():
    with pytest.raises(naming.InvalidName, match='empty after slugging'):
        naming.derive_namespace('!!!')


def test_bucket_names():
    assert naming.derive_bucket('smith-lab') == 'lab-smith-lab-bucket'
    assert len(naming.derive_bucket('a' * 63)) == 63
    with pytest.raises(naming.InvalidName):
        naming.derive_bucket('smith-lab', override='ab')
    assert naming.subdirectory('ns', 'b') == 'ns:b'


def test_units():
    assert units.gb_to_tb(10240) == 10
    assert units.gb_to_tb(-1) == -1
    assert units.tb_to_gb(1.5) == 1536
    assert units.tb_to_gb(0.0001) == 1
    assert units.tb_to_bytes(2) == 2 * 1024 ** 4
    assert units.kb_to_bytes(3) == 3072
    assert units.kb_to_tb(1024 ** 3) == 1.0
    assert units.soft_quota_gb(100) == 90
    assert units.soft_quota_gb(1) == 1
    assert units.soft_quota_gb(-1) == -1
    assert units.format_number(10.0) == '10'
    assert units.format_number(0.0009765625) == '0.0009765625'
    assert units.same_number('10', 10.0)
    assert not units.same_number('abc', 10)
