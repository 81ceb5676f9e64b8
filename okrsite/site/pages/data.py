"""Machine-readable files published with the site: ``okrs.json``, its JSON
Schema, ``okrs.csv`` and the Atom feed ``feed.xml`` (see ``okrsite.render.exports``).

The model in the context is already redacted for the audience, so public
builds export no private objective (and ``exports`` checks again).
"""

from __future__ import annotations

from collections.abc import Iterable

from okrsite.render import exports, okrs_schema
from okrsite.render.feed import checkins_atom as feed_xml
from okrsite.site.checkindates import closed_checkin_spans
from okrsite.site.context import SiteContext
from okrsite.site.tree import GeneratedFile

OKRS_JSON = "okrs.json"
OKRS_SCHEMA = "export/okrs.schema.json"
OKRS_CSV = "okrs.csv"
FEED = "feed.xml"


def produce(ctx: SiteContext) -> Iterable[GeneratedFile]:
    # ``site_url`` makes feed links absolute when the options carry one;
    # without it they are relative to the feed, which lives at the site root.
    site_url = getattr(ctx.options, "site_url", None)
    if not isinstance(site_url, str) or not site_url.startswith(("https://", "http://")):
        site_url = None
    # A preview rebuild keeps the parts of units that did not change.
    memo = None if ctx.cache is None else ctx.cache.export_parts.memo(ctx.cache.shared)
    yield GeneratedFile(
        OKRS_JSON, exports.okrs_json(ctx.model, ctx.export_parts.get(OKRS_JSON), memo)
    )
    yield GeneratedFile(OKRS_SCHEMA, okrs_schema.okrs_json_schema_text())
    yield GeneratedFile(OKRS_CSV, exports.krs_csv(ctx.model, ctx.export_parts.get(OKRS_CSV), memo))
    feed = None if ctx.cache is None else ctx.cache.feed
    # Closed cycles' files are read only when they may hold one of the newest.
    spans = closed_checkin_spans(ctx)
    yield GeneratedFile(FEED, feed_xml(ctx.model, site_url, feed, spans))
