# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Options shared by every module that reaches ColdFront through its Django models."""

    DOCUMENTATION = r'''
options:
  coldfront_env_file:
    description:
      - ColdFront environment file (the file the ColdFront service reads through C(COLDFRONT_ENV)), with
        C(DB_URL), C(SECRET_KEY) and the C(PLUGIN_*) settings of the site.
      - If not set, the environment variable E(COLDFRONT_ENV) is used; ColdFront also reads
        C(/etc/coldfront/coldfront.env) by itself.
      - Values already in the environment of the module process take precedence over the file.
    type: path
  db_url:
    description:
      - ColdFront database URL, for example C(postgresql://coldfront:secret@db.example.org:5432/coldfront)
        or C(sqlite:////srv/coldfront/coldfront.db).
      - If not set, the environment variable E(DB_URL) is used, then the env file.
      - When no C(DB_URL) is found at all the module warns, because ColdFront then uses C(coldfront.db) in the
        current directory; a missing SQLite file is an error, never created.
      - The password is never printed; messages show the URL as C(user:***@host).
    type: str
  settings_module:
    description:
      - Django settings module of the ColdFront site.
      - If not set, the environment variable E(DJANGO_SETTINGS_MODULE) is used.
    type: str
    default: coldfront.config.settings
requirements:
  - ColdFront 1.1.x (C(pip install 'coldfront>=1.1,<1.2')) and its Django, importable by the Python that runs the
    module (ColdFront's virtualenv, an execution environment, or the ColdFront host through C(delegate_to)).
  - The database driver of the site (for example C(psycopg2) for PostgreSQL).
notes:
  - The module sets Django up with ColdFront's settings in its own process (about one second), checks that
    ColdFront is 1.1.x and that the database schema is migrated, and writes through ColdFront's models.
  - ColdFront signals (provisioning plugins, e-mails) are not sent; ColdFront sends them from its web views only.
  - See the collection document C(docs/coldfront-modules.md) for the ways to reach ColdFront.
'''

    # For the modules that only read ColdFront.
    INFO = r'''
attributes:
  check_mode:
    support: full
    description: Reads only; runs in check mode too.
  diff_mode:
    support: none
    description: Nothing changes, so there is no diff.
'''

    # For the modules that write: check and diff mode, and how their history rows are attributed.
    HISTORY = r'''
attributes:
  check_mode:
    support: full
    description: Everything is read and validated, nothing is written; the result says what would change.
  diff_mode:
    support: full
    description: The diff shows the before and after of every changed item.
options:
  change_reason:
    description:
      - Text recorded in the change reason of every history row the module writes.
      - 'The reason reads C(hpc.coldfront_ecs: <module name>: <change_reason>), so the ColdFront history tells
        these writes from a person''s.'
      - Defaults to the name of the play (C(ansible_play_name); C(Ansible Ad-Hoc) for ad hoc commands), set by
        the module's action plugin. Without a play name the reason is just the collection and module name.
      - ColdFront keeps at most 100 characters of it.
    type: str
  history_user:
    description:
      - ColdFront user name recorded as the author of every history row the module writes.
      - The user must exist in ColdFront. If not set, the history rows have no user.
    type: str
'''
