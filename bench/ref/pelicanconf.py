# Reference Pelican site for the Peerpress benchmark (placeholders @X@ are filled by bench/corpus.py).
SITENAME = "@TITLE@"
SITEURL = "@BASE_URL@"
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = @PER_PAGE@
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)
DEFAULT_DATE_FORMAT = "%d %B %Y"

# URLs shaped like Peerpress's (every page is <path>/index.html).
ARTICLE_URL = "posts/{slug}/"
ARTICLE_SAVE_AS = "posts/{slug}/index.html"
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = "tags/{slug}/index.html"
TAGS_SAVE_AS = "tags/index.html"
AUTHOR_URL = "authors/{slug}/"
AUTHOR_SAVE_AS = "authors/{slug}/index.html"
AUTHORS_SAVE_AS = "authors/index.html"
ARCHIVES_SAVE_AS = "archive/index.html"

# Feeds: site-wide Atom + RSS, an Atom feed per tag and per author.
FEED_DOMAIN = SITEURL
FEED_MAX_ITEMS = @FEED_ITEMS@
FEED_ALL_ATOM = "feed.xml"
FEED_ALL_RSS = "rss.xml"
TAG_FEED_ATOM = "tags/{slug}/feed.xml"
AUTHOR_FEED_ATOM = "authors/{slug}/feed.xml"
AUTHOR_FEED_RSS = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None

# Markdown: fenced code with Pygments highlighting, footnotes, tables, TOC anchors.
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.codehilite": {"css_class": "highlight"},
        "markdown.extensions.fenced_code": {},
        "markdown.extensions.footnotes": {},
        "markdown.extensions.tables": {},
        "markdown.extensions.toc": {},
        "markdown.extensions.meta": {},
    },
    "output_format": "html5",
}

# Cold builds: no content cache (the default), default theme (notmyidea).
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
