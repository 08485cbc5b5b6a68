"""What `broadsheet generate` does: fill the database with invented articles and reader
comments, fast, for benchmarks (100,000 articles and 2,000,000 comments take minutes on
SQLite).

Articles are mostly published, spread over the last five years, with one to three byline
authors and one or two topics; comments are spread Zipf-like (a few articles get
thousands, most a handful), about 40% are replies, threaded as the site threads them
(`reply_parent()`), from registered readers and anonymous commenters, mostly published.
The text comes from `broadsheet.demo.generated`. Rendering Markdown is the slow part, so a
pool of a few hundred bodies is rendered once and reused.

Three modules, split where the work changes kind: `plans.py` draws everything random (what
the rows will hold), `rows.py` writes them with bulk_create, and `run.py` sizes one run,
orders the draws and the transactions between the two, and reports progress. Each
committed batch is complete (an article with its bylines and topics; comments with their
threads and their articles' counts), so an interrupted run leaves a consistent database.
Search needs nothing: on SQLite the FTS5 triggers of publishing migration 0002 fire for
bulk inserts too, and on PostgreSQL the index is an expression index.

Running again adds more: taken slugs, usernames and display names get a number, and topics
are found by name and reused. The same seed gives the same content, with times relative
to when it runs.
"""

from __future__ import annotations

from .run import GenerationError, GenerationSummary, Progress, generate_site

__all__ = ["GenerationError", "GenerationSummary", "Progress", "generate_site"]
