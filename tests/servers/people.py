"""Who and what is on the server tests' site (made by seed.py)."""

MODERATOR = "morgan"
PASSWORD = "tide tables at the harbour mouth"
ARTICLE = "/articles/harbour-wall/"  # read and commented on by the tests
LOAD_ARTICLE = "/articles/ferry-letters/"  # takes the posting loads
