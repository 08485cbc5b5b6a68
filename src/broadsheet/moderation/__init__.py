"""Moderation: the queue, bans, the audit log and the layered spam defences, including a
filter that learns from moderators' decisions, all local (no third-party service, no
CAPTCHA).

It builds on `discussion` (it moderates its comments) and plugs its screening into
discussion's posting through settings.COMMENT_SCREENING.
"""
