"""Consent: cookie categories, the reader's choice and its proof, and the policy pages.

Consent is asked for properly (GDPR and ePrivacy: freely given, specific, informed and as
easy to withdraw as to give). This app uses none of the other domain apps; they read the
reader's choice from `request.consent` (see middleware.py).
"""
