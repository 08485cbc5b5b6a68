"""Commenters' data rights: `/your-data/`, where whoever can read an address's mail
downloads or erases what the site holds about the comments written with it, and the
moderators' erasure from the queue.

It builds on `discussion` (the comments it exports and anonymises) and `moderation` (its
audit log and its moderators); neither of them imports it. It has no models.
"""
