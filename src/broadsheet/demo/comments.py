"""The demo newsroom's reader comments as plain data: the conversations under the live
articles, who took part and when.

This is the text half of the demo comments; `content.py` holds their shape (`DemoComment`:
how replies name their parent, and why each comment's time is fixed) and the rules they must
keep (`check_comments()`), beside the shapes of the other demo content. Most commenters are
anonymous; a few confirmed their address, and `READER` is a registered reader whose
comments are stored under that account. One comment is held: a moderator has not seen it
yet, so no reader does either. Everything here is invented, like the rest of the demo,
and nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt

from .content import DemoAccount, DemoComment, DemoContentError

READER = DemoAccount("reader", "Hollis Achterberg", "hollis.achterberg@example.net")
# When the reader followed their confirmation link: before their first comment.
READER_CONFIRMED_AT = dt.datetime(2024, 10, 30, 19, 12, tzinfo=dt.UTC)


def _at(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise DemoContentError(f"comment time {value!r} needs a UTC offset")
    return moment


HARROW = "harrow-court-tenants-union"
BUS = "route-41-bus-cuts"
CLOSURE = "eastfield-library-closure"
STRIKE = "care-workers-strike"
REPRIEVE = "eastfield-library-reprieve"

# Replies come after their parents: the installer creates the rows in this order.
COMMENTS = [
    # Harrow Court tenants form a union (published 2024-11-19 07:30 UTC).
    DemoComment(
        HARROW,
        "sixth-floor",
        _at("2024-11-19T08:14:00+00:00"),
        "Tomasz Wierzbicki",
        "I lived on the sixth floor of Harrow Court until 2021. The boiler in our flat was "
        '"scheduled for replacement" for all four years we were there.\n\n'
        "Good luck to everyone who signed up on Monday. Ninety people are a lot harder to "
        "ignore than one.",
    ),
    DemoComment(
        HARROW,
        "oil-radiators",
        _at("2024-11-19T09:02:00+00:00"),
        "Odile Marchetti",
        "Same on the second floor. We gave up waiting and bought two oil radiators, which "
        "the managing agent then told us were a fire risk.",
        reply_to="sixth-floor",
        email="odile.m@example.net",
    ),
    DemoComment(
        HARROW,
        "fire-risk",
        _at("2024-11-19T09:40:00+00:00"),
        "Tomasz Wierzbicki",
        "They told us that too! By that logic a working boiler must be a fire risk as well, "
        "since we never got one of those either.",
        reply_to="oil-radiators",
    ),
    DemoComment(
        HARROW,
        "small-landlord",
        _at("2024-11-19T10:27:00+00:00"),
        "Graham Pettifer",
        "I let two flats in Millbrook myself, so I'm probably not going to be popular here.\n\n"
        "Nobody should wait two years for heating, and Corvane should be ashamed of itself. "
        "But a rent strike is a blunt instrument: it hits a small landlord with a mortgage "
        "long before it hits a company with 1,400 homes. I'd rather the council used the "
        "powers it already has.",
        homepage="https://pettifer-lettings.example.com/",
    ),
    DemoComment(
        HARROW,
        "four-inspectors",
        _at("2024-11-19T11:05:00+00:00"),
        "",
        "Nobody is proposing a rent strike against you, though. The article is clear that "
        "they aren't calling one, and the chair said *hopefully not at all*.\n\n"
        "As for the council's powers: four inspectors for 38,000 homes. Waiting for those "
        "powers to be used is exactly what has been tried, and it's why the notebook by "
        "Ms Ferrand's door has forty-one entries in it.",
        reply_to="small-landlord",
        by_reader=True,
    ),
    DemoComment(
        HARROW,
        "fair-point",
        _at("2024-11-19T12:31:00+00:00"),
        "Graham Pettifer",
        "Fair point about the inspectors. I didn't know the figure and it's shocking. I still "
        "think the union should be careful with the word. Threats have a way of hardening "
        "the other side.",
        reply_to="four-inspectors",
        homepage="https://pettifer-lettings.example.com/",
    ),
    DemoComment(
        HARROW,
        "not-a-threat",
        _at("2024-11-19T13:10:00+00:00"),
        "Bex Okonjo",
        "Asking for the repairs that are written into the tenancy agreement isn't a threat. "
        "It's the contract.",
        reply_to="small-landlord",
    ),
    DemoComment(
        HARROW,
        "fennick",
        _at("2024-11-20T07:55:00+00:00"),
        "Gwen Lacey",
        "Well done, all of you. Sending this round our residents' association in Fennick.",
        email="gwen.lacey@example.org",
        email_confirmed=True,
    ),
    DemoComment(
        HARROW,
        "in-writing",
        _at("2024-11-21T19:20:00+00:00"),
        "Pradeep Naidu",
        "A practical note for anyone in the block: you can ask the council's private "
        "housing team for an inspection yourself, even if you have only reported a problem "
        "once. Do it **in writing**, keep a copy and note the date. It's slow, but it makes "
        "a record that nobody can later say they never received.",
    ),
    # The 41 is being cut (published 2025-03-11 06:45 UTC).
    DemoComment(
        BUS,
        "half-ten",
        _at("2025-03-11T07:32:00+00:00"),
        "Siobhan Farrelly",
        "I'm a staff nurse on the respiratory ward and my shift ends at half ten. From June "
        "it's a taxi or a forty-minute walk through Brackwater in the dark. Neither of those "
        "is a plan.",
    ),
    DemoComment(
        BUS,
        "staff-shuttle",
        _at("2025-03-11T08:10:00+00:00"),
        "Kwame Asante-Reid",
        "Is the hospital doing anything about it? Plenty of hospitals run a staff minibus "
        "after the late shifts. If the trust can run a car park, it can run a minibus.",
        homepage="https://kwame.example.net/",
    ),
    DemoComment(
        BUS,
        "being-looked-at",
        _at("2025-03-11T09:22:00+00:00"),
        "Siobhan Farrelly",
        "It was raised at the last staff partnership meeting. We were told it's \"being "
        "looked at\". I've been on this ward long enough to know what that means.",
        reply_to="staff-shuttle",
    ),
    DemoComment(
        BUS,
        "empty-buses",
        _at("2025-03-11T09:48:00+00:00"),
        "Derek Hollingsworth",
        "I'll say what nobody wants to hear. I've been on the 9.30pm from the Fennick park "
        "and ride plenty of times and it's me and the driver. Running empty buses costs "
        "money that could be spent elsewhere. Cut the dead journeys by all means, just not "
        "the hospital ones.",
        email="d.hollingsworth@example.com",
    ),
    DemoComment(
        BUS,
        "same-bus",
        _at("2025-03-11T10:15:00+00:00"),
        "Oluwaseun Bakare",
        "But that's the article's point, isn't it? The empty seats are at the Fennick end and "
        "the full ones are at the hospital end, and it's the same bus. You can't cut one end "
        "of a route without cutting the other, unless Citylink turns some journeys short, "
        "which it hasn't offered to do.",
        reply_to="empty-buses",
    ),
    DemoComment(
        BUS,
        "short-run-it",
        _at("2025-03-11T11:02:00+00:00"),
        "Derek Hollingsworth",
        "Then run them short. Hospital to the station and back after nine. It isn't "
        "complicated; somebody at Citylink just has to want to do it.",
        reply_to="same-bus",
        email="d.hollingsworth@example.com",
    ),
    DemoComment(
        BUS,
        "cancelled",
        _at("2025-03-11T12:40:00+00:00"),
        "Marisol Quintero",
        "It's empty at 9.30 because the 9.30 has been cancelled three times in the last "
        "fortnight and nobody trusts it any more. The low numbers are a result of the "
        "unreliability, not a reason for the cut.",
        reply_to="empty-buses",
    ),
    DemoComment(
        BUS,
        "pay-the-drivers",
        _at("2025-03-12T06:58:00+00:00"),
        "Ade",
        "34 driver vacancies. Pay the drivers more. Next question.",
    ),
    DemoComment(
        BUS,
        "split-shifts",
        _at("2025-03-12T07:30:00+00:00"),
        "Lorna Beattie",
        "My brother drives for Citylink. It isn't only the pay, it's the split shifts: out "
        "at six for the morning peak, back for the evening one, home at eight and paid for "
        "seven and a half hours of it.",
        reply_to="pay-the-drivers",
    ),
    DemoComment(
        BUS,
        "bus-users-group",
        _at("2025-03-14T21:05:00+00:00"),
        "Nadia Brightwater",
        "I volunteer with the Northgate Bus Users' Group, so I should declare an interest. "
        "Citylink's operations director is quoted saying:\n\n"
        "> A timetable people can trust is better than one that looks good on paper and "
        "then doesn't turn up.\n\n"
        "On that much she is right, and anyone who has stood at the Saltings stop watching "
        "a bus vanish from the display board will agree. But a reliable timetable that "
        "doesn't run when you need it is reliable in the way a locked door is reliable.\n\n"
        "Three things I'd ask anyone reading this to do before 25 April:\n\n"
        "1. Tell the transport authority about the journey you will lose: the time, the "
        "stop, and what you will do instead. Officers say they read every response, so "
        "let's give them plenty to read.\n"
        "2. Add it to our [journeys form](https://example.org/bus-users/41-journeys) as "
        "well, so there's a public record that can't be summarised away.\n"
        "3. If you work at the hospital, ask whether the trust has responded to the "
        "consultation. It's the biggest employer on the route and, as far as we can tell, "
        "it hasn't said a word.\n\n"
        "We'll publish what people send us before the committee meets in May. And thank "
        "you to the Courier for actually riding the bus to report this.",
        email="nadia@example.org",
        homepage="https://example.org/bus-users/",
    ),
    DemoComment(
        BUS,
        "councillors-on-the-bus",
        _at("2025-03-16T23:47:00+00:00"),
        "Fed up in Fennick",
        "Typical. Not one of the transport committee has set foot on a bus in years. Make "
        "every one of them get the 41 home from the hospital at midnight for a month and "
        "see how long these cuts last.",
        held=True,
    ),
    # Why Eastfield library is closing (published 2025-06-24 07:00 UTC).
    DemoComment(
        CLOSURE,
        "under-the-plaque",
        _at("2025-06-24T09:15:00+01:00"),
        "Margaret Oduya",
        "I learned to read in that reading room, under the plaque. My grandson does his "
        "homework there now. Closing it to find less than 2% of the gap isn't a saving, "
        "it's a choice.",
    ),
    DemoComment(
        CLOSURE,
        "choice-either-way",
        _at("2025-06-24T10:02:00+01:00"),
        "Callum Reid",
        "It's a choice either way, though. Every pound kept here comes out of something "
        "else, and the report says the alternative was cutting every branch to three days "
        "a week. I'm honestly not sure which is worse.",
        reply_to="under-the-plaque",
    ),
    DemoComment(
        CLOSURE,
        "a-framing",
        _at("2025-06-24T11:30:00+01:00"),
        "Tamsin Orr",
        "The report is clear about the alternative *it chose to compare against*. It never "
        "costed keeping Eastfield open and trimming an hour here and there across the other "
        'branches, which people suggested in the consultation. "Close one or cut them all" '
        "is a framing, not a fact.",
        reply_to="choice-either-way",
    ),
    DemoComment(
        CLOSURE,
        "the-roof",
        _at("2025-06-24T12:05:00+01:00"),
        "Yvette Sandoval",
        "Agree with Margaret. And the roof is a one-off cost that, as the footnote says, "
        "isn't even in the savings figure.",
        reply_to="under-the-plaque",
    ),
    DemoComment(
        CLOSURE,
        "counting-by-hand",
        _at("2025-06-24T14:40:00+01:00"),
        "Felix Amankwah",
        "Sixty regulars logging two weeks of visits by hand is exactly the evidence the "
        "council should have been collecting itself. Brilliant work by the Friends.",
        homepage="https://felixreads.example.org/",
    ),
    DemoComment(
        CLOSURE,
        "signed",
        _at("2025-06-25T08:20:00+01:00"),
        "Rhiannon Pugh",
        "Signed.",
    ),
    DemoComment(
        CLOSURE,
        "volunteer-run",
        _at("2025-06-26T19:45:00+01:00"),
        "Ben Tallis",
        "> A library run by volunteers is better than no library. But it is not the same "
        "thing.\n\n"
        "I volunteered for three years at a community-run branch in the town where I used "
        "to live, and this is exactly right. We kept the doors open, but we couldn't do "
        "what a trained librarian does: nobody on our rota knew how to help someone through "
        "a benefits appeal, and the stock slowly went stale. Take the building if it's the "
        "only way to save it, but don't let anyone call it the same service.",
    ),
    DemoComment(
        CLOSURE,
        "any-money",
        _at("2025-06-26T21:10:00+01:00"),
        "Rhiannon Pugh",
        "Thank you for this. Did your branch get any money from the council at all, or was "
        "it all fundraising?",
        reply_to="volunteer-run",
    ),
    DemoComment(
        CLOSURE,
        "small-grant",
        _at("2025-06-27T07:50:00+01:00"),
        "Ben Tallis",
        "A small grant towards the building for the first two years, then nothing. That was "
        "when it started to go downhill.",
        reply_to="any-money",
    ),
    # Home care workers strike (published 2025-10-02 06:00 UTC).
    DemoComment(
        STRIKE,
        "ten-minutes",
        _at("2025-10-02T08:05:00+01:00"),
        "Janice Whitlow",
        "My mum has Kestrel carers twice a day. They have never once been late because they "
        "couldn't be bothered. They're late because the rota gives them ten minutes to cross "
        "the ward in rush hour. I'm with them.",
    ),
    DemoComment(
        STRIKE,
        "only-visitor",
        _at("2025-10-02T09:12:00+01:00"),
        "Ronan Keane",
        "Same with my dad. The morning carer is the only person he sees most days. "
        "Fifteen-minute visits are a disgrace, and I'm glad the union put them on the list.",
        reply_to="ten-minutes",
    ),
    DemoComment(
        STRIKE,
        "the-rate",
        _at("2025-10-02T10:30:00+01:00"),
        "Philippa Marsh",
        "I run a small care agency in another county (not Kestrel). Everyone in this sector "
        "wants to pay for travel time. The honest problem is the £21.40. At that rate, pay "
        "travel properly and you're out of business within the year, and the council hands "
        "the contract to someone cheaper. The picket belongs outside City Hall, not on "
        "Tanner Street.",
        homepage="https://marsh-homecare.example.com/",
    ),
    DemoComment(
        STRIKE,
        "publish-the-margin",
        _at("2025-10-02T11:45:00+01:00"),
        "Daniel Abara",
        'Then Kestrel should publish what it makes on the contract. "We can\'t pay" and '
        '"we\'d rather not" sound very alike from the car park, and a 4% rise with travel '
        "still unpaid doesn't look like a company that has run out of options.",
        reply_to="the-rate",
    ),
    DemoComment(
        STRIKE,
        "both-true",
        _at("2025-10-02T13:20:00+01:00"),
        "Philippa Marsh",
        "I haven't seen Kestrel's figures, so I can't argue with that. My point is only that "
        "even a generous employer can't fix a contract rate on its own. Both things can be "
        "true at once.",
        reply_to="publish-the-margin",
        homepage="https://marsh-homecare.example.com/",
    ),
    DemoComment(
        STRIKE,
        "retender",
        _at("2025-10-02T14:02:00+01:00"),
        "",
        "Both can be true, and the retender next spring is the moment to deal with both. If "
        "the new contracts require paid travel time, every bidder has to price it in and "
        "nobody is undercut for doing the right thing.",
        reply_to="the-rate",
        by_reader=True,
    ),
    DemoComment(
        STRIKE,
        "solidarity",
        _at("2025-10-03T06:40:00+01:00"),
        "Sunita Rao",
        "Solidarity from the hospital kitchens.",
    ),
    DemoComment(
        STRIKE,
        "medication-cover",
        _at("2025-10-04T17:25:00+01:00"),
        "Marek Dąbrowski",
        "An honest question: who covers the medication visits if the strike goes on past "
        "Sunday? The article says the union arranged cover for this week. I support the "
        "strike, but I'd like to know my aunt will be seen.",
    ),
    DemoComment(
        STRIKE,
        "same-arrangement",
        _at("2025-10-04T19:02:00+01:00"),
        "Ewa Jankowska",
        "From what the union told our family, the same arrangement holds for any further "
        "dates: medication and getting-up visits are covered by members on a rota. It's "
        "worth ringing Kestrel's office to check your aunt is on the list.",
        reply_to="medication-cover",
        email="ewa.jankowska@example.net",
        email_confirmed=True,
    ),
    # Eastfield library saved for another year (published 2026-02-17 07:15 UTC).
    DemoComment(
        REPRIEVE,
        "in-the-gallery",
        _at("2026-02-17T08:02:00+00:00"),
        "Margaret Oduya",
        "I was in the public gallery when they read it out. I had never cheered in a council "
        "chamber before and I'm not sorry.",
    ),
    DemoComment(
        REPRIEVE,
        "nor-me",
        _at("2026-02-17T08:40:00+00:00"),
        "Yvette Sandoval",
        "Nor had I! The look on the clerk's face.",
        reply_to="in-the-gallery",
    ),
    DemoComment(
        REPRIEVE,
        "reserves",
        _at("2026-02-17T09:30:00+00:00"),
        "Callum Reid",
        "Congratulations to the Friends, truly. But Cllr Greenhalgh has a point: this is "
        "reserves, and reserves can only be spent once. I'd like the Courier to follow up on "
        "what the reserves were meant for and what happens if they're needed.",
    ),
    DemoComment(
        REPRIEVE,
        "more-than-a-year",
        _at("2026-02-17T10:15:00+00:00"),
        "Tamsin Orr",
        "Seconded on the follow-up. Though the Friends' plan would cost the council about "
        "£90,000 a year less than the branch does now, which is rather more of a solution "
        'than "buys a year" suggests.',
        reply_to="reserves",
    ),
    DemoComment(
        REPRIEVE,
        "eat-my-words",
        _at("2026-02-17T11:00:00+00:00"),
        "Callum Reid",
        "If the savings turn up, I'll happily eat my words in this comment section.",
        reply_to="more-than-a-year",
    ),
    DemoComment(
        REPRIEVE,
        "upper-dene",
        _at("2026-02-17T13:45:00+00:00"),
        "Hannah Greaves",
        "Glad for Eastfield. Spare a thought for Upper Dene, where the same arguments didn't "
        "save us. There's a for-sale sign on our library now.",
        homepage="https://upper-dene.example.org/",
    ),
    DemoComment(
        REPRIEVE,
        "community-asset",
        _at("2026-02-17T14:30:00+00:00"),
        "Felix Amankwah",
        "That's hard to read. Is anyone looking at taking it on as a community asset before "
        "it's sold?",
        reply_to="upper-dene",
        homepage="https://felixreads.example.org/",
    ),
]
