"""Passwords in connection strings of any shape are hidden by ``mask`` and refused DB_URL shapes show none of them."""

import pytest

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront import access
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.credentials import (
    credential_secrets, mask_credentials, url_shape_problem)

SECRET = 'Zq7-secretpw'


@pytest.mark.parametrize('text, masked', [
    ('postgresql://user:%s@db:5432/cf' % SECRET, 'postgresql://user:***@db:5432/cf'),
    ('postgres:/user:%s@host/db' % SECRET, 'postgres:/user:***@host/db'),
    ('postgresql//user:%s@h/db' % SECRET, 'postgresql//user:***@h/db'),
    ('postgres:user:%s@h/db' % SECRET, 'postgres:user:***@h/db'),
    ('user:%s@h/db' % SECRET, 'user:***@h/db'),
    ('mysql://user:Zq7@secret@pw@h/db', 'mysql://user:***@h/db'),                     # @ inside the password
    ('sqlite://coldfront:%s@//srv/cf.db' % SECRET, 'sqlite://coldfront:***@//srv/cf.db'),
    ('redis://:%s@cache:6379' % SECRET, 'redis://:***@cache:6379'),
    ('postgresql://user@db/cf?password=%s&sslmode=require' % SECRET,
     'postgresql://user@db/cf?password=***&sslmode=require'),
    ("host=db user=cf password=%s dbname=cf" % SECRET, 'host=db user=cf password=*** dbname=cf'),
    ('cannot reach (postgresql @localhost:default/user:%s@host/db): refused' % SECRET,
     'cannot reach (postgresql @localhost:***@host/db): refused'),
    ("{'url': 'https://admin:%s@ecs1'}" % SECRET, "{'url': 'https://admin:***@ecs1'}"),
])
def test_mask_hides_the_password_whatever_the_shape(text, masked):
    assert mask_credentials(text) == masked
    assert mask_credentials(masked) == masked               # masking twice changes nothing
    assert access.mask_url(text) == masked


@pytest.mark.parametrize('text', ['smith-lab:lab-smith-lab-bucket', 'pi@example.org', 'https://ecs1.example.org:4443',
                                  'GET /object/namespaces/namespace/lab-x failed (HTTP 404)', ''])
def test_text_without_credentials_is_unchanged(text):
    assert mask_credentials(text) == text


def test_passwords_are_remembered_in_every_shape_and_hidden_anywhere():
    """What the DB_URL holds is hidden even where a parser quoted it in pieces (django-environ's NAME field)."""
    assert credential_secrets('postgres:user:%s@h/db' % SECRET) == {SECRET}
    assert credential_secrets('postgresql://u:p%40ss@h/db') == {'p%40ss', 'p@ss'}
    assert credential_secrets('postgresql://u@h/db') == set()
    access._remember_secret_from_url('postgresql//user:%s@h/db' % SECRET)
    assert access.mask("Engine not recognized from url: {'NAME': 'ostgresql//user:%s@h/db'} %s" % (SECRET, SECRET)) == \
        "Engine not recognized from url: {'NAME': 'ostgresql//user:***@h/db'} ***"


@pytest.mark.parametrize('url, problem', [
    ('postgres:/user:%s@host/db' % SECRET, "it starts with 'postgres:/' where 'postgres://' was expected"),
    ('postgresql//user:%s@h/db' % SECRET, "it starts with 'postgresql//' where 'postgresql://' was expected"),
    ('postgres:user:%s@h/db' % SECRET, "it starts with 'postgres:' where 'postgres://' was expected"),
    ('%s@db/cf' % SECRET, 'it does not start with a scheme and "://"'),
    ('user:%s@db/cf' % SECRET, 'it does not start with a scheme and "://"'),
])
def test_db_url_that_is_no_url_is_refused_without_its_value(url, problem):
    assert url_shape_problem(url) == problem
    with pytest.raises(access.ColdFrontError) as info:
        access.check_db_url(url)
    message = str(info.value)
    assert message.startswith('DB_URL is not a database URL (%s; the value is not shown' % problem), message
    assert 'secretpw' not in message and 'Zq7' not in message


@pytest.mark.parametrize('url', [None, '', 'postgresql://cf:x@db:5432/cf', 'sqlite:////srv/cf.db', 'sqlite://:memory:',
                                 'mysql://cf@db/cf'])
def test_db_urls_of_the_right_shape_pass(url):
    assert url_shape_problem(url) is None
    access.check_db_url(url)
