"""The spam defences every new comment passes through: `screen()`, which discussion calls
(settings.COMMENT_SCREENING) before it stores a comment.

Each check is a small function that answers with a finding, a status and a short stable
reason, or nothing. Every check runs, so the moderation queue shows all the reasons, and
the strictest status wins: spam over held. In the order they run:

- "honeypot" (spam): the field people never see was filled in;
- "no-timestamp", "too-fast", "form-expired" (held): the form's signed time is missing or
  forged, younger than SPAM_MIN_FORM_SECONDS or older than SPAM_MAX_FORM_AGE_SECONDS.
  These two read what only the form can tell, and are skipped for other ways in (an API);
- "rate-limit-address", "rate-limit-email" (held): more posts than COMMENT_RATE_LIMIT_*
  from one client address hash or one e-mail address in a fixed window, counted in the
  configured cache so every worker shares the count. If the cache cannot be reached the
  limit is skipped with a warning in the log: posting must not fail because Redis did;
- "links" (held): more than SPAM_MAX_LINKS links in the body;
- "blocked-word", "blocked-domain" (held): a moderator's blocked word or phrase in the body
  or name, or a link (or the homepage) to a blocked domain or one of its subdomains;
- "filter-likely-spam" (held), "filter-spam" (spam): the learning spam filter's score
  against the thresholds that SPAM_HOLD_FALSE_POSITIVE_RATE and
  SPAM_DISCARD_FALSE_POSITIVE_RATE give (spamfilter.thresholds());
- "likely-abusive" (held): the abuse score against ABUSE_HOLD_FALSE_POSITIVE_RATE's;
- "banned" (spam): an active ban on the e-mail address or the address hash.

Verified commenters go through every check too: an account can be stolen or bought. An
author's edit of a comment is screened the same way, except for the rate limits.
Blocked terms and bans are kept in each process and read from the database again after
any change to them (`blocked_terms` here, `services.active_bans`; lib/versioned.py), so a
moderator's change applies to the next comment in every worker.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from broadsheet.discussion.models import Comment
from broadsheet.discussion.screening import ScreeningVerdict, SubmissionSignals
from broadsheet.lib import linear
from broadsheet.lib.versioned import Versioned

from . import spamfilter
from .models import BlockedTerm
from .services import is_banned
from .tasks import second_look

logger = logging.getLogger(__name__)

HELD = Comment.Status.HELD
SPAM = Comment.Status.SPAM


class Finding(NamedTuple):
    status: str
    reason: str


def screen(comment: Comment, signals: SubmissionSignals) -> ScreeningVerdict:
    """Run every check on an unsaved comment and say what they found."""
    hosts = linked_hosts(comment.body_source)
    scores = spamfilter.score(comment)
    thresholds = spamfilter.thresholds()
    findings = [
        check_honeypot(signals),
        check_form_age(signals),
        # An edit is not another post: the edit window bounds how often it can happen.
        None if signals.is_edit else check_address_rate(comment),
        None if signals.is_edit else check_email_rate(comment),
        check_links(hosts),
        *check_blocked_terms(comment, hosts),
        check_filter_score(scores.spam, thresholds),
        check_abuse_score(scores.abuse, thresholds),
        check_ban(comment),
    ]
    found = [finding for finding in findings if finding is not None]
    statuses = {finding.status for finding in found}
    return ScreeningVerdict(
        status=SPAM if SPAM in statuses else (HELD if statuses else None),
        reasons=[finding.reason for finding in found],
        score=scores.spam,
        abuse_score=scores.abuse,
        after_publish=queue_second_look if needs_second_look(comment, scores, thresholds) else None,
    )


# What only the form can tell -----------------------------------------------------------


def check_honeypot(signals: SubmissionSignals) -> Finding | None:
    if signals.via_form and signals.honeypot_filled:
        return Finding(SPAM, "honeypot")
    return None


def check_form_age(signals: SubmissionSignals) -> Finding | None:
    if not signals.via_form:
        return None
    age = signals.form_age_seconds
    if age is None:
        return Finding(HELD, "no-timestamp")
    # A negative age (a clock that differs between workers) counts as too fast.
    if age < settings.SPAM_MIN_FORM_SECONDS:
        return Finding(HELD, "too-fast")
    if age > settings.SPAM_MAX_FORM_AGE_SECONDS:
        return Finding(HELD, "form-expired")
    return None


# Rate limits ------------------------------------------------------------------------------


def check_address_rate(comment: Comment) -> Finding | None:
    limit = settings.COMMENT_RATE_LIMIT_ADDRESS
    if over_rate_limit("address", comment.address_hash, limit):
        return Finding(HELD, "rate-limit-address")
    return None


def check_email_rate(comment: Comment) -> Finding | None:
    if not comment.email:
        return None
    # Hashed: the cache needs no one's address, and keys stay short and plain.
    subject = hashlib.sha256(comment.email.strip().lower().encode()).hexdigest()
    if over_rate_limit("email", subject, settings.COMMENT_RATE_LIMIT_EMAIL):
        return Finding(HELD, "rate-limit-email")
    return None


def over_rate_limit(kind: str, subject: str, limit: tuple[int, int] | None) -> bool:
    """Count this post against `subject` in the current fixed window of the limit, and say
    whether the count is now over it. incr() and add() are each atomic on local memory and
    on Redis, so concurrent workers cannot lose a count."""
    if limit is None or not subject:
        return False
    allowed, seconds = limit
    window = int(timezone.now().timestamp() // seconds)
    key = f"comment-rate:{kind}:{seconds}:{window}:{subject}"
    try:
        # incr() first: one call for every post but a window's first (Redis: two round
        # trips, not add()'s extra one). The key lives a minute past its window, so it
        # cannot expire between the two calls and come back without a timeout.
        try:
            count = cache.incr(key)
        except ValueError:  # the window's first post, unless another worker's add() wins
            count = 1 if cache.add(key, 1, timeout=seconds + 60) else cache.incr(key)
    except Exception:
        # Any backend's failure (redis.ConnectionError, OSError, ...): skip the limit
        # rather than refuse the comment; the other checks still run.
        logger.warning("Comment rate limit by %s skipped: the cache failed.", kind, exc_info=True)
        return False
    return count > allowed


# Links and blocked terms ------------------------------------------------------------------

# Top-level domains that make a bare "name.tld" count as a link. A full list would take
# "setup.py", "README.md" or "Node.js" for links; these are the common and the spammy ones.
COMMON_TLDS = frozenset(
    """com net org info biz io co me tv cc ws us uk de fr nl eu ru su cn ua kz pl it es ca au
    in br jp kr ch se no dk fi ie be at nz za mx ar tr ir vn id ph xyz top online site shop
    store club live link click app dev ai gg ly to vip bid loan tech space website icu buzz
    pro mobi asia tk ml ga cf gq pw cyou sbs cfd gov edu""".split()
)
# [text](target): the target alone is the link, so a domain written as the text and again
# as the target counts once.
_MARKDOWN_LINK = linear.compile(r"\[[^\]\n]*\]\(\s*<?([^\s<>()]*)>?[^)\n]*\)")
# A URL with a scheme or starting with www (Markdown autolinks "<https://…>" included).
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'`()\[\]]+", re.IGNORECASE)
# A run of the characters a bare domain and its neighbours in an e-mail address are made
# of; a bare domain can only start where such a run starts (see _bare_domain()).
_DOMAIN_RUN = re.compile(r"[\w.-]+")


def linked_hosts(text: str) -> list[str]:
    """The host of every http(s) link, www. address and bare domain in a comment body, one
    entry per link, normalised (lower case, IDNA)."""
    text = _MARKDOWN_LINK.sub(lambda match: f" {match.group(1)} ", text)
    hosts = []
    for url in _URL.findall(text):
        if host := _host_of(url if "://" in url else "http://" + url):
            hosts.append(normalised_host(host))
    for run in _DOMAIN_RUN.finditer(_URL.sub(" ", text)):
        if domain := _bare_domain(run):
            hosts.append(normalised_host(domain))
    return hosts


def _bare_domain(run: re.Match[str]) -> str:
    """The bare domain a run of word characters, dots and hyphens starts with: labels
    joined by single dots up to the last one that is a common top-level domain, unless the
    run is part of an e-mail address (an "@" just before or after it). Parsed by hand
    rather than with lookarounds and a repeated group, which backtrack."""
    text, start, end = run.string, run.start(), run.end()
    name = run.group()
    if "." not in name or (start > 0 and text[start - 1] == "@"):
        return ""
    labels = name.split(".")
    # Labels up to the first empty one (a leading, doubled or trailing dot ends the name).
    count = labels.index("") if "" in labels else len(labels)
    at_sign_after = end < len(text) and text[end] == "@"
    for last in range(count - 1, 0, -1):
        # "someone@example.com" is an address, not a link.
        ends_the_run = last == len(labels) - 1
        if labels[last].lower() in COMMON_TLDS and not (ends_the_run and at_sign_after):
            return ".".join(labels[: last + 1])
    return ""


def _host_of(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:  # "http://[broken" and the like
        return ""


def normalised_host(host: str) -> str:
    host = host.strip().strip(".").lower()
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def check_links(hosts: list[str]) -> Finding | None:
    if len(hosts) > settings.SPAM_MAX_LINKS:
        return Finding(HELD, "links")
    return None


def _load_blocked_terms() -> list[tuple[str, str]]:
    return list(BlockedTerm.objects.values_list("kind", "value"))


# Kept per process, loaded again whenever a term is saved or deleted (ModerationConfig).
blocked_terms = Versioned("blocked-terms", _load_blocked_terms)


def check_blocked_terms(comment: Comment, hosts: Iterable[str]) -> list[Finding]:
    words: list[str] = []
    domains: list[str] = []
    for kind, value in blocked_terms.get():
        (words if kind == BlockedTerm.Kind.WORD else domains).append(value)
    found = []
    if words and _contains_blocked_word(f"{comment.name}\n{comment.body_source}", words):
        found.append(Finding(HELD, "blocked-word"))
    homepage = [_host_of(comment.homepage)] if comment.homepage else []
    if domains and _links_to_blocked_domain([*hosts, *map(normalised_host, homepage)], domains):
        found.append(Finding(HELD, "blocked-domain"))
    return found


def _folded(text: str) -> str:
    # NFKC folds look-alike forms ("ｆｒｅｅ", ligatures) into plain letters; casefold is
    # lower() for every script ("STRASSE" and "straße" match).
    return unicodedata.normalize("NFKC", text).casefold()


def _contains_blocked_word(text: str, terms: list[str]) -> bool:
    """Whole words only ("ass" does not hold "class"); a phrase matches across any run of
    whitespace. \\w is Unicode-aware, so word edges work in every alphabet."""
    pattern = _blocked_word_pattern(tuple(terms))
    return pattern is not None and pattern.search(_folded(text)) is not None


@functools.lru_cache(maxsize=8)
def _blocked_word_pattern(terms: tuple[str, ...]) -> linear.LinearPattern | None:
    # Keyed on the terms as read for this comment, so a moderator's change makes a new
    # pattern at once; an unchanged list is folded and compiled once per process, not on
    # every post (re's own cache holds only the compiled pattern, and few of them).
    # RE2 has no lookarounds: the edges are matched as a character that is not part of a
    # word, or the start or end of the text, which answers "is there a match" the same way.
    alternatives = [
        r"[\s\p{Z}]+".join(linear.escape(part) for part in _folded(term).split()) for term in terms
    ]
    alternatives = [alternative for alternative in alternatives if alternative]
    if not alternatives:
        return None
    edge = linear.NOT_WORD_CHAR
    return linear.compile(rf"(?:^|{edge})(?:{'|'.join(alternatives)})(?:{edge}|$)")


def _links_to_blocked_domain(hosts: list[str], domains: list[str]) -> bool:
    blocked = {_blocked_domain(value) for value in domains} - {""}
    return any(
        host == domain or host.endswith("." + domain) for host in hosts for domain in blocked
    )


def _blocked_domain(value: str) -> str:
    """A moderator's entry as a host: "Spam.example", "*.spam.example" or a pasted URL."""
    value = value.strip()
    if "/" in value:
        value = _host_of(value if "://" in value else "http://" + value)
    return normalised_host(value.removeprefix("*."))


# The learning filter and bans -----------------------------------------------------------


def check_filter_score(score: float, thresholds: spamfilter.Thresholds) -> Finding | None:
    if score >= thresholds.discard:
        return Finding(SPAM, "filter-spam")
    if score >= thresholds.hold:
        return Finding(HELD, "filter-likely-spam")
    return None


# A comment gets a closer look after publication when it has several sentences (one of
# which could be diluted by the rest) and its abuse score is at least this share of the
# threshold: most comments, far below it, cost the worker nothing.
SECOND_LOOK_SHARE = 0.25


def needs_second_look(
    comment: Comment, scores: spamfilter.Scores, thresholds: spamfilter.Thresholds
) -> bool:
    return (
        thresholds.abuse < 1.0
        and scores.abuse >= SECOND_LOOK_SHARE * thresholds.abuse
        and spamfilter.sentence_count(comment.body_source) > 1
    )


def queue_second_look(comment: Comment) -> None:
    second_look.enqueue(comment_id=comment.pk)


def check_abuse_score(score: float, thresholds: spamfilter.Thresholds) -> Finding | None:
    if score >= thresholds.abuse:
        return Finding(HELD, "likely-abusive")
    return None


def check_ban(comment: Comment) -> Finding | None:
    if is_banned(comment.email, comment.address_hash):
        return Finding(SPAM, "banned")
    return None
