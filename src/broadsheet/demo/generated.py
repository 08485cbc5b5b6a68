"""Invented text for `broadsheet generate`: names, headlines, article bodies and comments.

This is the code half of the invented text: it picks from the word lists in
`generated_words.py` (the data half) and assembles them into sentences that agree with each
other. Each function takes a `random.Random`, so a seeded generator gives the same text
every time. Article bodies are Markdown with headings, quotations, links and the occasional
list, 300 to 1,500 words long. Nothing here touches the database.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.utils.text import slugify

from .generated_words import (
    AFTERMATHS,
    BEATS,
    CONNECTORS,
    CONSEQUENCES,
    DEMANDS,
    DETAILS,
    EMPHASISED,
    EXPERIENCES,
    FIRST_NAMES,
    FUTURE_EVENTS,
    FUTURE_TIMES,
    GROUP_ACTIONS,
    GROUPS,
    HEADINGS,
    INSTITUTION_ACTIONS,
    INSTITUTIONS,
    ISSUES,
    JOBS,
    JUDGEMENTS,
    LINK_SENTENCES,
    LINK_TEXTS,
    MONEY,
    MONTHS,
    NUMBERS,
    OBSERVATIONS,
    OFFICIAL_STATEMENTS,
    OPENERS,
    OPINIONS,
    PLACE_FACTS,
    PLACES,
    PLAIN_PLACES,
    PSEUDONYMS,
    QUESTIONS,
    REPLIES,
    ROLES,
    SCENES,
    SPAM_DOMAINS,
    SPAM_PRODUCTS,
    STATEMENTS,
    STREETS,
    SURNAMES,
    TIMES,
    TOPIC_NAMES,
    YEARS,
)

MAX_TOPICS = len(TOPIC_NAMES) ** 2  # topic_name(): the names, then every ordered pair of two


@dataclass(frozen=True)
class Story:
    """What one article is about, so its sentences agree with each other."""

    place: str
    group: str
    institution: str
    issue: str
    people: tuple[tuple[str, str], ...]  # (name, role)


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


def reader_name(rng: random.Random) -> str:
    """A name as readers choose them: full names, initials, handles, a place."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
    roll = rng.random()
    if roll < 0.6:
        return f"{first} {last}"
    if roll < 0.75:
        return f"{first} {last[0]}."
    if roll < 0.9:
        return f"{first.lower()}{last[:3].lower()}{rng.randrange(10, 99)}"
    return f"{first} from {rng.choice(PLAIN_PLACES)}"


def commenter_name(rng: random.Random) -> str:
    """An anonymous commenter's name: usually a person's, sometimes a pseudonym."""
    if rng.random() < 0.15:
        return rng.choice(PSEUDONYMS).format(place=rng.choice(PLAIN_PLACES))
    return reader_name(rng)


def spammer_name(rng: random.Random) -> str:
    return capitalised(rng.choice(SPAM_PRODUCTS))


def topic_name(index: int) -> str:
    """The index-th topic name (below MAX_TOPICS); past the list, pairs of names ("Housing
    and transport"), each pair once."""
    count = len(TOPIC_NAMES)
    if index < count:
        return TOPIC_NAMES[index]
    first, second = divmod(index - count, count - 1)
    second += second >= first  # never a name paired with itself
    return f"{TOPIC_NAMES[first]} and {TOPIC_NAMES[second].lower()}"


def topic_description(rng: random.Random, name: str) -> str:
    return (
        f"{name} in {rng.choice(PLACES)} and across the city: "
        f"{rng.choice(ISSUES)}, {rng.choice(ISSUES)} and the people living with them."
    )


def author_bio(rng: random.Random) -> str:
    beat = rng.choice(BEATS)
    year = rng.choice(YEARS)
    if rng.random() < 0.5:
        return f"Reports on {beat} for the paper and has done since {year}."
    return (
        f"Covers {beat}, having worked in {rng.choice(PLACES)} as {rng.choice(JOBS)} before {year}."
    )


def story(rng: random.Random) -> Story:
    people = tuple((person_name(rng), rng.choice(ROLES)) for _ in range(rng.randint(2, 4)))
    return Story(
        place=rng.choice(PLACES),
        group=rng.choice(GROUPS),
        institution=rng.choice(INSTITUTIONS),
        issue=rng.choice(ISSUES),
        people=people,
    )


def headline(rng: random.Random, about: Story) -> str:
    place = about.place
    group_action = rng.choice(GROUP_ACTIONS).format(issue=about.issue)
    institution_action = rng.choice(INSTITUTION_ACTIONS).format(
        issue=about.issue, money=rng.choice(MONEY)
    )
    options = [
        f"{about.group} in {place} {group_action}",
        f"{about.institution} {institution_action}",
        f"{rng.choice(NUMBERS).lower()} {about.group} in {place} {group_action}",
        f"Why {about.issue} matters in {place}",
        f"{place} {about.group} speak out on {about.issue}",
        f"What we found when we looked into {about.issue} in {place}",
        f"The long fight over {about.issue} in {place}",
    ]
    return capitalised(rng.choice(options))


def standfirst(rng: random.Random, about: Story) -> str:
    first = (
        f"{capitalised(about.group)} in {about.place} say the situation with {about.issue} "
        f"is {rng.choice(JUDGEMENTS)}."
    )
    if rng.random() < 0.6:
        return f"{first} {capitalised(about.institution)} says it is listening."
    return first


def article_body(rng: random.Random, about: Story) -> str:
    """A news story in Markdown of 300 to 1,500 words (most near 600)."""
    target = int(rng.triangular(300, 1500, 600))
    used: set[str] = set()
    blocks = [_paragraph(rng, about, used, opening=True), _paragraph(rng, about, used)]
    headings = rng.sample(HEADINGS, 8)
    words = sum(len(block.split()) for block in blocks)
    while words < target:
        section = [f"## {headings.pop()}"] if headings and rng.random() < 0.45 else []
        roll = rng.random()
        if roll < 0.12:
            section += _quotation(rng, about)
        elif roll < 0.2:
            section += _list(rng, about)
        else:
            section.append(_paragraph(rng, about, used))
        blocks += section
        words += sum(len(block.split()) for block in section)
    if rng.random() < 0.1:
        blocks.append(
            f"**Update, {rng.randint(1, 28)} {rng.choice(MONTHS)}:** "
            f"{capitalised(about.institution)} has since replied. "
            f"{rng.choice(OFFICIAL_STATEMENTS)}"
        )
    return "\n\n".join(blocks) + "\n"


def comment_body(rng: random.Random) -> str:
    """A reader's comment in Markdown: a line or two, sometimes several paragraphs."""
    paragraphs: list[str] = []
    roll = rng.random()
    if roll < 0.25:
        return rng.choice(REPLIES) + (" " + rng.choice(OPINIONS) if rng.random() < 0.6 else "")
    if roll < 0.35:
        paragraphs.append(f"> {rng.choice(STATEMENTS)}")
    if rng.random() < 0.4:
        paragraphs.append(rng.choice(OPENERS))
    for _ in range(rng.choices([1, 2, 3, 4], [50, 30, 15, 5])[0]):
        paragraphs.append(_comment_paragraph(rng))
    if rng.random() < 0.05:
        items = rng.sample(DEMANDS, 3)
        paragraphs.append("What I'd want to see:\n\n" + "\n".join(f"1. {d}" for d in items))
    if rng.random() < 0.06:
        text = rng.choice(LINK_TEXTS)
        paragraphs.append(f"There's more in [{text}](https://example.org/{slugify(text)}/).")
    return "\n\n".join(paragraphs)


def spam_body(rng: random.Random) -> str:
    product, domain = rng.choice(SPAM_PRODUCTS), rng.choice(SPAM_DOMAINS)
    links = " ".join(
        f"[{product}](https://{domain}/{slugify(product)}?ref={rng.randrange(1000, 9999)})"
        for _ in range(rng.randint(1, 4))
    )
    return (
        f"{rng.choice(['Great post!', 'Very informative.', 'Thanks for sharing!'])} "
        f"If anyone is looking for {product} I found the best prices here: {links}"
    )


def _paragraph(rng: random.Random, about: Story, used: set[str], *, opening: bool = False) -> str:
    count = rng.randint(2, 4)
    makers = [
        _event, _background, _figures, _quote, _quote, _official, _place_fact, _future, _link,
        _scene, _scene, _detail, _detail,
    ]  # fmt: skip
    sentences = [_event(rng, about)] if opening else []
    while len(sentences) < count:
        # A few tries for a sentence the article has not used yet; long ones may repeat.
        for _ in range(4):
            sentence = rng.choice(makers)(rng, about)
            if sentence not in used:
                break
        used.add(sentence)
        # Only before "The …" or "A …": lower-casing a name ("But eastfield") would show.
        if sentences and rng.random() < 0.15 and sentence.startswith(("The ", "A ")):
            sentence = rng.choice(CONNECTORS) + sentence[0].lower() + sentence[1:]
        sentences.append(sentence)
    return " ".join(sentences)


def _event(rng: random.Random, about: Story) -> str:
    action = rng.choice(GROUP_ACTIONS).format(issue=about.issue)
    verb, _, rest = action.partition(" ")
    past = {"vote": "voted", "win": "won", "take": "took", "set": "set", "fill": "filled",
            "refuse": "refused", "form": "formed", "warn": "warned", "count": "counted",
            "march": "marched", "launch": "launched", "call": "called", "demand": "demanded",
            "organise": "organised"}.get(verb, verb)  # fmt: skip
    return (
        f"{capitalised(about.group)} in {about.place} {past} {rest} {rng.choice(TIMES)}, "
        f"{rng.choice(CONSEQUENCES)}."
    )


def _background(rng: random.Random, about: Story) -> str:
    return (
        f"{capitalised(about.institution)} first acknowledged the problem of {about.issue} "
        f"in {rng.choice(YEARS)}, and {rng.choice(AFTERMATHS)}."
    )


def _figures(rng: random.Random, about: Story) -> str:
    return (
        f"{rng.choice(NUMBERS)} {about.group} have now signed up, "
        f"{rng.choice(['up from', 'compared with', 'against'])} "
        f"{rng.choice(['a handful', 'a few dozen', 'fewer than fifty'])} "
        f"{rng.choice(['last year', 'in the spring', 'when the campaign began'])}."
    )


def _quote(rng: random.Random, about: Story) -> str:
    name, role = rng.choice(about.people)
    statement = rng.choice(STATEMENTS)
    if rng.random() < 0.15:
        statement = statement.replace(" not ", " *not* ", 1)
    return f'"{statement[:-1]}," said {name}, {role}.'


def _official(rng: random.Random, about: Story) -> str:
    return f'A spokesperson for {about.institution} said: "{rng.choice(OFFICIAL_STATEMENTS)}"'


def _place_fact(rng: random.Random, about: Story) -> str:
    return f"{capitalised(about.place)} {rng.choice(PLACE_FACTS)}."


def _future(rng: random.Random, about: Story) -> str:
    return (
        f"{capitalised(about.institution)} {rng.choice(FUTURE_EVENTS)} {rng.choice(FUTURE_TIMES)}."
    )


def _link(rng: random.Random, about: Story) -> str:
    text = rng.choice(LINK_TEXTS)
    if rng.random() < 0.7:
        address = f"https://example.org/{slugify(text)}/{rng.randrange(100, 999)}"
    else:
        address = f"/search/?q={slugify(about.issue).replace('-', '+')}"
    return rng.choice(LINK_SENTENCES).format(link=f"[{text}]({address})")


def _scene(rng: random.Random, about: Story) -> str:
    return f"On {rng.choice(STREETS)}, {rng.choice(SCENES)}."


def _detail(rng: random.Random, about: Story) -> str:
    name, role = rng.choice(about.people)
    return f"{name}, {role}, {rng.choice(DETAILS)}."


def _quotation(rng: random.Random, about: Story) -> list[str]:
    name, role = rng.choice(about.people)
    lines = [rng.choice(STATEMENTS) for _ in range(rng.randint(1, 2))]
    return ["> " + " ".join(lines), f"That was how {name}, {role}, put it {rng.choice(TIMES)}."]


def _list(rng: random.Random, about: Story) -> list[str]:
    items = rng.sample(DEMANDS, rng.randint(3, 5))
    marker = "1." if rng.random() < 0.3 else "-"
    return [
        f"The {about.group} are asking for:",
        "\n".join(f"{marker} {capitalised(item)};" for item in items[:-1])
        + f"\n{marker} {capitalised(items[-1])}.",
    ]


def _comment_paragraph(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.35:
        experience = rng.choice(EXPERIENCES).format(place=rng.choice(PLACES))
        text = f"{capitalised(experience)} and {rng.choice(OBSERVATIONS)}."
    elif roll < 0.5:
        text = f"Does anyone know {rng.choice(QUESTIONS)}?"
    else:
        text = " ".join(rng.sample(OPINIONS, rng.randint(1, 3)))
    if rng.random() < 0.08:
        text = text.replace(" been ", f" {rng.choice(EMPHASISED)} been ", 1)
    return text
