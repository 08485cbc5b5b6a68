"""The word lists behind `generated.py`: names, places, issues, statements, headings and
the stock phrases of readers' comments and spam.

This is the data half of the invented text; `generated.py` is the code that picks from these
lists and assembles headlines, article bodies and comments. Every word and phrase was written
for Broadsheet, and the places, people, organisations and quotations are fictional, set in
the same imaginary city as the demo newsroom. The order of each list is part of what a seed
produces: a seeded generator picks by position, so reordering, adding or removing an entry
changes what `broadsheet generate --seed N` writes.
"""

from __future__ import annotations

# People, places, topics and articles --------------------------------------------------

FIRST_NAMES = [
    "Ada", "Adebayo", "Agnieszka", "Aisha", "Alasdair", "Amara", "Anwen", "Arjun", "Beatriz",
    "Bernadette", "Bilal", "Bronwen", "Callum", "Carys", "Chidi", "Clemency", "Dafydd",
    "Declan", "Delphine", "Dorota", "Eamon", "Efua", "Eilidh", "Emeka", "Esther", "Farah",
    "Fergus", "Fionnuala", "Gareth", "Grainne", "Hamid", "Hannelore", "Hywel", "Idris",
    "Imogen", "Isaac", "Jadwiga", "Jasper", "Joanna", "Kamala", "Keziah", "Kofi", "Lachlan",
    "Leonie", "Lowri", "Maelle", "Magnus", "Malik", "Marguerite", "Matteo", "Meera",
    "Morag", "Nadim", "Niamh", "Nkechi", "Olamide", "Orla", "Oskar", "Parveen", "Perpetua",
    "Priya", "Rashid", "Renata", "Rhiannon", "Rory", "Rosalind", "Ruaridh", "Saoirse",
    "Selin", "Shona", "Siddharth", "Solveig", "Tamsin", "Tariq", "Teodora", "Tobias",
    "Ulrike", "Valentin", "Wanjiru", "Wilhelmina", "Xavier", "Yusuf", "Zainab", "Zofia",
]  # fmt: skip
SURNAMES = [
    "Abernethy", "Achebe", "Alderton", "Amadi", "Arbuthnot", "Bakshi", "Balogun",
    "Blackwood", "Brannigan", "Carraway", "Castellano", "Chaudhry", "Cheung", "Cogan",
    "Dalrymple", "Delacroix", "Drummond", "Duffield", "Eckersley", "Esposito", "Fairbairn",
    "Farrugia", "Featherstone", "Galbraith", "Gallacher", "Gorecki", "Greenhalgh",
    "Haddock", "Hallworth", "Haverford", "Ibekwe", "Iqbal", "Jankowski", "Jessop",
    "Kaczmarek", "Kavanagh", "Kettlewell", "Lafferty", "Lindgren", "Llewellyn", "Lockhart",
    "MacAskill", "Madureira", "Mbeki", "McCallister", "Moreau", "Mossop", "Nakamura",
    "Nwachukwu", "Oduya", "Okafor", "Olawale", "Ormerod", "Osei", "Pemberton", "Pinheiro",
    "Prendergast", "Quigley", "Rafferty", "Ramaswamy", "Rasmussen", "Rowntree",
    "Sandoval", "Satterthwaite", "Seddon", "Sikorski", "Stavrou", "Tattersall", "Thackeray",
    "Tiernan", "Umeh", "Urquhart", "Vasquez", "Villiers", "Wainwright", "Whitlock",
    "Winterbottom", "Yardley", "Yilmaz", "Zielinski",
]  # fmt: skip
PLACES = [
    "Eastfield", "Fennick", "Millbrook", "Brackwater", "the Saltings", "Harrow Court",
    "Ashby Vale", "Copperhill", "Kestrel Park", "Lowther", "Marlow Green", "Oakenshaw",
    "Pellow Quay", "Ravensmoor", "Stanegate", "Thornbury Cross", "Upper Wick", "Westmarsh",
    "Whinfield", "Glebe Fields", "Nettleford", "Halloway", "Bramblewick", "Kilnworth",
    "Quarry Hill", "Ferrier Street", "the Corrigan estate", "the old docks", "Tanner's Row",
    "Siskin Lane", "Beacon Rise", "Gallowgate", "Hollins Moor", "Sorrel Bank",
]  # fmt: skip
GROUPS = [
    "tenants", "bus drivers", "care workers", "parents", "shopkeepers", "allotment holders",
    "nurses", "cleaners", "students", "library volunteers", "residents", "market traders",
    "cyclists", "pensioners", "teachers", "refuse collectors", "dock workers",
    "youth workers", "food bank volunteers", "taxi drivers", "leaseholders", "childminders",
    "hospital porters", "warehouse staff", "unpaid carers", "supply teachers",
    "delivery riders", "lollipop wardens", "swimming club members", "bakery workers",
    "school cooks", "ferry crews", "street traders", "disabled residents",
]  # fmt: skip
INSTITUTIONS = [
    "the city council", "the transport authority", "the Harbour Housing Trust",
    "the health trust", "Northgate Water", "the schools board", "the planning committee",
    "the police and crime panel", "the port authority", "the university", "Citylink Buses",
    "the regional mayor's office", "the fire service", "the library service",
    "the parks department", "Corvane Property", "the care home operator",
    "the energy company", "the college governors", "the markets office",
    "the ambulance service", "the waste contractor", "Tideway Homes", "the leisure trust",
]  # fmt: skip
ISSUES = [
    "rent rises", "the closure of the swimming baths", "damp in council flats",
    "cuts to the night buses", "the new cycle lane", "school meal prices",
    "the shortage of GP appointments", "the sale of the old fire station",
    "sewage in the river", "plans for a fourteen-storey tower", "late payment of wages",
    "the library's opening hours", "parking charges at the hospital",
    "empty shops on the high street", "flooding on the towpath", "the proposed incinerator",
    "the price of bus passes", "heating bills", "the waiting list for social housing",
    "zero-hours contracts", "the youth club's funding", "the future of the covered market",
    "potholes", "broken street lights", "air pollution outside schools",
    "the playground closure", "water bills", "short-term lets", "the ferry timetable",
    "broken lifts", "ambulance waiting times", "the repairs backlog", "cold homes",
    "the allotment waiting list", "class sizes", "the food bank's new warehouse",
    "the closure of the maternity unit", "the tram extension", "fly-tipping",
    "the community centre lease", "agency staff", "mould in the tower blocks",
]  # fmt: skip
GROUP_ACTIONS = [
    "vote to strike over {issue}", "organise against {issue}", "demand answers on {issue}",
    "win concessions on {issue}", "take the fight over {issue} to the town hall",
    "launch a petition over {issue}", "march through the centre over {issue}",
    "form a union to tackle {issue}", "call for an inquiry into {issue}",
    "refuse to accept {issue}", "set up their own survey of {issue}",
    "take legal advice on {issue}", "fill the council chamber over {issue}",
    "count the cost of {issue}", "warn of a crisis over {issue}",
]  # fmt: skip
INSTITUTION_ACTIONS = [
    "delays decision on {issue}", "changes course on {issue}",
    "promises review of {issue}", "faces legal challenge over {issue}",
    "admits failings on {issue}", "refuses to publish report on {issue}",
    "sets aside {money} for {issue}", "blames government for {issue}",
    "accused of ignoring warnings on {issue}", "opens consultation on {issue}",
    "apologises over {issue}", "quietly drops plan on {issue}",
]  # fmt: skip
JUDGEMENTS = [
    "getting worse", "a scandal", "the last straw", "nothing new", "costing lives",
    "out of control", "fixable", "being ignored", "hitting the poorest hardest",
]  # fmt: skip
ROLES = [
    "chair of the residents' association", "a shop steward", "a local councillor",
    "who has lived on the estate for thirty years", "a retired engineer",
    "the union's branch secretary", "a mother of three", "a volunteer at the food bank",
    "a nurse on the night shift", "a community organiser", "the head teacher",
    "a housing lawyer", "the ward's Labour councillor", "the opposition spokesperson",
    "a former bus driver", "the campaign's treasurer", "a pharmacist on the high street",
    "a second-year student", "the club's coach", "a tenant since 1998",
    "an independent researcher", "the church's minister", "a market trader",
]  # fmt: skip
TIMES = [
    "on Tuesday evening", "last week", "at the weekend", "on Monday", "this morning",
    "after a three-hour meeting", "late on Thursday", "earlier this month",
    "at a packed public meeting", "on the steps of the town hall", "yesterday",
]  # fmt: skip
YEARS = ["2009", "2012", "2014", "2016", "2018", "2019", "2020", "2021", "2022", "2023"]
MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip
NUMBERS = [
    "Forty", "Sixty", "Ninety", "More than a hundred", "Two hundred", "Nearly three hundred",
    "About four hundred", "Six hundred", "Eleven hundred", "Two thousand",
]  # fmt: skip
JOBS = ["a youth worker", "a teacher", "a nurse", "a housing officer", "a union organiser"]
MONEY = ["£40,000", "£250,000", "£1.2m", "£3m", "£480,000", "£7.5m", "£90,000", "£2.1m"]

STATEMENTS = [
    "We have asked politely for three years and nothing has changed.",
    "Nobody here wants a fight, but we are not going to be ignored any longer.",
    "I have lived on this street for thirty years and I have never seen it this bad.",
    "They keep telling us it is in hand. It is not in hand.",
    "My children do their homework in coats because the heating does not work.",
    "This is not about politics. It is about whether the lift works in the morning.",
    "Every week someone new comes to the meeting, and every week they have the same story.",
    "We were told the money was there. Now it is gone and nobody can tell us where.",
    "If you cut the last bus, you cut the people who work the latest shifts.",
    "The report says what we have been saying all along.",
    "I do not think anyone at the top has ever had to use this service.",
    "We are not asking for anything special, only for what was promised.",
    "People are frightened to complain in case they are the next to be moved on.",
    "It feels as if the decision was made long before anyone asked us.",
    "We will keep coming back until someone listens.",
    "There is a lot of anger, but there is also a lot of organising.",
    "You cannot run a hospital on goodwill and agency staff forever.",
    "Half of my regulars have stopped coming since the parking charges went up.",
    "We taught the kids to swim in that river. Now there are signs telling us to keep out.",
    "Nobody has explained why the cheapest option became the only option.",
    "We found out from a notice taped to the door.",
    "I would like one councillor to come and spend a night in this flat.",
    "When the library shut early, the teenagers had nowhere else to go.",
    "It took a petition with four thousand names to get a reply.",
    "We are proud of this place and we want it to be looked after.",
    "The figures do not add up, and we have asked to see them.",
    "My rent has gone up twice in eighteen months and the damp is still there.",
    "This was a good service once. It can be again.",
    "Nobody told the drivers until the rota came out.",
    "We are doing the council's job for it, for free.",
]  # fmt: skip
OFFICIAL_STATEMENTS = [
    "We understand residents' frustration and are working hard to find a solution.",
    "The decision was not taken lightly and reflects a very difficult financial position.",
    "We are committed to listening to everyone affected before any final decision is made.",
    "Safety is our first priority and we will act on the findings of the report.",
    "We have already invested significantly in the service and will continue to do so.",
    "It would not be appropriate to comment while the matter is under review.",
    "We have met the campaigners and will continue that dialogue.",
    "The figures quoted do not reflect the full picture.",
    "We are confident the new arrangements will serve people better in the long run.",
    "We apologise to those affected and have put measures in place to prevent a repeat.",
    "Any changes will be phased in gradually and we will monitor their effect closely.",
    "We are writing to every household affected to explain the options available.",
]  # fmt: skip
CONSEQUENCES = [
    "leaving dozens of families without a clear answer",
    "the first such vote in more than a decade",
    "a move that surprised even some of those taking part",
    "after months of complaints that went unanswered",
    "in what organisers called the biggest meeting the area has seen",
    "raising fresh questions about how the decision was reached",
    "days before the budget is due to be set",
    "despite a warning from the authority's own officers",
]  # fmt: skip
AFTERMATHS = [
    "the problems began almost at once",
    "complaints have risen every year since",
    "promised improvements have yet to appear",
    "nobody has been able to say who is responsible",
    "residents say the situation has quietly got worse",
    "the original timetable has slipped twice",
    "the cost has more than doubled",
]  # fmt: skip
PLACE_FACTS = [
    "has one of the youngest populations in the city",
    "lost its last bank branch two years ago",
    "was built in the 1960s to house workers from the docks",
    "has more people waiting for a council home than any other ward",
    "sits on the flood plain, below the railway embankment",
    "has a long history of tenants organising for themselves",
    "has seen its high street change beyond recognition",
    "was promised a new health centre in three successive budgets",
    "is served by a single bus route after eight in the evening",
]  # fmt: skip
FUTURE_EVENTS = [
    "is due to publish its findings", "will decide the matter at a full meeting",
    "has promised a reply", "expects to put a revised plan out to consultation",
    "will hold a public meeting", "is expected to vote on the proposal",
]  # fmt: skip
FUTURE_TIMES = [
    "next month", "before the summer", "in the new year", "later this autumn",
    "within six weeks", "by the end of March",
]  # fmt: skip
STREETS = [
    "Siskin Lane", "Ferrier Street", "Tanner's Row", "Dunmore Road", "Chapel Walk",
    "Mill Lane", "the Parade", "Quayside", "Albion Terrace", "Rope Walk", "Gasworks Lane",
]  # fmt: skip
SCENES = [
    "the bins have not been emptied for three weeks",
    "a hand-written sign in the launderette window lists the next meeting",
    "half the shop fronts are shuttered by six in the evening",
    "the bus shelter has been missing its roof since the winter storms",
    "children play football between the parked cars because the pitch is fenced off",
    "scaffolding has stood around the same block for eighteen months",
    "the queue for the food bank starts before the doors open",
    "the only cash machine has been out of order since Easter",
    "the smell from the drains is worse on warm evenings",
    "the new flats are finished but most of the windows are still dark",
    "the café owner keeps a folder of every letter she has sent the council",
    "a mural of the old dockers watches over the car park",
]  # fmt: skip
DETAILS = [
    "keeps a notebook of every complaint made since the spring",
    "has written to the chief executive four times without a reply",
    "spends two hours a day on buses getting to and from work",
    "has organised a rota so that nobody has to attend the hearings alone",
    "now pays more for heating than for food",
    "started the campaign's group chat, which has grown to three hundred members",
    "lost a week's wages when the service was cancelled without notice",
    "has collected signatures outside the supermarket every Saturday since March",
    "moved out for a month while the damp was treated, only for it to return",
    "has been on the waiting list for six years",
    "remembers when the building was the pride of the street",
    "took the authority to a tribunal last year, and won",
]  # fmt: skip
CONNECTORS = ["But ", "Even so, ", "Meanwhile, ", "For now, ", "Still, ", "In the meantime, "]
HEADINGS = [
    "What happens next", "A long wait", "The response", "How we got here", "The numbers",
    "Voices from the street", "What the law says", "Who pays", "An uncertain future",
    "Behind the figures", "The other side", "A promise made", "Counting the cost",
    "On the ground", "What residents want", "The background", "A question of trust",
    "Looking ahead", "What changed", "Nobody's responsibility", "The view from the top",
    "A familiar story", "What the documents show", "Small victories",
]  # fmt: skip
LINK_TEXTS = [
    "the council's own report", "the consultation documents", "the minutes of the meeting",
    "our earlier report", "the campaign's petition", "the inspection findings",
    "the full budget papers", "the freedom of information reply", "the survey results",
    "the planning application", "the tribunal's decision", "the union's statement",
]  # fmt: skip
LINK_SENTENCES = [
    "You can read {link} online.",
    "The details are set out in {link}.",
    "We have published {link} in full.",
    "According to {link}, the problem was known about for years.",
    "Readers can find {link} on the authority's website.",
]  # fmt: skip
DEMANDS = [
    "repairs carried out within 28 days", "a named contact for every block",
    "an independent survey of the damp", "a freeze on charges until the review reports",
    "the last bus restored to its old time", "written answers to every question raised",
    "the reports published in full", "a seat for residents on the working group",
    "no redundancies while the talks continue", "a proper timetable for the works",
    "compensation for those who lost out", "the consultation extended by a month",
]  # fmt: skip
TOPIC_NAMES = [
    "Housing", "Transport", "Health", "Education", "Libraries", "Environment", "Work",
    "Local democracy", "Policing", "Courts", "Planning", "Energy", "Food", "Childcare",
    "Disability", "Migration", "Culture", "Sport", "Business", "Budget", "Social care",
    "Water", "Waste", "Parks", "Heritage", "Young people", "Elections", "Arts", "Faith",
    "Weather", "Science", "Technology", "Media", "Unions", "Welfare", "Rivers",
    "Air quality", "Cycling", "Schools", "Hospitals",
]  # fmt: skip
BEATS = [
    "housing and planning", "transport", "health and social care", "schools", "work",
    "the council", "the environment", "courts and policing", "culture", "local business",
]  # fmt: skip

# Comments -----------------------------------------------------------------------------

OPENERS = [
    "Thanks for covering this.", "Great piece.", "I have to disagree with some of this.",
    "Finally someone is reporting this.", "Good to see this in the paper.",
    "This is the first I've heard of it.", "Not surprised in the slightest.",
    "Really useful article, thank you.", "Well, that explains a lot.", "Hmm.",
]  # fmt: skip
EXPERIENCES = [
    "I lived in {place} for ten years", "I work a few streets away in {place}",
    "my mum still lives in {place}", "I used to drive the route through {place}",
    "we moved out of {place} last spring", "I volunteer at the centre in {place}",
    "I grew up in {place}", "my kids go to school in {place}",
]  # fmt: skip
OBSERVATIONS = [
    "nothing in this article surprises me", "it has been like this for as long as I remember",
    "it was never this bad before the contract changed hands",
    "people there are tired of being told to wait", "everyone knows someone affected",
    "the council only turns up when there's an election",
    "the community there is stronger than anyone gives it credit for",
    "the problem is worse than the article makes out",
]  # fmt: skip
OPINIONS = [
    "The real question is where the money went.",
    "Someone should have been held responsible for this years ago.",
    "I don't think the campaigners are being unreasonable at all.",
    "To be fair, the council's budget has been cut every year for a decade.",
    "It's easy to blame the staff, but they are doing their best with nothing.",
    "I'd like to know what the alternative plan actually is.",
    "This is what happens when nobody who decides has to live with the result.",
    "Both sides have a point, but the residents have waited long enough.",
    "A consultation is not the same thing as listening.",
    "Good on them for organising. That's how anything ever changes.",
    "Let's see what the report actually says before we all get angry.",
    "I was at the meeting and the mood was more hopeful than this suggests.",
    "The figures in paragraph four don't match what was said at the meeting.",
    "Private contractors have made this worse everywhere they've been brought in.",
    "We need more reporting like this and less churnalism.",
    "If the service is that bad, why are people still using it? Because there's nothing else.",
    "The same thing happened ten years ago and the same promises were made.",
    "Would be good to hear from the drivers themselves next time.",
]  # fmt: skip
QUESTIONS = [
    "whether the meeting next week is open to the public",
    "who actually owns the building now",
    "if there's a way to add your name to the petition online",
    "what happened to the money from the last budget",
    "whether the survey covered the newer blocks too",
    "if anyone has had a reply from their councillor",
    "what the timetable for the repairs is",
]  # fmt: skip
REPLIES = [
    "I don't think that's fair.", "Exactly this.", "You're right, but it's more complicated.",
    "Agreed, up to a point.", "Where did you get that figure from?", "Same here.",
    "That isn't what happened, as far as I know.", "This. A hundred times this.",
    "I'd say the opposite, honestly.", "Thanks, I didn't know that.",
]  # fmt: skip
EMPHASISED = ["*really*", "*still*", "**not**", "*every*", "**years**", "*nobody*"]
PSEUDONYMS = [
    "Fed up in {place}", "A {place} resident", "Concerned parent", "Long-time reader",
    "Former shop steward", "{place} tenant", "Night shift nurse", "Retired teacher",
    "Anon", "Just asking", "Bus user", "Local",
]  # fmt: skip
# Places that read well after "from" or "A … resident" ("A the Saltings resident" does not).
PLAIN_PLACES = [place for place in PLACES if not place.startswith("the ")]
SPAM_PRODUCTS = [
    "cheap loft insulation", "discount designer watches", "fast payday loans",
    "crypto trading signals", "essay writing help", "guaranteed backlinks",
    "replica handbags", "miracle weight loss tea", "followers for your page",
]  # fmt: skip
SPAM_DOMAINS = [
    "best-deals.example.com", "top-offers.example.net", "quickcash.example.com",
    "luxury-outlet.example.net", "rank-boost.example.com",
]  # fmt: skip
