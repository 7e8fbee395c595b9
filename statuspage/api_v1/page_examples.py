"""Example requests and responses of the page's endpoints for the API documentation (the page
of statuspage.api_v1.examples, with its branding)."""

from statuspage.api_v1.examples import AT, PAGE_ID, request
from statuspage.api_v1.objects import PAGE_STYLE_FIELDS

PAGE = {
    "id": PAGE_ID,
    "created_at": "2026-01-05T09:00:00.000Z",
    "updated_at": AT,
    "name": "Example status",
    "page_description": None,
    "headline": None,
    "branding": "basic",
    "subdomain": None,
    "domain": "status.example.com",
    "url": "https://status.example.com",
    "support_url": "https://example.com/support",
    "hidden_from_search": False,
    "allow_page_subscribers": True,
    "allow_incident_subscribers": False,
    "allow_email_subscribers": True,
    "allow_sms_subscribers": False,
    "allow_rss_atom_feeds": True,
    "allow_webhook_subscribers": True,
    "notifications_from_email": "status@example.com",
    "notifications_email_footer": None,
    "activity_score": 0,
    "twitter_username": None,
    "viewers_must_be_team_members": False,
    "ip_restrictions": None,
    "city": None,
    "state": None,
    "country": None,
    "time_zone": "Asia/Tokyo",
    **dict.fromkeys(PAGE_STYLE_FIELDS),
    "update_reminder_minutes": 30,
    "brand_colour": "#6f42c1",
    "brand_colour_dark": None,
    "header_links": [
        {"label": "Home", "label_ja": "ホーム", "url": "https://example.com"},
    ],
    "footer_links": [
        {"label": "Privacy", "label_ja": "", "url": "https://example.com/privacy"},
    ],
    "logo_url": "https://status.example.com/brand/logo-4323175d85afe2f1.svg",
    "logo_content_type": "image/svg+xml",
}

EDIT_PAGE = request("Change the time zone", {"page": {"time_zone": "Asia/Tokyo"}})
EDIT_BRANDING = request(
    "Set the branding and the reminder interval",
    {
        "page": {
            "update_reminder_minutes": 20,
            "brand_colour": "#6f42c1",
            "header_links": [{"label": "Home", "label_ja": "ホーム", "url": "https://example.com"}],
            "logo": "PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCAxMCAx"
            "MCI+PGNpcmNsZSByPSI0IiBjeD0iNSIgY3k9IjUiIGZpbGw9IiMwNTUwYWUiPjwvY2lyY2xlPjwvc3ZnPg==",
        }
    },
)
