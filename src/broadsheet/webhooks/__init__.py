"""Webhooks: tell other systems when articles and comments change.

Editors configure endpoints in the admin; publishing and discussion call `services` when
something an endpoint may subscribe to happens; `tasks` delivers each event from the
worker, signed, with retries, and logs every delivery. Nothing here runs network I/O in a
request. Docs: docs/webhooks.md.
"""
