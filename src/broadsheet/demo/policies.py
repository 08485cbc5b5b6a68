"""Draft policy pages for the demo newsroom: a Privacy Policy, Terms & Conditions and a
Cookie Policy, as plain data.

They describe what Broadsheet itself does (what it stores, for how long, which cookies it
sets) so that a site starting from the demo has a sensible first version, not a blank page.
They are still drafts: `install.py` publishes each as version 1 with `needs_review` set, so
readers see a notice until someone responsible for the site has checked and adapted them
(who runs it, how to reach them, the law that applies, anything the site adds).

Keep them in step with the code: the cookie names here must be the ones the cookie
categories declare (tests/test_demo_content.py checks), and the retention periods the
settings' defaults. Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# Before the oldest demo article, so the pages read as if they were there from the start.
POLICIES_PUBLISHED_AT = dt.datetime(2024, 11, 1, 9, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class DemoPolicy:
    kind: str  # a PolicyPage.Kind value
    title: str
    body: str  # Markdown, as for articles


PRIVACY = DemoPolicy(
    kind="privacy",
    title="Privacy Policy",
    body="""\
This page explains what the Northgate Courier keeps about the people who read it, comment
on it or hold an account, why, for how long, and what you can ask us to do about it.

## Who is responsible

The Northgate Courier is responsible for the personal data described here. Write to
<privacy@example.org> with any question about it, or to use any of the rights below.

## What we keep, and why

### When you read

Reading the site needs no account and leaves nothing about you with us beyond the cookies
the site needs to work (see the [Cookie Policy](/cookie-policy/)). We do not build
profiles of readers, and nothing is shared with advertisers.

### When you comment

- **Your comment**, the **name** you give and, if you give one, your **homepage**, are
  published with the comment.
- Your **e-mail address**, if you give one, is **never shown** on the site. We use it only
  to send you the link that confirms it and, if you ask for them, notices of replies to
  your comment.
- We never store your network (IP) address. We keep a **keyed hash** of it with the
  comment: a one-way code made with a secret key, which lets our moderators and our spam
  protection notice many comments from one place without knowing where that is. It is
  erased **30 days** after the comment was posted.
- If you tick "Remember me", your name, e-mail address and homepage are kept **in your own
  browser**, not by us (see the Cookie Policy).

### When you have an account

Your user name, the name shown with your comments, your e-mail address, the date you
confirmed it, and your password, which we store only in a form that cannot be turned back
into the password. Your comments are linked to your account.

### Mail we send

Confirmation links, reply notices and account messages are written to a queue in our own
database and sent from there by our mail provider. A message holds your address and what
we wrote to you.

### Your cookie choice

When you accept or refuse cookies we record, as proof of your choice, a random identifier
(also kept in your browser), the categories you accepted, the version of the Cookie Policy
you saw and the time. The record holds no address, no name and no account. We keep these
records for **three years** and then delete them.

## Why we are allowed to

- Publishing comments, and sending the mail you ask for, is the service you request when
  you comment or register.
- Moderation and the address hash protect readers and the site from abuse and spam, which
  is our legitimate interest; the short retention keeps that interest proportionate.
- Optional cookies, and videos from other sites, rely on your consent, which you can
  withdraw at any time.

## Who else sees it

Our editors and moderators, to run the site and review comments. Our hosting and mail
providers process data on our behalf and only on our instructions. If you choose to load a
video in an article, the site hosting it (such as YouTube or Vimeo) learns that you
visited; we never load such videos before you allow external media. We do not sell
personal data or pass it to anyone else unless the law requires us to.

## How long we keep it

| What | How long |
|:-----|:---------|
| Published comments, with name and homepage | Until they are removed, by you or by us |
| E-mail address given with a comment | As long as the comment |
| Keyed hash of your network address | 30 days |
| Account details | Until you close the account |
| Consent records | Three years |

## Your rights

You can ask for a copy of what we hold about you, for it to be corrected, or for it to be
erased, and you can object to how we use it. The [Your data](/your-data/) page lets you
export your data and ask for its erasure; you can also write to <privacy@example.org>. We
answer within one month. If you think we have handled your data wrongly, you may complain
to the data protection authority where you live.

## Changes

When this policy changes we publish a new version with its date. Earlier versions stay
readable from this page.
""",
)

TERMS = DemoPolicy(
    kind="terms",
    title="Terms & Conditions",
    body="""\
These terms apply to everyone who uses the Northgate Courier's website, and in particular
to anyone who comments on it. By posting a comment or opening an account you agree to
them.

## Commenting

Our comment threads are for discussing what we publish. Disagree as strongly as you like,
but:

- stay on the subject of the article, and argue with ideas rather than with people;
- no abuse, harassment, threats, or hatred of anyone for who they are;
- no private details of other people (addresses, phone numbers, health, family);
- nothing unlawful, including defamation, and nothing that could prejudice a court case;
- no advertising, spam, or links posted only to promote something;
- do not pretend to be someone else, including a member of our staff;
- write in your own words: quote others briefly and say where the quotation comes from.

## Moderation

Comments may be held for a moderator to read before they appear, for example a first
comment, a comment with several links, or one our spam protection is unsure about.
Moderators may publish, hold or remove any comment, mark it as spam, and stop comments
from a person or address that keeps breaking these rules. We may close comments on an
article, or not open them at all. We do not have to publish any comment, and we do not
explain every decision, but you can ask us about one at <editor@example.org>.

You can change your own comment for a short time after posting it. After that, ask us and
we will remove it.

## Your comments and our content

You keep the copyright in what you write. By posting it you allow us, without payment, to
publish it on this site and in its feeds and archive, keep it, and show it alongside our
articles for as long as it stays up.

Our articles, photographs and graphics belong to the Northgate Courier or to the people
who made them. You are welcome to quote short passages with a credit and a link to the
article; please ask us before republishing a whole article or image.

## Links and media from other sites

Articles link to, and may show videos from, other sites. We choose them with care but are
not responsible for what those sites publish or how they treat your data.

## Our responsibility

We work to report accurately and correct our mistakes openly. The site is provided as it
is, and we cannot promise that it will always be available or free of errors. We are not
responsible for what readers write in comments, though we will act on anything reported to
us. Nothing in these terms limits any responsibility that the law does not allow us to
limit.

## Changes

We may update these terms; each version is published here with its date, and earlier
versions stay readable.
""",
)

COOKIES = DemoPolicy(
    kind="cookies",
    title="Cookie Policy",
    body="""\
A cookie is a small piece of text a website asks your browser to keep and send back on
later visits. This page lists every cookie the Northgate Courier sets, grouped in the four
categories you can choose from on the [cookie preferences](/cookies/) page. Only strictly
necessary cookies are set until you say otherwise.

## Strictly necessary

Always on: the site cannot work without them, and they are not used to follow you.

| Cookie | What it is for | Kept for |
|:-------|:---------------|:---------|
| `sessionid` | Keeps you signed in; shows you your own comment while it awaits review | Two weeks |
| `csrftoken` | Stops other sites from sending forms in your name | One year |
| `messages` | Carries a one-off notice ("your comment was received") to the next page | Moments |
| `broadsheet_consent` | Remembers the choice you made about cookies | Six months |
| `broadsheet_commenter` | After you confirm your e-mail, marks your comments verified | One year |
| `broadsheet_primary_until` | After you post or save, shows you the result at once | Seconds |

## Preferences

Off unless you accept them.

| Cookie | What it is for | Kept for |
|:-------|:---------------|:---------|
| `broadsheet_commenter_details` | Name, e-mail and homepage, if you tick "Remember me" | One year |

## Statistics

Off unless you accept them. When on, we count visits and see which articles are read,
using a counter that runs on our own site; nothing is shared with advertisers. We set no
statistics cookies at present.

## External media

Off unless you accept them. Some articles include a video from another site, such as
YouTube or Vimeo. Until you allow external media you see a short note in its place, and
nothing is loaded from that site. Once you allow it, the video is loaded from the
provider's privacy-enhanced address; the provider can see that you visited the page and
may set its own cookies when you play the video. We set no cookies in this category
ourselves.

## Changing your mind

You can change your choice at any time on the [cookie preferences](/cookies/) page, which
is also linked at the foot of every page. When you withdraw a category, its cookies are
removed from your browser straight away. We ask again after about six months, and whenever
this policy changes.

You can also block or delete cookies in your browser's settings. If you block strictly
necessary cookies, signing in and commenting will not work.
""",
)

POLICIES = (PRIVACY, TERMS, COOKIES)
