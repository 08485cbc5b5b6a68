"""A generated corpus of labelled reader comments for the spam filter's benchmark.

`generate()` writes the same comments for the same seed: ham (local news reactions, heated
political argument, personal stories, long essays, short replies, specific praise and
corrections with links) and spam (link drops, SEO pitches, pharmacy, crypto "recovery" and
trading testimonials, generic praise with or without a link, and loans, essays, casinos and
work-from-home). Every phrase is written here, for this project.

It is meant to be hard in the ways real comment spam is: some spam carries no link and no
homepage, reads as plausible English and uses ordinary names and free-mail addresses; much
ham links to news sites, quotes ministers, and argues angrily with the words a naive filter
fears ("scam", "free", "money", "cheap", "rip-off", "crypto", "prescription").

The text is built from a small grammar: a template's `{slot}` is replaced by a random
choice from the bank of that name, recursively, so a few hundred phrases give thousands of
different comments.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_SEED = 20_240_311


@dataclass(frozen=True)
class LabelledComment:
    name: str
    email: str
    homepage: str
    body: str
    spam: bool
    kind: str


# People ---------------------------------------------------------------------------------

FIRST_NAMES = [
    "Aisha", "Aled", "Amara", "Anil", "Bartosz", "Bronwen", "Callum", "Chidi", "Ciarán",
    "Dafydd", "Deborah", "Dmitri", "Eilidh", "Emeka", "Esther", "Fatima", "Fionnuala",
    "Gareth", "Grażyna", "Hamza", "Hannah", "Hyun-woo", "Ifeoma", "Ioana", "Jamal",
    "Janet", "Jürgen", "Kwame", "Leila", "Li Wei", "Lorraine", "Magdalena", "Mairéad",
    "Marcus", "Mehmet", "Morwenna", "Nadia", "Niamh", "Nguyễn", "Olumide", "Owen",
    "Pádraig", "Parveen", "Priya", "Rhiannon", "Rui", "Saoirse", "Sanjay", "Siobhán",
    "Søren", "Tariq", "Tomasz", "Trevor", "Ulla", "Valentina", "Wanjiru", "Xiaoming",
    "Yusuf", "Zbigniew", "Zainab", "Dave", "Sue", "Graham", "Pauline", "Keith", "Bev",
    "Colin", "Maureen", "Steve", "Karen", "Ravi", "Olga", "Ahmed", "Róisín", "Eluned",
]  # fmt: skip
SURNAMES = [
    "Adebayo", "Ahmed", "Bhatt", "Brennan", "Campbell", "Chowdhury", "Davies", "Dąbrowski",
    "Evans", "Fernández", "Gallagher", "Griffiths", "Haddad", "Hughes", "Ibrahim", "Jones",
    "Kaur", "Kowalczyk", "Lewandowska", "Lloyd", "MacLeod", "Mensah", "Morgan", "Murphy",
    "Ní Bhriain", "Nowak", "Ó Súilleabháin", "Okafor", "Okonkwo", "Patel", "Popescu",
    "Pritchard", "Quinn", "Rahman", "Roberts", "Santos", "Schmidt", "Shah", "Singh",
    "Smith", "Tate", "Thomas", "Thị Hoa", "Trần", "Varga", "Walsh", "Wiśniewski", "Wright",
    "Yilmaz", "Zhang", "Kovač", "Achterberg", "Mwangi", "Oduya", "Barker", "Hussain",
]  # fmt: skip
HANDLES = [
    "NorthgateNeil", "grumpy_pensioner", "Tired Nurse", "ex-councillor", "BusUser42",
    "Mum of three", "Allotment Al", "angry of Eastfield", "RedRoseRita", "cyclist_dan",
    "Lifelong Labour voter", "Disillusioned Tory", "LibDemLynn", "Green Gaz", "retired teacher",
    "shift worker", "Ward 7 resident", "Pedant", "Local Historian", "Landlord (sorry)",
    "renter_for_life", "Student at the poly", "Old Git", "M.J.", "T. Harrow", "anon",
]  # fmt: skip
PLAUSIBLE_SPAM_NAMES = [
    "Jessica Miller", "Sandra Wilson", "Michael Brown", "Emily Johnson", "David Smith",
    "Linda Taylor", "Kevin Walker", "Sarah Thompson", "James Anderson", "Anna Petrova",
    "Olivia Martin", "Daniel Harris", "Patricia Moore", "Robert Clark", "Maria Garcia",
    "Jennifer Lee", "Chris Evans", "Laura White", "Mark Robinson", "Helen Scott",
]  # fmt: skip
KEYWORD_SPAM_NAMES = [
    "Best CBD Oil UK", "Buy Tramadol Online", "SEO Expert London", "Crypto Recovery Expert",
    "cheap flights", "Roofing Contractor Leeds", "Essay Writing Service", "Keto Diet Pills",
    "Bitcoin Trader", "Instagram Followers", "Payday Loans Fast", "Online Casino Bonus",
    "Web Design Agency", "locksmith near me", "Backlink Builder", "Dating Site",
    "VPN Deals", "Modafinil Shop", "Plumber Manchester", "Forex Signals",
]  # fmt: skip
HAM_MAIL_DOMAINS = [
    "gmail.com", "gmail.com", "gmail.com", "outlook.com", "hotmail.co.uk", "yahoo.co.uk",
    "btinternet.com", "protonmail.com", "icloud.com", "sky.com", "ed.ac.uk", "nhs.net",
    "virginmedia.com", "posteo.de", "wp.pl", "live.co.uk", "talktalk.net",
]  # fmt: skip
SPAM_MAIL_DOMAINS = [
    "gmail.com", "gmail.com", "outlook.com", "mail.ru", "yandex.ru", "hotmail.com",
    "yahoo.com", "protonmail.com", "gmx.com", "aol.com", "inbox.lv", "163.com",
]  # fmt: skip

# Sites ----------------------------------------------------------------------------------

SPAM_DOMAIN_HEADS = [
    "best", "cheap", "top", "pro", "rank", "buy", "quick", "smart", "easy", "global",
    "prime", "true", "my", "elite", "fast", "mega", "super", "vip",
]  # fmt: skip
SPAM_DOMAIN_STEMS = [
    "pills", "meds", "rx", "crypto", "coin", "loans", "cash", "essay", "roofing", "plumber",
    "casino", "bet", "slots", "cbd", "keto", "vpn", "seo", "leads", "backlinks",
    "followers", "writers", "pharma", "trade", "forex", "dating", "locksmith",
]  # fmt: skip
SPAM_DOMAIN_TAILS = ["hub", "zone", "store", "online", "shop", "pro", "now", "24", "365",
                     "world", "direct", "expert", "", "", "s"]  # fmt: skip
SPAM_TLDS = ["com", "com", "net", "org", "info", "biz", "xyz", "top", "online", "site",
             "store", "ru", "in", "pw", "club", "shop", "co", "co.uk"]  # fmt: skip
SPAM_PATH_WORDS = [
    "buy", "cheap", "online", "best", "order", "discount", "review", "2024", "guide",
    "free", "bonus", "offer", "sale", "top-10", "near-me", "promo", "uk", "usa",
]  # fmt: skip
NEWS_LINKS = [
    "https://www.bbc.co.uk/news/uk-politics-{n}",
    "https://www.bbc.co.uk/news/articles/c{n}o",
    "https://www.theguardian.com/politics/2024/mar/{d}/{slug}",
    "https://www.theguardian.com/society/2024/feb/{d}/{slug}",
    "https://www.reuters.com/world/uk/{slug}-2024-03-{d}/",
    "https://www.ft.com/content/{n}",
    "https://www.ons.gov.uk/economy/inflationandpriceindices/bulletins/{slug}",
    "https://commonslibrary.parliament.uk/research-briefings/cbp-{n}/",
    "https://hansard.parliament.uk/commons/2024-03-{d}/debates/{n}/{slug}",
    "https://www.gov.uk/government/publications/{slug}",
    "https://ifs.org.uk/publications/{slug}",
    "https://fullfact.org/economy/{slug}/",
    "https://en.wikipedia.org/wiki/{wiki}",
    "https://northgate.gov.uk/council/minutes/{n}",
    "https://www.northgatecourier.co.uk/news/{slug}",
    "https://www.youtube.com/watch?v={vid}",
    "https://x.com/{handle}/status/{n}",
    "https://archive.org/details/{slug}",
    "https://www.legislation.gov.uk/ukpga/2024/{d}",
]  # fmt: skip
NEWS_SLUGS = [
    "council-tax-rise-approved", "water-bills-to-rise", "nhs-waiting-lists-latest",
    "rail-fares-increase", "housing-benefit-freeze", "energy-price-cap-explained",
    "minister-denies-cuts", "bus-franchising-plan", "local-elections-results",
    "inflation-falls-again", "two-child-limit-poverty", "strike-talks-collapse",
    "pfi-contracts-cost", "sewage-discharges-data", "school-buildings-raac",
]  # fmt: skip
WIKI_PAGES = ["Private_finance_initiative", "Council_tax", "Right_to_Buy", "Beeching_cuts",
              "Universal_Credit", "Poll_tax_riots", "Water_privatisation_in_England_and_Wales",
              "Bedroom_tax", "Windrush_scandal", "Post_Office_scandal"]  # fmt: skip
HAM_HOMEPAGES = [
    "https://{first}{last}.substack.com", "https://{first}.wordpress.com",
    "https://github.com/{first}{last}", "https://mastodon.social/@{first}",
    "https://{first}-{last}.me.uk", "https://www.linkedin.com/in/{first}-{last}",
    "https://eastfieldallotments.org.uk", "https://northgatecyclists.org",
    "https://{first}{last}.blogspot.com",
]  # fmt: skip


# The grammar ----------------------------------------------------------------------------

# Phrase banks read best as tables, so the formatter leaves them alone.
# fmt: off
HAM_BANKS: dict[str, list[str]] = {
    "topic": [
        "the council tax rise", "the water bills", "the bus cuts", "the new bypass",
        "the library closure", "rent controls", "the NHS waiting lists", "the energy price cap",
        "tuition fees", "the two-child limit", "the rail fares", "the hospital car park charges",
        "the housing target", "the Eastfield estate regeneration", "the sewage dumping",
        "the school rebuilding programme", "the minimum wage", "the nurses' pay offer",
        "the bin collections", "free school meals", "the PFI deal", "the migration figures",
        "the local elections", "the green belt sell-off", "the leisure centre",
        "prescription charges",
    ],
    "politician": [
        "the minister", "the council leader", "our MP", "the Chancellor", "the opposition",
        "the cabinet member for housing", "the Prime Minister", "the mayor", "the shadow minister",
        "Councillor Hartley", "the health secretary", "the water regulator",
    ],
    "party": ["Labour", "the Tories", "the Lib Dems", "the Greens", "Reform", "the SNP",
              "Plaid", "the independents", "the ruling group"],
    "angry_open": [
        "Absolute disgrace.", "Here we go again.", "Unbelievable.", "Oh, spare me.",
        "I'm sorry but this is a scam and everyone knows it.", "What a joke.",
        "Give me strength.", "Words fail me.", "So let me get this straight.",
        "Typical.", "Honestly, who signed this off?", "Not this again.", "Pathetic.",
        "I've lived here forty years and I've never seen anything like it.",
        "Right, I'll say what everyone's thinking.", "Funny how this only comes out now.",
        "Rubbish.", "You couldn't make it up.",
    ],
    "argument": [
        "{politician} promised {topic} would save money and instead it's cost us millions.",
        "Calling {topic} 'free' is a lie when we pay for it three times over through tax.",
        "Nobody voted for {topic}, and {party} know it.",
        "The money is there, it's just going to shareholders instead of services.",
        "Cheap headlines from {party} won't fix {topic}.",
        "{topic} is a rip-off dressed up as reform.",
        "If {politician} thinks people on twelve grand a year can absorb this, they've never "
        "met any.",
        "Every penny of 'savings' from {topic} ends up as a consultancy fee.",
        "The whole scheme is a scam to shift the cost from the Treasury onto councils.",
        "{party} had fourteen years to sort out {topic} and did nothing.",
        "{party} were in charge when this started, so they can drop the outrage.",
        "Where exactly is the money coming from? Nobody has answered that.",
        "It's not a free market when three companies own the lot.",
        "Cutting {topic} to pay for tax cuts is a choice, not a necessity.",
        "They'll win the vote and lose the town.",
        "Landlords get a bonus and tenants get a bill. Same as ever.",
        "Public money, private profit. That's the whole story of {topic}.",
        "The 'offer' on the table is a real-terms pay cut and they know it.",
        "Guaranteed profits for the water companies, guaranteed sewage for the rest of us.",
        "Crypto bros and hedge funds get light-touch regulation while {topic} gets "
        "means-tested to death.",
        "My prescription went up again while {politician} talks about 'tough choices'.",
        "You don't get cheap energy by selling the grid to the highest bidder.",
        "The report says {topic} will cost {money} over ten years, not the {money} they claimed.",
        "Read the small print: the 'free' childcare hours aren't free for nurseries to provide.",
        "The debt didn't come from {topic}, it came from bailing out the banks.",
        "{politician} called it 'an investment'. It's a giveaway.",
        "Some of us remember the last time they tried {topic} and it was a shambles.",
        "Honest question: has anyone in {party} actually used a bus in this town?",
        "It's easy to be brave with other people's pensions.",
        "They sold us {topic} as a win for the town. It's a win for the developers.",
        "Means-testing is expensive, stigmatising, and saves almost nothing.",
        "If this was about value for money they'd have kept it in house.",
        "The council spent {money} on consultants to tell them what residents said for nothing.",
        "Claiming {topic} is a success because the figures 'stabilised' is an insult.",
    ],
    "sarcasm": [
        "But don't worry, I'm sure the consultants have it all in hand.",
        "Still, at least the ribbon-cutting photo looked nice.",
        "Genius. Truly. Give them a knighthood.",
        "Cheaper to do nothing, presumably, until it falls down.",
        "I'll believe it when I see it, which will be never.",
        "Another 'world-beating' plan, then.",
        "What could possibly go wrong.",
        "Can't wait for the inquiry in 2040.",
        "Lovely. Stealth taxes all round.",
    ],
    "quote": [
        "> \"We will not be raising taxes on working people.\"\n\nAged well, that.",
        "> \"This represents value for money for the taxpayer.\"\n\nFor which taxpayer?",
        "> \"Difficult decisions have had to be made.\"\n\nBy people who'll never feel them.",
        "> \"The scheme is fully funded.\"\n\nIt was fully funded until the first invoice.",
        "As {politician} said on the radio: \"nobody will be worse off\". Right.",
        "Quote from the article: \"the council has no plans to close the library\". "
        "They said that about the swimming baths.",
        "> \"There is no magic money tree.\"\n\nThere was one for the PPE contracts.",
    ],
    "link_intro": [
        "See the actual figures here: {news}", "Source: {news}", "Worth reading: {news}",
        "The minutes are public: {news}", "Full report: {news}", "The fact check is here: {news}",
        "For anyone who thinks I'm making this up: {news}",
        "[The Commons Library briefing]({news}) sets it out.",
        "There's a [decent explainer]({news}) if you can get past the paywall.",
        "Compare this with what they said last year: {news}",
    ],
    "money": ["£3.2m", "£40 million", "£1.4bn", "£600,000", "£12bn", "£85 a year", "£2.50 a ticket",
              "£9.90 per item", "£1,200 a month", "£250k"],
    "closer": [
        "Vote them out.", "Rant over.", "Shameful.", "Remember this in May.",
        "Sorry, but someone had to say it.", "Anyway. Same as it ever was.",
        "Write to your councillor, it does make a difference.", "", "", "",
        "I'll be at the meeting on Thursday if anyone wants to come.",
        "We deserve better than this.", "Not in my name.",
    ],
    "local_subject": [
        "the number 14 bus", "the bins on Albert Road", "the potholes on the ring road",
        "the library on Station Street", "the flooding by the underpass", "the market hall",
        "the new flats by the canal", "the lollipop lady at St Anne's", "the Eastfield estate",
        "the swimming baths", "parking outside the surgery", "the closure of the post office",
        "the 20mph limit", "the street lights on Mill Lane", "the food bank at the Methodist hall",
    ],
    "local_reaction": [
        "{local_subject} has been a problem since last winter and nobody answers emails.",
        "I walked past {local_subject} this morning and it's worse than the photo shows.",
        "Good to see the Courier covering {local_subject} at last.",
        "My neighbour reported {local_subject} three times and got an automated reply.",
        "We raised {local_subject} at the residents' meeting in January.",
        "The council's own survey said {local_subject} was the top complaint.",
        "Credit where it's due, the new team fixed {local_subject} within a week.",
        "My kids use {local_subject} every day, so this matters to us.",
        "Anyone know if the consultation on {local_subject} is still open?",
        "{local_subject} was fine until they outsourced the contract.",
        "There's a petition about {local_subject} going round the pub.",
    ],
    "local_detail": [
        "It took four months to get a reply.", "The contractor just left the cones there.",
        "Half the street signed the letter.", "My dad fell there in November.",
        "It's the third time this year.", "Buses now come every forty minutes instead of twenty.",
        "The cost went from £40 to £65 without any notice.",
        "Nobody from the council came to look.",
        "They've put up a sign but done nothing else.", "It floods every time it rains hard.",
        "The volunteers are doing the council's job for free.",
        "Our councillor did actually turn up, fair play.",
    ],
    "story": [
        "My mum waited fourteen hours in A&E last month with a broken hip.",
        "I've rented the same flat for nine years and the rent has gone up by a third.",
        "I was a bus driver on this route for twenty years before they cut it.",
        "When the steelworks closed my dad never worked again.",
        "I retrained as a nurse at forty and I'm now worse off than when I was in retail.",
        "My daughter's school has had buckets in the corridor since October.",
        "We moved here from Kraków in 2006 and this town gave us a home.",
        "I volunteer at the food bank on Saturdays and the queue gets longer every month.",
        "My son spent two years on the waiting list for an assessment.",
        "I ran a café on the high street until the business rates doubled.",
        "I came here as a refugee in 1999 and have paid tax every year since.",
        "My grandad worked on the railways and he'd be livid about this.",
    ],
    "story_turn": [
        "Nobody in charge seems to have the faintest idea what that is like.",
        "So forgive me if I don't take lectures about 'tough choices'.",
        "That's what {topic} looks like from down here.",
        "I'm not asking for sympathy, I'm asking for the thing we were promised.",
        "And I'm one of the lucky ones.",
        "Numbers in a spreadsheet are people on my street.",
    ],
    "short": [
        "Agreed.", "This.", "Source?", "Exactly this.", "Nonsense.", "Well said.",
        "Thanks for covering this.", "Great piece.", "Spot on.", "Hear, hear.",
        "Not true, read the minutes.", "lol", "Couldn't agree more.", "Good question.",
        "Seconded.", "What a mess.", "Brilliant reporting, thank you.", "Sad news.",
        "Fair point, I hadn't thought of that.", "Do you have a link for that?",
        "Correct.", "Depressing but not surprising.", "RIP. He was a lovely man.",
        "Absolutely shocking.", "Same on our street.", "Thank you for this, really useful.",
        "Nice one.", "Wrong, and you know it.", "Ha! Good luck with that.",
        "Interesting article, thanks.", "Well, that's my evening ruined.",
        "Great post!", "Very informative, thank you.", "Thanks for sharing.", "Nice article.",
        "Keep up the good work!", "Great read, thanks.", "Excellent article.",
    ],
    "relative": ["mum", "dad", "nan", "neighbour", "brother-in-law", "aunt", "friend from work",
                 "elderly neighbour", "uncle"],
    "scam_warning": [
        "Be careful everyone, my {relative} got a WhatsApp message from a so-called crypto "
        "recovery expert promising to get back the {money} she lost. It's a scam on top of a scam.",
        "Trading Standards seized fake viagra and diet pills from a shop on the high street. "
        "Don't buy medicine online without a prescription, it's not worth the risk.",
        "If anyone offers you a loan with no credit check, report them. Loan sharks are "
        "targeting the estate again.",
        "The 'free energy survey' calls are a scam, the council doesn't phone people.",
        "My {relative} lost {money} to a bitcoin investment 'opportunity' advertised with a "
        "fake BBC article and a celebrity's face on it.",
        "Spam comments promising easy money are exactly how these people find their victims.",
        "Please don't click links in texts claiming to be from Royal Mail or the bank.",
        "The police say the 'guaranteed returns' crypto scheme took {money} from people in "
        "this town alone. Report it to Action Fraud.",
        "My {relative} was told he'd won a free holiday and only had to pay the taxes upfront. "
        "Classic scam, luckily he rang me first.",
        "Cheap weight-loss pills bought online put a girl from my daughter's school in hospital.",
        "They target pensioners with 'investment opportunities' on Facebook. Warn your parents.",
    ],
    "reply_to": [
        "@{first}", "{first},", "Replying to {first}:", "{first} is right.",
        "With respect, {first},", "Sorry {first} but",
    ],
    "praise": [
        "Great article — the bit about {topic} explained what the council never did.",
        "Thank you for actually reading the budget papers instead of the press release.",
        "Really good piece. The graph of {topic} is the clearest I've seen.",
        "This is why local journalism matters. Nobody else covered {topic}.",
        "Fantastic reporting on {local_subject}, please keep on it.",
        "Fair and balanced write-up of {topic}, which is rare these days.",
        "Loved the interview with the residents, they made the point better than any politician.",
        "Brilliant work by the reporter, the FOI figures are damning.",
    ],
    "correction": [
        "Small correction: the figure in the third paragraph should be {money}, not {money}.",
        "The article says the vote was on Tuesday, it was Wednesday. Minutes here: {news}",
        "Minor point, but the ward is Eastfield North, not Eastfield.",
        "For accuracy: the scheme was announced in 2019, see {news}",
        "The headline is a bit misleading; the report itself says it's a proposal: {news}",
    ],
    "essay_sentence": [
        "{argument}", "{argument}", "{local_reaction}", "{local_detail}", "{story}",
        "The deeper problem is that nobody plans beyond the next election.",
        "Councils have lost around a quarter of their funding since 2010, and it shows.",
        "It would be easy to blame the officers, but they are working with what they're given.",
        "I don't think {party} are villains, I think they are out of ideas.",
        "We used to own the buses, the water and the power, and it worked well enough.",
        "Meanwhile, the people who can least afford it are told to be patient.",
        "If you want people to trust politics, start by telling them the truth about costs.",
        "The consultation closed before most people had heard of it.",
        "There's a version of {topic} that could work, but this isn't it.",
        "Young people are leaving the town because there's nothing here for them.",
        "In fairness, the last administration left the books in a mess.",
        "None of this is inevitable; other towns have done it differently.",
        "I'd happily pay a bit more council tax if I could see where it went.",
        "The cheapest option on paper is rarely the cheapest over twenty years.",
    ],
}

SPAM_BANKS: dict[str, list[str]] = {
    "greeting": [
        "Hi there,", "Hello!", "Hey,", "Good day!", "Hi admin,", "Dear webmaster,", "Hi,",
        "Greetings!", "Hello everyone,", "Hi team,", "", "", "",
    ],
    "praise_open": [
        "Great post!", "Very informative article.", "Nice blog!", "Awesome article, thanks.",
        "I really enjoyed reading this.", "This is very interesting content.",
        "Excellent post, I learned a lot.", "Wonderful article, keep it up.",
        "Thanks for sharing such useful information.", "Very nice post, really helpful.",
        "Good article.", "I like this website very much.", "Hello, your article is amazing.",
        "I have been browsing online more than three hours today, yet I never found any "
        "interesting article like yours.", "This paragraph gives clear idea for the new viewers.",
        "Hi, I do think this is an excellent blog.", "What a fantastic piece of writing!",
        "Pretty nice post.", "Thank you for the good writeup.", "Really enjoyed this post.",
    ],
    "spun_praise": [
        "{Great|Awesome|Wonderful|Fantastic|Nice|Superb|Excellent} {post|article|write-up|piece|"
        "blog post|read}{!|.|!!| :)}",
        "I {really|truly|genuinely} {enjoyed|liked|appreciated} {reading|going through} "
        "{this|your} {post|article|content}.",
        "{Thanks|Thank you|Many thanks} for {sharing|posting|writing} {this|such} "
        "{useful|helpful|valuable|informative|great} {information|content|info|article}.",
        "{Keep|Please keep} {up the good work|it up|writing|posting}{!|.}",
        "I{ will|'ll} {bookmark|save} {this page|your site|your blog} and {come back|check back|"
        "return} {later|soon|for more}.",
        "{Your|This} {site|blog|website} {has|contains} {a lot of|lots of|plenty of|tons of} "
        "{useful|great|quality} {information|content|articles}.",
        "{Hey|Hi|Hello} {there|admin|friend}, {just|simply} {wanted to|want to} {say|tell you} "
        "{thanks|your article is great|this helped me}.",
        "{What|Such} {a|an} {great|fantastic|informative|interesting} {article|post|read}{!|.} "
        "{I|We} {learned|learnt} {so much|a lot|something new}.",
        "Do you mind if I quote {a couple of|some|a few} of your {articles|posts} as long as I "
        "provide credit and sources back to your {site|blog|webpage}?",
        "{Hmm|Wow|Woah}, {this|that} is {exactly|precisely} what I was {looking for|searching for}"
        "{.|!|, thanks}",
        "{It's|It is} {a|an} {shame|pity} you don't have a donate button! I'd {certainly|most "
        "certainly|definitely} donate to this {brilliant|excellent|superb} {blog|website}!",
    ],
    "praise_middle": [
        "I have bookmarked your site and will come back for more.",
        "It is pretty worth enough for me.",
        "You have a talent for explaining complex topics in simple words.",
        "I will share it with my friends on Facebook.",
        "Keep up the good work!", "Looking forward to your next post.",
        "Your writing style is awesome.", "I found it very useful for my research.",
        "Where can I subscribe to your newsletter?",
        "Is this a paid theme or did you customize it?",
        "Your site loads very fast, which hosting do you use?",
        "I wish my website had such quality content.",
        "Please keep posting such informative articles.",
        "It is the best article I read this week.",
    ],
    "praise_link": [
        "Check my site: {spamlink}", "Visit my blog: {spamlink}",
        "Feel free to visit my page {spamlink}",
        "I also wrote about this on {spamlink}", "My website: {spamlink}",
        "You can find similar content at [{anchor}]({spamlink})",
        "Check out [my blog]({spamlink}) too.",
        "Also visit my web site :: {spamlink}", "Here is my page - {spamlink}",
        "my homepage ... {spamlink}", "Look into my web blog; {spamlink}",
    ],
    "anchor": [
        "best cbd oil", "cheap flights", "roofing contractor", "buy followers",
        "essay writing service", "online casino", "keto pills", "emergency plumber",
        "crypto trading", "payday loans", "seo services", "web design company",
        "locksmith near me", "buy viagra online", "forex signals", "click here", "more info",
        "this website", "read more", "dating site",
    ],
    "link_drop": [
        "{anchor} {spamlink}", "[{anchor}]({spamlink})", "<a href=\"{spamlink}\">{anchor}</a>",
        "[url={spamlink}]{anchor}[/url]", "{spamlink}", "{anchor} - {spamlink}",
    ],
    "seo_pitch": [
        "I noticed your website is not ranking on the first page of Google for many keywords.",
        "We can increase your organic traffic by 300% in just 30 days.",
        "Our white hat SEO team builds high authority backlinks from DA 50+ websites.",
        "I can help you with guest posting on high DA sites at cheap price.",
        "Do you need more traffic and sales for your business?",
        "We offer a complete digital marketing package: SEO, SMM, PPC and web design.",
        "Your site has several technical SEO errors that are hurting your rankings.",
        "I am a professional web developer and I can redesign your website at affordable cost.",
        "Get 10,000 real Instagram followers delivered in 24 hours.",
        "We provide 100% manual link building with guaranteed results.",
    ],
    "seo_call": [
        "Reply to this comment for a free audit.", "Contact me at {spamemail} for a free quote.",
        "Let me know if you are interested.", "Send me a message on WhatsApp {phone}.",
        "Visit {spamlink} to see our packages.", "Special discount this month only!",
        "Email us today: {spamemail}", "Book a free consultation: {spamlink}",
    ],
    "seo_niche": [
        "If you need a reliable [{service} in {city}]({spamlink}), we are the best.",
        "Looking for {service} in {city}? Call us today, 24/7 service.",
        "I was searching for {service} in {city} and found your post, very helpful!",
        "We are the leading {service} in {city} with 5 star reviews.",
        "Affordable {service} {city} - {spamlink}",
    ],
    "service": [
        "roofing company", "emergency plumber", "locksmith", "removals company",
        "carpet cleaning", "dentist", "driveway paving", "solar panel installer",
        "boiler repair", "window cleaner", "car key replacement", "pest control",
        "web design agency", "accountant", "personal injury lawyer",
    ],
    "city": ["London", "Manchester", "Leeds", "Birmingham", "Dallas", "Houston", "Toronto",
             "Sydney", "Dubai", "Bristol", "Glasgow", "New York", "Miami"],
    "drug": [
        "viagra", "cialis", "tramadol", "xanax", "modafinil", "oxycodone", "levitra",
        "valium", "adderall", "kamagra", "phentermine", "ambien", "sildenafil", "tadalafil",
        "v1agra", "c1alis", "v!agra", "xan@x", "tr@madol", "VIAGRA",
    ],
    "pharma": [
        "Buy {drug} online without prescription.", "Cheap {drug} 100mg - fast discreet delivery.",
        "Order {drug} online, no prescription needed, overnight shipping.",
        "Generic {drug} at the lowest price guaranteed.", "{drug} for sale, 80% off today only.",
        "Best online pharmacy for {drug} and {drug}.",
        "Where to buy {drug} safely online? Here: {spamlink}",
        "We ship {drug} worldwide. Pay with bitcoin or card.",
        "Get {drug} delivered to your door, no doctor visit.",
        "Top quality {drug} pills, FDA approved, money back guarantee.",
        "Lose 10kg in 2 weeks with our keto pills, no diet needed!",
        "Natural male enhancement that works better than {drug}.",
    ],
    "crypto_story": [
        "I lost {usd} to a fake investment platform and thought it was gone forever.",
        "I was scammed out of {usd} in bitcoin by an online trader last year.",
        "I never believed in crypto until a friend introduced me to {expert}.",
        "Investing with {expert} has changed my life, I now earn {usd} every week.",
        "I started with {usd} and within a month my portfolio was worth {usd}.",
        "After my divorce I was struggling with bills until I discovered bitcoin mining.",
        "Everyone is talking about inflation, but my savings are growing thanks to crypto.",
        "My husband was skeptical at first but now we both trade with {expert}.",
    ],
    "crypto_turn": [
        "Then I contacted {expert} and they recovered all my funds within 72 hours.",
        "{expert} is honest and reliable, they helped me withdraw my profits with no problem.",
        "I highly recommend {expert} to anyone who wants financial freedom.",
        "Their trading strategy is amazing and the profit is guaranteed.",
        "Don't let the banks keep you poor, take control of your money today.",
        "The government doesn't want you to know about this free money system.",
        "They are legit and they charge no upfront fee.",
    ],
    "crypto_contact": [
        "Contact them on WhatsApp {phone}.", "Email: {spamemail}", "Telegram: @{tg}",
        "Reach out via {spamemail} or WhatsApp {phone}.", "Visit {spamlink} to get started.",
        "Message {expert} on Telegram @{tg} and tell them I referred you.",
        "Their website is {spamlink}",
    ],
    "expert": [
        "Mrs. Sandra Lee", "Mr. James Carter", "CryptoRecoveryPro", "Expert Olivia Grant",
        "Trader Mark Wilson", "Hacker Viktor", "BlockchainAssetRecovery", "Mr. Dominic Hale",
        "Dr. Anna Fischer", "CoinRescue Team", "Mrs. Elizabeth Vance",
    ],
    "usd": ["$5,000", "$40,000", "$250", "$12,500", "$3,500", "£20,000", "$1,000",
            "$87,000", "€15,000", "$500"],
    "misc": [
        "I'm making $90 an hour working from home. I never thought it was possible. "
        "Everyone must try this job now, just use this link {spamlink}",
        "Need a loan? We offer fast personal loans at 2% interest, no credit check. "
        "Contact {spamemail}",
        "Get a 200% welcome bonus at the best online casino! Free spins every day: {spamlink}",
        "Struggling with your essay? Our native writers deliver plagiarism free papers in "
        "6 hours. Order at {spamlink}",
        "Meet hot singles in your area tonight: {spamlink}",
        "Politicians are hiding this free energy secret from you! Watch before it gets "
        "deleted: {spamlink}",
        "Earn money online by filling simple surveys, up to $500 per day. Join free: {spamlink}",
        "Cheap car insurance quotes in 2 minutes, save up to 70%: {spamlink}",
        "Want to rank your YouTube video? Buy real views and likes here {spamlink}",
        "Best VPN deal 2024 - 85% off, unlimited streaming. Grab it: {spamlink}",
        "Are you a student? Get your assignment done by experts at cheap price. WhatsApp {phone}",
        "Work from home opportunity, earn £3000 weekly, no experience needed. Email {spamemail}",
    ],
    "spam_closer": [
        "Thanks!", "Regards.", "Cheers", "Thank you.", "Best wishes!", "God bless.",
        "Don't miss out!", "Limited offer!", "Act now!!", "", "", "", "",
    ],
}
# fmt: on


# The generator --------------------------------------------------------------------------

_SLOT = re.compile(r"\{(\w+)\}")
# Spam bots "spin" text: {Great|Awesome} {post|article} picks one of each on every comment.
_SPIN = re.compile(r"\{([^{}]*\|[^{}]*)\}")
_NOT_DECOMPOSED = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ß": "ss"})


class _Writer:
    """One comment's worth of randomness: fills templates, invents links and people."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.first = rng.choice(FIRST_NAMES)
        self.last = rng.choice(SURNAMES)
        self.specials: dict[str, Callable[[], str]] = {
            "news": self.news_link,
            "spamlink": self.spam_link,
            "spamemail": self.spam_email,
            "phone": self.phone,
            "tg": lambda: (
                rng.choice(["cryptoking", "recover_funds", "trade_with_mark"])
                + str(rng.randint(1, 999))
            ),
            "first": lambda: rng.choice(FIRST_NAMES),
        }

    def fill(self, template: str, banks: dict[str, list[str]], depth: int = 0) -> str:
        def replace(match: re.Match[str]) -> str:
            slot = match.group(1)
            if slot in self.specials:
                return self.specials[slot]()
            choice = self.rng.choice(banks.get(slot) or HAM_BANKS[slot])
            return self.fill(choice, banks, depth + 1) if depth < 4 else choice

        template = _SPIN.sub(lambda match: self.rng.choice(match.group(1).split("|")), template)
        return _SLOT.sub(replace, template)

    def pick(self, bank: list[str]) -> str:
        return self.rng.choice(bank)

    def spam_domain(self) -> str:
        parts = [self.pick(SPAM_DOMAIN_HEADS), self.pick(SPAM_DOMAIN_STEMS)]
        joiner = self.pick(["", "", "-"])
        tail = self.pick(SPAM_DOMAIN_TAILS)
        name = joiner.join(parts) + (joiner + tail if tail else "")
        return f"{name}.{self.pick(SPAM_TLDS)}"

    def spam_link(self) -> str:
        style = self.rng.random()
        if style < 0.12:
            return f"https://bit.ly/{self.token(7)}"
        if style < 0.22:
            host = f"{self.token(6)}.{self.pick(['blogspot.com', 'wordpress.com', 'weebly.com'])}"
        else:
            host = self.spam_domain()
        path = "-".join(self.rng.sample(SPAM_PATH_WORDS, self.rng.randint(0, 3)))
        scheme = self.pick(["https://", "http://", "https://www.", "http://www."])
        return f"{scheme}{host}/{path}" if path else f"{scheme}{host}"

    def spam_email(self) -> str:
        if self.rng.random() < 0.5:
            mailbox = self.pick(["info", "contact", "support", "sales", "hello"])
            return f"{mailbox}@{self.spam_domain()}"
        return f"{self.token(5)}{self.rng.randint(1, 99)}@{self.pick(SPAM_MAIL_DOMAINS)}"

    def phone(self) -> str:
        return self.pick(["+1 (", "+44 7", "+234 8", "+1 "]) + " ".join(
            str(self.rng.randint(100, 999)) for _ in range(3)
        )

    def news_link(self) -> str:
        template = self.pick(NEWS_LINKS)
        return template.format(
            n=self.rng.randint(10_000, 99_999_999),
            d=f"{self.rng.randint(1, 28):02d}",
            slug=self.pick(NEWS_SLUGS),
            wiki=self.pick(WIKI_PAGES),
            vid=self.token(11),
            handle=self.pick(["bbcpolitics", "NorthgateCourier", "fullfact", "ONS"]),
        )

    def token(self, length: int) -> str:
        return "".join(self.rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=length))

    def ascii_name(self, text: str) -> str:
        """`text` as an e-mail address's local part would spell it: "Siobhán" -> "siobhan"."""
        text = text.lower().translate(_NOT_DECOMPOSED)
        plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z]", "", plain)


def _ham_person(w: _Writer) -> tuple[str, str, str]:
    rng = w.rng
    style = rng.random()
    if style < 0.55:
        name = f"{w.first} {w.last}"
    elif style < 0.7:
        name = w.first
    elif style < 0.8:
        name = f"{w.first[0]}. {w.last}"
    else:
        name = rng.choice(HANDLES)
    first, last = w.ascii_name(w.first) or "reader", w.ascii_name(w.last) or "local"
    email = ""
    if rng.random() < 0.7:
        local = rng.choice([f"{first}.{last}", f"{first[0]}{last}", f"{first}{last}",
                            f"{first}{rng.randint(1, 99)}", f"{last}.{first}", first])  # fmt: skip
        email = f"{local}@{rng.choice(HAM_MAIL_DOMAINS)}"
    homepage = ""
    if rng.random() < 0.12:
        homepage = rng.choice(HAM_HOMEPAGES).format(first=first, last=last)
    return name, email, homepage


def _spam_person(w: _Writer, kind: str) -> tuple[str, str, str]:
    rng = w.rng
    style = rng.random()
    if kind in {"seo", "link"} and style < 0.5 or style < 0.2:
        name = rng.choice(KEYWORD_SPAM_NAMES)
    elif style < 0.75:
        name = rng.choice(PLAUSIBLE_SPAM_NAMES)
    elif style < 0.88:
        name = f"{w.first} {w.last}"  # a stolen or invented real-looking name
    else:
        name = f"{w.token(6)}{rng.randint(10, 99)}"
    email = ""
    if rng.random() < 0.85:
        plain = w.ascii_name(name) or w.token(6)
        email = rng.choice(
            [w.spam_email(), f"{plain[:12]}{rng.randint(1, 2005)}@{rng.choice(SPAM_MAIL_DOMAINS)}",
             f"{plain[:10]}@{rng.choice(SPAM_MAIL_DOMAINS)}"]
        )  # fmt: skip
    chance = {"praise": 0.75, "seo": 0.75, "copied": 1.0}.get(kind, 0.4)
    homepage = w.spam_link() if rng.random() < chance else ""
    return name, email, homepage


def _sentences(w: _Writer, banks: dict[str, list[str]], slots: list[str]) -> str:
    """One filled sentence per slot, each capitalised, without repeating a sentence."""
    parts: list[str] = []
    for slot in slots:
        for _ in range(4):
            part = w.fill("{" + slot + "}", banks)
            if part not in parts:
                break
        if part and part not in parts:
            parts.append(part[0].upper() + part[1:])
    return " ".join(parts)


def _ham_body(w: _Writer) -> tuple[str, str]:
    rng = w.rng
    roll = rng.random()
    if roll < 0.32:
        slots = ["angry_open"] + ["argument"] * rng.randint(1, 4)
        if rng.random() < 0.4:
            slots.append("sarcasm")
        body = _sentences(w, HAM_BANKS, slots)
        if rng.random() < 0.25:
            body += "\n\n" + w.fill("{quote}", HAM_BANKS)
        if rng.random() < 0.3:
            body += "\n\n" + w.fill("{link_intro}", HAM_BANKS)
        return "political", body + " " + w.fill("{closer}", HAM_BANKS)
    if roll < 0.52:
        slots = ["local_reaction"] + ["local_detail"] * rng.randint(0, 3)
        body = _sentences(w, HAM_BANKS, slots)
        if rng.random() < 0.15:
            body += " " + w.fill("{link_intro}", HAM_BANKS)
        return "local", body
    if roll < 0.62:
        body = _sentences(
            w, HAM_BANKS, ["story", "story_turn"] + ["essay_sentence"] * rng.randint(0, 2)
        )
        return "story", body
    if roll < 0.72:
        paragraphs = [
            _sentences(w, HAM_BANKS, ["essay_sentence"] * rng.randint(3, 6))
            for _ in range(rng.randint(3, 6))
        ]
        if rng.random() < 0.5:
            paragraphs.insert(rng.randint(1, len(paragraphs)), w.fill("{quote}", HAM_BANKS))
        if rng.random() < 0.4:
            paragraphs.append(w.fill("{link_intro}", HAM_BANKS))
        return "essay", "\n\n".join(paragraphs)
    if roll < 0.87:
        body = w.fill("{short}", HAM_BANKS)
        if rng.random() < 0.35:
            body = w.fill("{reply_to}", HAM_BANKS) + " " + body[0].lower() + body[1:]
        return "short", body
    if roll < 0.92:
        return "praise", _sentences(w, HAM_BANKS, ["praise"] + ["short"] * rng.randint(0, 1))
    if roll < 0.96:
        slots = ["scam_warning"] + ["short"] * rng.randint(0, 1)
        return "scam-warning", _sentences(w, HAM_BANKS, slots)
    return "correction", w.fill("{correction}", HAM_BANKS)


def _spam_body(w: _Writer) -> tuple[str, str]:
    rng = w.rng
    roll = rng.random()
    if roll < 0.22:
        # Generic praise, often spun: a third with no link at all, carried by the homepage.
        opener = "praise_open" if rng.random() < 0.4 else "spun_praise"
        slots = ["greeting", opener] + ["spun_praise", "praise_middle"][: rng.randint(0, 2)]
        if rng.random() < 0.65:
            slots.append("praise_link")
        return "praise", _sentences(w, SPAM_BANKS, slots + ["spam_closer"])
    if roll < 0.30:
        # A genuine-looking comment copied from elsewhere, to carry a link or a homepage.
        _, body = _ham_body(w)
        if rng.random() < 0.35:
            body += rng.choice(["\n\n", " ", "\n"]) + w.fill("{link_drop}", SPAM_BANKS)
        return "copied", body
    if roll < 0.40:
        drops = [w.fill("{link_drop}", SPAM_BANKS) for _ in range(rng.randint(1, 6))]
        lead = w.fill(rng.choice(["{praise_open}", "{greeting}", "", "{anchor}:"]), SPAM_BANKS)
        return "link", (lead + "\n" + rng.choice(["\n", " ", "\n\n"]).join(drops)).strip()
    if roll < 0.56:
        slots = ["greeting"] + rng.sample(
            ["seo_pitch", "seo_niche", "seo_pitch"], rng.randint(1, 3)
        )
        return "seo", _sentences(w, SPAM_BANKS, slots + ["seo_call", "spam_closer"])
    if roll < 0.68:
        body = _sentences(w, SPAM_BANKS, ["pharma"] * rng.randint(1, 3))
        if rng.random() < 0.7:
            body += " " + w.fill("{link_drop}", SPAM_BANKS)
        return "pharmacy", body
    if roll < 0.88:
        slots = ["crypto_story", "crypto_turn"] + ["crypto_turn"] * rng.randint(0, 1)
        return "crypto", _sentences(w, SPAM_BANKS, slots + ["crypto_contact", "spam_closer"])
    return "misc", w.fill("{misc}", SPAM_BANKS)


def _roughen(w: _Writer, body: str, spam: bool) -> str:
    """Surface noise both kinds of comment have: shouting, missing capitals, emoji."""
    rng = w.rng
    if rng.random() < 0.08:
        body = body.lower()
    if rng.random() < (0.06 if spam else 0.03):
        body = body.upper()
    if rng.random() < (0.15 if spam else 0.05):
        body += " " + rng.choice(["😀", "👍", "🙏", "🔥🔥", "💰💰💰", "!!!", "😡", "🤦"])
    return body


def generate(seed: int = DEFAULT_SEED, ham: int = 1200, spam: int = 1200) -> list[LabelledComment]:
    """`ham` genuine and `spam` spam comments, shuffled; the same list for the same seed."""
    rng = random.Random(seed)
    comments = []
    for is_spam, count in ((False, ham), (True, spam)):
        for _ in range(count):
            w = _Writer(rng)
            if is_spam:
                kind, body = _spam_body(w)
                name, email, homepage = _spam_person(w, kind)
            else:
                kind, body = _ham_body(w)
                name, email, homepage = _ham_person(w)
            body = _roughen(w, " ".join(body.split(" ")).strip(), is_spam)
            comments.append(LabelledComment(name, email, homepage, body, is_spam, kind))
    rng.shuffle(comments)
    return comments
