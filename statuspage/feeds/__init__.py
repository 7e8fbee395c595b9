"""Feeds and embeds: history.atom, history.rss, maintenance.ics, SVG badges."""
