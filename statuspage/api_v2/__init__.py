"""The Atlassian Statuspage v2 compatible public JSON API (routes in statuspage/api_v2/urls.py)."""
