"""pytest fixtures for the throwaway ColdFront (star-imported by tests/conftest.py).

* ``coldfront_site``: a fresh copy of the ``default`` dataset for each test (SQLite file copy, or a
  PostgreSQL ``CREATE DATABASE ... TEMPLATE`` copy when ``COLDFRONT_TEST_DB=postgresql``).
* ``coldfront_site_factory(dataset='bare', db=None)``: more sites, other datasets, in one test.
* ``coldfront_templates``: session-scoped; builds (or finds cached) templates once.

Mark tests that use them ``@pytest.mark.coldfront``: ``make postgres-tests`` re-runs exactly those on
PostgreSQL.  When ``COLDFRONT_TEST_DB=postgresql`` and the server is down, the fixtures raise: the
tests fail, they never skip.
"""

import pytest

from support.coldfront_site import ColdFrontSite, PostgresBackend, default_db_kind, ensure_template

__all__ = ['coldfront_templates', 'coldfront_site', 'coldfront_site_factory']


@pytest.fixture(scope='session')
def coldfront_templates():
    """Build the default template once per session; returns ``ensure_template`` for other datasets."""
    if default_db_kind() == 'postgresql':
        PostgresBackend().drop_orphans()
    ensure_template('default')
    return ensure_template


@pytest.fixture
def coldfront_site_factory(coldfront_templates, tmp_path):  # pylint: disable=redefined-outer-name,unused-argument
    """``make(dataset='default', db=None)`` -> a new :class:`ColdFrontSite`, destroyed after the test."""
    sites = []

    def make(dataset='default', db=None):
        site = ColdFrontSite.create(str(tmp_path / ('coldfront-%d' % len(sites))), db=db or default_db_kind(),
                                    dataset=dataset)
        sites.append(site)
        return site

    yield make
    for site in sites:
        site.destroy()


@pytest.fixture
def coldfront_site(coldfront_site_factory):  # pylint: disable=redefined-outer-name
    """A fresh ColdFront (dataset ``default``) for this test."""
    return coldfront_site_factory('default')
