"""One spider per source kind: listing, telegram, feed, sitemap, rendered."""
