"""The public JSON API under /api/v1/: read-only articles, authors, topics and comments,
and posting a comment.

It is a second door to what the pages already do: visibility comes from publishing's and
discussion's access helpers, posting goes through `discussion.services.post_comment()`
after the comment form's own validation, and GET answers are stored and invalidated by
the page cache exactly as pages are. Built with django-ninja (views.py); the OpenAPI
document and the docs page are ninja's, with Swagger UI served from ninja's own static
files. See docs/api.md.
"""
