"""Applying XML fragments and scripted edits to domain XML, as a reader's editor would."""

from __future__ import annotations

from collections.abc import Mapping

from lxml import etree

from relnotes.core.spec import Apply, ApplyMode, Edit

ELLIPSIS = "..."  # published fragments write "..." for "the element's other children"


class XmlError(ValueError):
    """Malformed XML or an edit that does not apply; the message has file:line:col when known."""


def parse(text: str, origin: str) -> etree._Element:
    parser = etree.XMLParser(remove_blank_text=False, resolve_entities=False, no_network=True)
    try:
        return etree.fromstring(text.encode(), parser)
    except etree.XMLSyntaxError as error:
        line, column = error.position
        raise XmlError(f"{origin}:{line}:{column}: {error.msg}") from None


def serialize(element: etree._Element) -> str:
    """The document ``element`` is the root of, with its DOCTYPE and the comments around it:
    what is validated must be what readers copy."""
    if element.getparent() is None:
        return etree.tostring(element.getroottree(), encoding="unicode") + "\n"
    return etree.tostring(element, encoding="unicode") + "\n"


def _strip_ellipsis(fragment: etree._Element, origin: str) -> None:
    for node in fragment.iter():
        for attr in ("text", "tail"):
            value = getattr(node, attr)
            if value and value.strip():
                if value.strip() != ELLIPSIS:
                    raise XmlError(f"{origin}: unexpected text {value.strip()!r}")
                setattr(node, attr, None)


def _one(root: etree._Element, xpath: str, what: str) -> etree._Element:
    found = root.xpath(xpath)
    if not isinstance(found, list) or not found or not isinstance(found[0], etree._Element):
        raise XmlError(f"{what}: XPath {xpath!r} matches no element of the guest")
    if len(found) > 1:
        raise XmlError(f"{what}: XPath {xpath!r} matches {len(found)} elements; make it unique")
    return found[0]


def apply_fragment(domain_xml: str, fragment_text: str, apply: Apply, origin: str) -> str:
    """Insert the fragment into the domain XML at ``apply.target``."""
    root = parse(domain_xml, "guest")
    fragment = parse(fragment_text, origin)
    if apply.ellipsis:
        _strip_ellipsis(fragment, origin)
    elif "..." in fragment_text:
        raise XmlError(f"{origin}: contains '...' but its spec does not set apply.ellipsis")
    target = _one(root, apply.target, origin)
    if apply.mode is ApplyMode.APPEND:
        target.append(fragment)
    elif apply.mode is ApplyMode.REPLACE:
        parent = target.getparent()
        if parent is None:
            root = fragment
        else:
            parent.replace(target, fragment)
    else:
        if fragment.tag != target.tag:
            raise XmlError(f"{origin}: <{fragment.tag}> cannot merge into <{target.tag}>")
        for name, value in fragment.attrib.items():
            if name not in apply.keep_attributes:
                target.set(name, value)
        for child in fragment:
            existing = target.find(child.tag)
            if existing is not None:
                target.replace(existing, child)
            else:
                target.append(child)
    return serialize(root)


def apply_edit(text: str, edit: Edit, snippet_texts: Mapping[str, str],
               fragments: Mapping[str, Apply], origin: str) -> str:
    """What the scripted editor writes back, given what the editor was offered."""
    if edit.replace:
        before_key, after_key = edit.replace
        before = snippet_texts[before_key].strip()
        after = snippet_texts[after_key].strip()
        count = text.count(before)
        if count != 1:
            raise XmlError(f"{before_key}: found {count} times in the XML offered to the editor"
                           f" (expected once): {before}")
        text = text.replace(before, after)
    if edit.delete or edit.set_text or edit.fragment:
        root = parse(text, origin)
        for xpath in edit.delete:
            found = root.xpath(xpath)
            if not isinstance(found, list) or not found:
                raise XmlError(f"{origin}: nothing to delete at {xpath!r}")
            for element in found:
                if isinstance(element, etree._Element) and element.getparent() is not None:
                    element.getparent().remove(element)  # type: ignore[union-attr]
        for xpath, value in edit.set_text.items():
            _one(root, xpath, origin).text = value
        text = serialize(root)
        if edit.fragment:
            text = apply_fragment(text, snippet_texts[edit.fragment], fragments[edit.fragment],
                                  edit.fragment)
    return text


def same_xml(first: str, second: str) -> bool:
    """Equal as XML documents, ignoring formatting whitespace."""
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    canonical = [etree.tostring(etree.fromstring(x.encode(), parser), method="c14n")
                 for x in (first, second)]
    return canonical[0] == canonical[1]
