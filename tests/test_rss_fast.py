"""The lxml fast path reads plain RSS 2.0 and Atom exactly as feedparser does, and leaves the rest."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from feeds import rss
from feeds.rss_fast import read_entries
from tests.fixtures.feeds.loopback import FIXTURES

NOW = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)

RSS_EDGE = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>K</title>
<item><title><![CDATA[Tilskudd til <b>velferdsteknologi</b> &amp; omsorg]]></title>
 <guid>https://example.org/sak/1</guid>
 <description>&lt;p&gt;S\xc3\xb8knadsfrist: 1. mars 2026 kl. 13.00&lt;/p&gt;</description>
 <content:encoded><![CDATA[<p>Lengre tekst om <i>midler</i>. S\xc3\xb8knadsfrist: 1. mars 2026 kl. 13.00.</p>]]></content:encoded>
 <category>Helse</category><category>Omsorg</category>
 <pubDate>Mon, 05 Jan 2026 10:00:00 +0100</pubDate></item>
<item><title>Uten lenke</title><guid isPermaLink="false">sak-2</guid>
 <description>Midler til klima. L\xc3\xb8pende s\xc3\xb8knadsfrist.</description>
 <dc:date>2026-01-06T08:00:00Z</dc:date></item>
<item><title>Relativ</title><link> /sak/3 </link><description>Frist 3. april.</description></item>
</channel></rss>"""

ATOM_EDGE = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
<entry><title type="html">Innovasjon &amp;lt;i&amp;gt;i&amp;lt;/i&amp;gt; kommunene</title>
 <link rel="self" href="https://example.org/self"/><link href="https://example.org/a/1"/>
 <id>tag:example.org,2026:1</id><updated>2026-01-04T10:00:00+01:00</updated>
 <summary type="html">&lt;p&gt;Frist 15. februar 2026.&lt;/p&gt;</summary>
 <category term="innovasjon"/></entry>
<entry><title>Kun innhold</title><link rel="alternate" href="https://example.org/a/2"/>
 <id>a-2</id><published>2026-01-03T10:00:00Z</published>
 <content type="html">&lt;div&gt;S\xc3\xb8knadsfrist 20. mars 2026&lt;/div&gt;</content></entry>
</feed>"""

LEFT_TO_FEEDPARSER = {
    "RSS 1.0": (FIXTURES / "rdf_rss1.xml").read_bytes(),
    "HTML entity (not XML)": RSS_EDGE.replace(b"&amp; omsorg", b"&nbsp;omsorg")
    .replace(b"<![CDATA[", b"")
    .replace(b"]]></title>", b"</title>"),
    "XHTML content": ATOM_EDGE.replace(
        b'<summary type="html">&lt;p&gt;Frist 15. februar 2026.&lt;/p&gt;</summary>',
        b'<summary type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Frist</p></div></summary>',
    ),
    "unclosed": b'<rss version="2.0"><channel><item><title>Brutt</title></channel></rss>',
}


def fields(parsed: Any) -> list[tuple[Any, ...]]:
    return [
        (
            i.key, i.title, i.url, i.summary, i.published, i.deadline, i.deadline_label, i.topic_text, i.fingerprint,
        )
        for i in parsed.items
    ]  # fmt: skip


@pytest.mark.parametrize(
    "body",
    [RSS_EDGE, ATOM_EDGE, (FIXTURES / "kdd_rss.xml").read_bytes(), (FIXTURES / "ks_atom.xml").read_bytes()],
    ids=["rss-edge", "atom-edge", "kdd", "ks"],
)
def test_the_fast_path_reads_as_feedparser_does(body: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    assert read_entries(body) is not None
    fast = rss.parse_feed(body, url="https://example.org/feed", content_type="application/rss+xml", now=NOW)
    monkeypatch.setattr(rss, "read_entries", lambda _body: None)
    slow = rss.parse_feed(body, url="https://example.org/feed", content_type="application/rss+xml", now=NOW)
    assert fields(fast) == fields(slow)
    assert fast.items


@pytest.mark.parametrize("body", list(LEFT_TO_FEEDPARSER.values()), ids=list(LEFT_TO_FEEDPARSER))
def test_what_the_fast_path_is_not_sure_of_goes_to_feedparser(body: bytes) -> None:
    assert read_entries(body) is None
