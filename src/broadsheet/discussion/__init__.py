"""Discussion: readers' comments under articles, threaded and paginated, and the form
that adds them.

It builds on `publishing` (a comment belongs to an article) and `accounts`; `moderation`
builds on it. Who may see which comment is decided in `access`; the rules for posting are
in `services`.
"""
