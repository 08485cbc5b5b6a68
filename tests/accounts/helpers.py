"""Helpers for the account tests: the passwords they sign in with, and the links in the
mail."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core.mail import EmailMessage

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a lantern on the towpath"


def link_in(message: EmailMessage) -> str:
    """The path of the one site link in a mail's body that is not the home page."""
    urls = [
        url for url in re.findall(r"https?://\S+", str(message.body)) if urlsplit(url).path != "/"
    ]
    assert len(urls) == 1, urls
    return urlsplit(urls[0]).path
