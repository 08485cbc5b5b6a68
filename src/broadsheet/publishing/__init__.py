"""Publishing: articles, their byline authors and topics, and the pages readers read.

This app is the base of the domain: `discussion` and `moderation` build on it; it imports
neither of them.
"""
