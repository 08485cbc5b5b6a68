"""RSS 2.0 and Atom 1.0 feed types whose every character of text is fit for XML 1.0.

Django's feed writer (django.utils.feedgenerator) refuses a C0 control character with
UnserializableContentError, which answers the whole feed with a 500, and lets U+FFFE,
U+FFFF and lone surrogates through into a feed readers reject as not well-formed. One
stray character in one reader's comment or one imported title would take down the feed.

Rather than clean each field a Feed class hands over (and miss the next one added), the
XML writer itself cleans: `XmlSafeGenerator` passes all character data and attribute
values through `xmltext.xml_safe`, so whatever Django or a Feed puts in the document is
cleaned on the way out. Use `feed_type = XmlSafeRssFeed` (the default type's place) or
`XmlSafeAtomFeed` on a `django.contrib.syndication.views.Feed`.
"""

from __future__ import annotations

from typing import Any

from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.xmlutils import SimplerXMLGenerator

from broadsheet.lib.xmltext import xml_safe


class XmlSafeGenerator(SimplerXMLGenerator):
    """Django's XML writer, with text and attribute values cleaned by `xml_safe`.

    Element names, the XML declaration and processing instructions come from code, not
    from anyone's typing, and are written as they are."""

    def characters(self, content: Any) -> None:
        # SimplerXMLGenerator raises on a control character; once cleaned there is none.
        super().characters(xml_safe(str(content)) if content else content)

    def ignorableWhitespace(self, content: Any) -> None:
        super().ignorableWhitespace(xml_safe(str(content)) if content else content)

    def startElement(self, name: str, attrs: Any) -> None:
        if attrs:
            attrs = {key: xml_safe(str(value)) for key, value in attrs.items()}
        super().startElement(name, attrs)


# The two write() methods below are Django 5.2's, with the generator swapped: they build
# their SimplerXMLGenerator inline, so there is no hook to give them another one.
# tests/publishing/test_xml_outputs.py checks the output matches Django's for clean text,
# which catches a Django upgrade that changes them.


class XmlSafeRssFeed(Rss201rev2Feed):
    def write(self, outfile: Any, encoding: str) -> None:
        handler = XmlSafeGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        self.add_stylesheets(handler)
        handler.startElement("rss", self.rss_attributes())
        handler.startElement("channel", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        self.endChannelElement(handler)
        handler.endElement("rss")


class XmlSafeAtomFeed(Atom1Feed):
    def write(self, outfile: Any, encoding: str) -> None:
        handler = XmlSafeGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")
