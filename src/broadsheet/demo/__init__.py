"""Invented content: the Northgate Courier sample newsroom that `broadsheet demo-content`
loads, and the bulk text and rows that `broadsheet generate` makes for benchmarks.

For the newsroom, `content` holds the people, topics and the shapes of articles and
comments (the article texts are Markdown files in `articles/`, the comments are in
`comments`, the policy pages in `policies`, all invented); `install` writes them to the
database. For `broadsheet generate`, `generated` assembles text from the word lists in
`generated_words`, and `generating` plans and writes the rows. Only those two management
commands (and the benchmarks) import this package, so a site that never runs them never
touches it.
"""
