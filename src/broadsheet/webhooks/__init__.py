"""Webhooks: tell other systems when articles and comments change.

A bottom layer, beside lib: it imports no other app of the site. Editors configure
endpoints in the admin; publishing and discussion decide which event a change of theirs is,
build its payload and hand both to `services.queue_event_on_commit()`; `tasks` delivers
each event from the worker, signed, with retries, and logs every delivery. Nothing here
runs network I/O in a request. Docs: docs/webhooks.md.
"""
