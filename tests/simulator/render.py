"""Content negotiation: XML unless JSON is asked for; request bodies in JSON or XML."""

import json
from xml.etree import ElementTree
from collections import defaultdict

from .errors import bad_body

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
SUFFIXES = ('.json', '.xml')


def split_suffix(path):
    """(path without a .json/.xml suffix, 'json'|'xml'|'')."""
    for suffix in SUFFIXES:
        if path.endswith(suffix) and len(path) > len(suffix) + 1:
            return path[:-len(suffix)], suffix[1:]
    return path, ''


def wants_json(accept, suffix):
    """JSON with a .json suffix or `Accept: application/json`; XML otherwise (no Accept, */*, XML)."""
    if suffix:
        return suffix == 'json'
    return 'application/json' in (accept or '').lower()


def encode(body, root, as_json):
    """(bytes, content type) of a response body; (b'', None) when there is none."""
    if body is None:
        return b'', None
    if as_json:
        return json.dumps(body).encode('utf-8'), 'application/json'
    element = ElementTree.Element(root or 'response')
    _fill(element, body)
    return XML_DECLARATION + ElementTree.tostring(element, encoding='utf-8', xml_declaration=False), 'application/xml'


def _fill(element, value):
    """JAXB-like: object keys become child elements, list items repeat the element, nulls are left out."""
    if isinstance(value, dict):
        for key, item in value.items():
            for entry in item if isinstance(item, list) else [item]:
                if entry is not None:
                    _fill(ElementTree.SubElement(element, key), entry)
    elif isinstance(value, bool):
        element.text = 'true' if value else 'false'
    else:
        element.text = str(value)


def parse_body(raw, content_type=''):
    """A request body as Python data: JSON, or an XML document as a dict of its root's children."""
    if not raw or not raw.strip():
        return None
    try:
        text = raw.decode('utf-8')
    except UnicodeDecodeError:
        raise bad_body('The request body is not UTF-8') from None
    if 'xml' in (content_type or '').lower() or text.lstrip().startswith('<'):
        try:
            return _from_xml(ElementTree.fromstring(text))
        except ElementTree.ParseError as error:
            raise bad_body('The request body is not well-formed XML: %s' % error) from None
    try:
        return json.loads(text)
    except ValueError as error:
        raise bad_body('The request body is not valid JSON: %s' % error) from None


def _from_xml(element):
    """Element to data: text for leaves, dict for parents (repeated children become lists)."""
    children = list(element)
    if not children:
        return (element.text or '').strip()
    grouped = defaultdict(list)
    for child in children:
        grouped[child.tag].append(_from_xml(child))
    return {tag: items[0] if len(items) == 1 else items for tag, items in grouped.items()}
