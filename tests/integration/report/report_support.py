"""Helpers for the usage report tests (unit and integration): a small HTML DOM, read-model samples.

``parse_html(text)`` builds a tree of :class:`Node` with the standard library's HTMLParser, enough to
find elements by tag, class and attribute and read their text, in the page we render and in the DOM
that headless Chromium dumps after running the page's script.
"""

import datetime
from html.parser import HTMLParser

VOID = {'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr'}


class Node:
    def __init__(self, tag, attrs=None, parent=None):
        self.tag = tag
        self.attrs = dict(attrs or {})
        self.parent = parent
        self.children = []

    @property
    def classes(self):
        return (self.attrs.get('class') or '').split()

    def text(self):
        """All text below this node, whitespace collapsed."""
        parts = []

        def walk(node):
            for child in node.children:
                if isinstance(child, str):
                    parts.append(child)
                else:
                    walk(child)
        walk(self)
        return ' '.join(''.join(parts).split())

    def iter(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag=None, cls=None, **attrs):
        """Descendants with this tag, this class and these attribute values (``data_x`` -> ``data-x``)."""
        wanted = dict((key.rstrip('_').replace('_', '-'), value) for key, value in attrs.items())
        return [node for node in self.iter()
                if (tag is None or node.tag == tag) and (cls is None or cls in node.classes)
                and all(node.attrs.get(key) == value for key, value in wanted.items())]

    def find(self, tag=None, cls=None, **attrs):
        found = self.find_all(tag, cls, **attrs)
        assert found, 'no <%s class=%s %s>' % (tag, cls, attrs)
        return found[0]

    def __repr__(self):
        return '<%s %s>' % (self.tag, self.attrs)


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node('#document')
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, attrs, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse_html(text):
    builder = _Builder()
    builder.feed(text)
    builder.close()
    return builder.root


def table_rows(document, table_id):
    """``[(row node, [cell texts])]`` of a table's body."""
    table = document.find('table', id=table_id)
    body = table.find('tbody')
    return [(row, [cell.text() for cell in row.children if isinstance(cell, Node) and cell.tag in ('td', 'th')])
            for row in body.find_all('tr')]


# ---- read-model samples (the records coldfront.load_resources returns) -------------------------
NOW = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.timezone.utc)


def allocation(pk, title, limit, usage, namespace=None, pi='jsmith', extra=None, duplicates=()):
    """An allocation record with a ``Storage Quota (TB)`` (attribute id 1000 + pk) unless ``limit`` is None."""
    attributes = {}
    if limit is not None:
        attributes['Storage Quota (TB)'] = {'id': 1000 + pk, 'type': 'Float', 'value': limit, 'usage': usage}
    if namespace is not None:
        attributes['Namespace'] = {'id': 2000 + pk, 'type': 'Text', 'value': namespace, 'usage': None}
    attributes.update(extra or {})
    return {'id': pk, 'status': 'Active', 'project': {'id': 100 + pk, 'title': title, 'pi': pi, 'status': 'Active'},
            'resources': [], 'start_date': '2026-01-01', 'end_date': '2027-01-01', 'quantity': 1,
            'attributes': attributes, 'duplicate_attributes': list(duplicates)}


def resource(pk, name, allocations=(), **attributes):
    return {'id': pk, 'name': name, 'resource_type': 'Storage', 'description': '', 'is_available': True,
            'attributes': dict((key, str(value)) for key, value in attributes.items()), 'duplicate_attributes': [],
            'allocations': list(allocations)}


def sample_resources():
    """Two resources covering the cases: warning, exceeded, unlimited, zero limits, no usage, hostile title."""
    east = resource(1, 'ecs-east', [
        allocation(1, 'Smith Lab', '10', 9.0),                           # exactly 90 %: warning
        allocation(2, '<script>alert("x")</script> Lab', '20', 25.0),   # exceeded
        allocation(3, 'Big Lab', '-1', 12.0),                            # unlimited
        allocation(4, 'Zero Lab', '0', 1.0),                             # limit 0 with usage: exceeded, no %
        allocation(5, 'Empty Zero', '0', 0.0),                           # limit 0, nothing used: 0 %
        allocation(6, 'Jones Genomics', '30', 3.25, namespace='jones-genomics'),
        allocation(7, '=HYPERLINK("http://x")', '5', None),              # no usage recorded
    ], capacity_tb=50, used_tb=40.25)
    west = resource(2, 'ecs-west', [
        allocation(8, 'Patel Lab', '4', 1.23456789),
        allocation(9, 'No Quota Lab', None, None),
        allocation(10, 'Bad Quota Lab', 'ten', 1.0),
    ], capacity_tb=8)
    return [east, west]
