"""JSON Feed 1.1: plain JSON written to its spec."""
from __future__ import annotations

import json
import re

from .. import urls
from ..model import Site
from .catalogue import Feed
from .items import Item

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def json_feed(site: Site, feed: Feed, items: list[Item]) -> bytes:
    """JSON Feed 1.1 (jsonfeed.org/version/1.1): keys in a fixed order, `version` first as it asks."""
    config = site.config
    doc = {
        "version": JSON_FEED_VERSION,
        "title": feed.title,
        "home_page_url": urls.absolute(config, feed.page),
        "feed_url": urls.absolute(config, feed.files["json"]),
        "description": feed.description,
        "language": config.language,
        "authors": [{"name": config.title, "url": config.base_url}],
    }
    if config.extra["feeds"]["websub_hub"]:
        doc["hubs"] = [{"type": "WebSub", "url": config.extra["feeds"]["websub_hub"]}]
    doc["items"] = [json_item(site, i) for i in items]
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def json_item(site: Site, item: Item) -> dict:
    out = {"id": item.id, "url": item.url, "title": item.title}
    if item.html:
        out["content_html"] = item.html
    else:
        out["content_text"] = item.summary or item.title  # the spec needs one of the two
    out.update({"summary": item.summary, "date_published": item.published.isoformat(),
                "date_modified": item.updated.isoformat(),
                "authors": [{"name": p.name, "url": urls.absolute(site.config, urls.author(p.id))}
                            for p in item.authors],
                "tags": [term for term, _ in item.categories]})
    if item.language:  # JSON Feed 1.1: an item's own language, when it is not the feed's
        out["language"] = item.language
    # Custom objects start with an underscore (spec: "Extensions"); readers that do not know them skip them.
    # cite_as: the DOI URL, RFC 8574's cite-as link (the id stays the page URL, stable from first publication).
    extra = {"license": item.license, "doi": re.sub(r"^https://doi\.org/", "", item.doi_url), "cite_as": item.doi_url,
             "reviews_url": item.discussion, "retracted": item.retracted, "review_status": item.status[1]}
    out["_peerpress"] = {k: v for k, v in extra.items() if v}
    if not out["authors"]:
        del out["authors"]
    return out
