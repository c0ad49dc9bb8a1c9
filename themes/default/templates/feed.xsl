<?xml version="1.0" encoding="utf-8"?>
{#- Shows an Atom or RSS feed as a page when a person opens it in a browser (the feeds point here with
    an <?xml-stylesheet?> instruction; feed readers ignore it). Rendered by Jinja at feeds/feed.xsl, so
    the page uses the site's own stylesheets and script (the copy button) under the site's base path. -#}
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/"
                exclude-result-prefixes="atom dc">
<xsl:output method="html" version="5.0" encoding="utf-8" indent="yes" doctype-system="about:legacy-compat"/>
<xsl:variable name="atom" select="boolean(/atom:feed)"/>
<xsl:variable name="title" select="/atom:feed/atom:title | /rss/channel/title"/>
<xsl:variable name="self" select="(/atom:feed/atom:link[@rel='self']/@href | /rss/channel/atom:link[@rel='self']/@href)[1]"/>
<xsl:variable name="home" select="(/atom:feed/atom:link[@rel='alternate']/@href | /rss/channel/link)[1]"/>

<xsl:template match="/">
<html lang="{{ config.language }}">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<meta name="color-scheme" content="light dark"/>
<title><xsl:value-of select="$title"/> (feed) · {{ config.title }}</title>
<link rel="icon" href="{{ asset('favicon.svg') }}" type="image/svg+xml"/>
<link rel="stylesheet" href="{{ asset('css/critical.css') }}"/>
<link rel="stylesheet" href="{{ asset('css/main.css') }}"/>
</head>
<body class="feed-preview">
<header class="site-header">
  <div class="wrap header-inner">
    <a class="site-title" href="{{ url() }}">{{ config.title }}</a>
  </div>
</header>
<main id="main" class="wrap">
  <p class="feed-about" role="note"><strong>This is a feed.</strong> Copy its address into a feed reader to
    follow new posts as they are published. <a href="{{ url('feeds/') }}">About feeds and all of them</a>.</p>
  <p class="feed-address"><code id="feed-address"><xsl:value-of select="$self"/></code>
    <button type="button" class="copy-button" hidden="" data-copy-target="feed-address"
            data-copied="Copied the feed's address" aria-label="Copy address of this feed">Copy address</button></p>
  <h1><xsl:value-of select="$title"/></h1>
  <p class="lead"><xsl:value-of select="/atom:feed/atom:subtitle | /rss/channel/description"/></p>
  <p><a href="{$home}">Visit the page of this feed</a></p>
  <section class="recent" aria-labelledby="entries-heading">
    <h2 id="entries-heading">Latest entries</h2>
    <xsl:apply-templates select="/atom:feed/atom:entry | /rss/channel/item"/>
  </section>
</main>
<script src="{{ asset('js/site.js') }}" defer=""></script>
</body>
</html>
</xsl:template>

<xsl:template match="atom:entry | item">
  <xsl:variable name="date">
    <xsl:choose>
      <xsl:when test="atom:published"><!-- 2025-09-30T… → 30 Sep 2025, as RSS dates read -->
        <xsl:variable name="d" select="string(atom:published)"/>
        <xsl:value-of select="concat(number(substring($d, 9, 2)), ' ',
          substring('JanFebMarAprMayJunJulAugSepOctNovDec', 3 * number(substring($d, 6, 2)) - 2, 3), ' ', substring($d, 1, 4))"/>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="substring(pubDate, 6, 11)"/></xsl:otherwise>
    </xsl:choose>
  </xsl:variable>
  <xsl:variable name="status" select="(atom:category[@scheme='{{ abs_url('review-policy/') }}']/@label
                                       | category[@domain='{{ abs_url('review-policy/') }}'])[1]"/>
  <article class="card">
    <h3 class="card-title"><a href="{(atom:link[@rel='alternate']/@href | link)[1]}"><xsl:value-of select="atom:title | title"/></a></h3>
    <p class="meta"><xsl:value-of select="$date"/>
      <xsl:for-each select="atom:author/atom:name | dc:creator"> · <xsl:value-of select="."/></xsl:for-each></p>
    <xsl:if test="$status">
      <xsl:variable name="words" select="string($status)"/>
      <p class="review-line"><xsl:choose>
        <xsl:when test="contains($words, ' · ')">
          <span class="status-chip status-published"><xsl:value-of select="substring-before($words, ' · ')"/></span>
          <xsl:text> </xsl:text><span class="reviewed-by"><xsl:value-of select="substring-after($words, ' · ')"/></span>
        </xsl:when>
        <xsl:otherwise><span class="status-chip status-published"><xsl:value-of select="$words"/></span></xsl:otherwise>
      </xsl:choose></p>
    </xsl:if>
    <p class="card-summary"><xsl:value-of select="atom:summary | description"/></p>
  </article>
</xsl:template>
</xsl:stylesheet>
