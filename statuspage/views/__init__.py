"""The public HTML pages of the status page (routes in statuspage/views/urls.py)."""
