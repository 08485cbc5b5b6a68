"""Accounts: the user model shared by editors, moderators and registered readers.

It sits beneath every other app (they may import it; it imports none of them).
"""
