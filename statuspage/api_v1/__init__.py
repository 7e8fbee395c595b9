"""The management API, shaped like Atlassian Statuspage's (`/api/v1/pages/{page_id}/…`): the
same paths, request envelopes, field names and status values, so that a tool written for
api.statuspage.io works with only its base URL changed; Noroshi's own resources (post-mortem
sections, recovery actions, notifications, the kill switch) in the same style. It stands on the
domain's services and selectors (incidents) and on notify's, like the rest of the site."""
