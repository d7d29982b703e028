# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AD/LDAP group of a new namespace's group mapping: a template over the project, and the names a directory takes.

A template is text with placeholders, each replaced once by a project value; the values are never read again, so a
project title such as ``{pi}`` or ``{{ lookup(...) }}`` stays that text. No Jinja, no ``str.format``: ColdFront text
is untrusted.

* ``{title}``: the project title, unchanged (the default template: the reference deployment maps the raw title);
* ``{pi}``: the PI's user name; ``{project_id}``: the project id;
* ``{attr:NAME}``: the value of the project attribute ``NAME`` (ColdFront ``ProjectAttribute``).

Any other ``{...}``, and a ``{`` or ``}`` outside a placeholder, make the template invalid.

The result is checked against one of two rule sets (docs/inventory.md says where they come from):

* ``ldap`` (default): what a directory can hold as a group name at all: 1-256 characters, not only spaces, no
  control characters;
* ``ad``: what Active Directory accepts as a group name: 1-64 characters, none of ``" / \\ [ ] : ; | = , + * ? < >``,
  no control character, no space at either end, no ``.`` at the end.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

DEFAULT_TEMPLATE = '{title}'
LDAP, AD = 'ldap', 'ad'
RULES = (LDAP, AD)
DEFAULT_RULES = LDAP
# Placeholders taken from the project record (``_coldfront/access`` allocation records: ``project``).
FIELDS = {'title': 'title', 'pi': 'pi', 'project_id': 'id'}
ATTRIBUTE_PREFIX = 'attr:'

_PLACEHOLDER = re.compile(r'\{([^{}]*)\}')
_CONTROL = re.compile(u'[\x00-\x1f\x7f]')
# SAM-Account-Name (sAMAccountName) refuses these characters.
AD_FORBIDDEN = '"/\\[]:;|=,+*?<>'
# Longest group name: Windows group names (256); AD's cn (Common-Name, rangeUpper 64), the name a group is made with.
MAX_LENGTH = {LDAP: 256, AD: 64}


class GroupTemplateError(ValueError):
    """A template that cannot be used for any project (a setting to fix, not an allocation's data)."""


class GroupNameError(ValueError):
    """A group name (rendered or given) that the directory would not accept, or a template value that is missing."""


def parse_template(template):
    """``[(kind, text)]`` of ``template``: ``('text', ...)``, ``('field', key)``, ``('attr', name)``; raises."""
    if not isinstance(template, str) or not template.strip():
        raise GroupTemplateError('group_template %r is empty: give a template such as {title}' % (template,))
    parts, position = [], 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(('text', template[position:match.start()]))
        parts.append(_placeholder(template, match.group(1)))
        position = match.end()
    parts.append(('text', template[position:]))
    parts = [part for part in parts if part != ('text', '')]
    stray = [text for kind, text in parts if kind == 'text' and ('{' in text or '}' in text)]
    if stray:
        raise GroupTemplateError('group_template %r has a "{" or "}" outside a placeholder (%r): placeholders are %s'
                                 % (template, stray[0], placeholders_text()))
    return parts


def _placeholder(template, name):
    if name in FIELDS:
        return ('field', name)
    if name.startswith(ATTRIBUTE_PREFIX) and name[len(ATTRIBUTE_PREFIX):].strip():
        return ('attr', name[len(ATTRIBUTE_PREFIX):])
    raise GroupTemplateError('group_template %r has an unknown placeholder {%s}: placeholders are %s'
                             % (template, name, placeholders_text()))


def placeholders_text():
    return ', '.join(['{%s}' % name for name in sorted(FIELDS)] + ['{attr:NAME} (a project attribute)'])


def template_attributes(template):
    """The project attribute names ``template`` uses (what the read model must load), in order; ``[]`` if invalid."""
    try:
        parts = parse_template(template)
    except GroupTemplateError:
        return []
    names = []
    for kind, text in parts:
        if kind == 'attr' and text not in names:
            names.append(text)
    return names


def render(template, project):
    """The group ``template`` gives for ``project`` (a read-model project record with ``attributes``); raises.

    A placeholder whose value is missing or empty raises :class:`GroupNameError`; values are inserted as they are.
    """
    values, project = [], project or {}
    for kind, text in parse_template(template):
        if kind == 'text':
            values.append(text)
            continue
        value = project.get(FIELDS[text]) if kind == 'field' else (project.get('attributes') or {}).get(text)
        if value is None or str(value) == '':
            what = '{%s}' % text if kind == 'field' else 'the project attribute %r' % text
            raise GroupNameError('%s is not set on the project %r (set it there)' % (what, project.get('title')))
        values.append(str(value))
    return ''.join(values)


def check_group(name, rules=DEFAULT_RULES):
    """``name`` if a directory under ``rules`` (``ldap`` or ``ad``) accepts it as a group name, else GroupNameError."""
    if rules not in RULES:
        raise GroupTemplateError('group_name_rules %r is not one of %s' % (rules, ', '.join(RULES)))
    problem = _problem(name, rules)
    if problem:
        raise GroupNameError('%r is not a valid %s group name: %s' % (name, rules.upper(), problem))
    return name


def _problem(name, rules):
    if not isinstance(name, str) or not name.strip():
        return 'it is empty'
    if len(name) > MAX_LENGTH[rules]:
        return 'it has %d characters, the limit is %d' % (len(name), MAX_LENGTH[rules])
    if _CONTROL.search(name):
        return 'it contains a control character'
    if rules == LDAP:
        return None
    forbidden = sorted(set(char for char in name if char in AD_FORBIDDEN))
    if forbidden:
        return 'it contains %s (AD refuses any of %s)' % (' '.join(forbidden), ' '.join(AD_FORBIDDEN))
    if name != name.strip():
        return 'it starts or ends with a space'
    if name.endswith('.'):
        return 'it ends with "."'
    return None
