"""The demo articles, one Markdown file each; the file name is the article's slug.

A package (not a plain folder) so that the `*.md` package-data glob ships the files.
"""
