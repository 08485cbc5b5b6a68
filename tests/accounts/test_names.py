"""Display names: the comparison key, cleaning what readers type, and staff protection."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import Client

from broadsheet.accounts.models import User
from broadsheet.accounts.names import clean_display_name, is_staff_name, name_key, staff_name_keys
from tests.helpers import make_user


@pytest.mark.parametrize(
    "look_alike",
    [
        "MARTA OLIVEIRA",  # case
        "marta   oliveira",  # inner whitespace
        " Marta Oliveira\t",  # outer whitespace
        "M\u0430rta Oliveira",  # Cyrillic small a
        "Marta Ol\u0456ve\u0456ra",  # Cyrillic dotted i
        "Μarta Οliveira",  # Greek capital Mu and Omicron
        "\u041carta \u041eliveira",  # Cyrillic capital Em and O
        "MARTA OLIV\u0415IRA",  # Cyrillic capital Ie among Latin capitals
        "Mar\u200bta Oliveira",  # zero-width space
        "Marta\u2060 Oliveira",  # word joiner
        "\ufeffMarta Oliveira",  # byte order mark
        "Marta Oli\u202eveira",  # right-to-left override
        "Ｍａｒｔａ Ｏｌｉｖｅｉｒａ",  # fullwidth forms (NFKC)
        "Marta 0liveira",  # digit zero for O
        "Marta O1iveira",  # digit one for l
        "Marta OIiveira",  # capital I for l
    ],
)
def test_look_alikes_share_a_key(look_alike: str) -> None:
    assert name_key(look_alike) == name_key("Marta Oliveira")


@pytest.mark.parametrize(
    "other",
    ["Marta Olivera", "Marto Oliveira", "Márta Oliveira", "MartaOliveira", "Marta Oliveira 2"],
)
def test_different_names_keep_different_keys(other: str) -> None:
    assert name_key(other) != name_key("Marta Oliveira")


@pytest.mark.parametrize("name", ["Маша Петрова", "Νίκη Παππά", "Straße", "Ilse"])
def test_case_never_matters_whatever_the_script(name: str) -> None:
    assert name_key(name.upper()) == name_key(name) == name_key(name.lower())


def test_the_key_is_stable_when_applied_again() -> None:
    for name in ["Ｂｏｂ Ｉｎｇｒａｍ", "Sœur Ángela", "Straße 9", "Jim O'Neill", "Ілля"]:
        assert name_key(name_key(name)) == name_key(name)


def test_a_long_run_of_ambiguous_characters_is_quick() -> None:
    # The confusables package's own normalize() would list 4**80 readings of this.
    assert name_key("1" * 80) == "l" * 80


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  Marta   Oliveira ", "Marta Oliveira"),
        ("Marta\tOliveira", "Marta Oliveira"),
        ("Marta\u00a0Oliveira", "Marta Oliveira"),
        ("Jean-Luc d'Arcy", "Jean-Luc d'Arcy"),
        ("李小龙", "李小龙"),
    ],
)
def test_clean_display_name_tidies_whitespace(typed: str, stored: str) -> None:
    assert clean_display_name(typed) == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the name"),
        ("   \t ", "Enter the name"),
        ("Marta\u202eariev", "change the direction"),
        ("Marta\u2066Oliveira\u2069", "change the direction"),
        ("\u200fMarta", "change the direction"),
        ("Mar\u200bta", "invisible characters"),
        ("Mar\u200dta", "invisible characters"),
        ("Marta\ufeff", "invisible characters"),
        ("Marta\u3164", "invisible characters"),
        ("Marta\x00", "control characters"),
        ("Marta\x7f", "control characters"),
        ("Marta\ue000", "cannot be displayed reliably"),
        ("Marta\u00ad", "invisible characters"),
        ("---", "at least one letter or digit"),
        ("M" * 81, "at most 80 characters"),
    ],
)
def test_clean_display_name_refuses_what_hides_or_disguises(typed: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        clean_display_name(typed)
    assert message in caught.value.messages[0]


def test_a_name_of_eighty_characters_is_accepted() -> None:
    assert clean_display_name("M" * 80) == "M" * 80


@pytest.mark.django_db
def test_staff_display_names_and_usernames_are_protected(editor: User) -> None:
    # Edith: staff, Editors group, display name "Edith Okafor", username "edith".
    assert is_staff_name("Edith Okafor")
    assert is_staff_name("EDITH OKAFOR")
    assert is_staff_name("\u0415dith Okafor")  # Cyrillic capital Ie
    assert is_staff_name("Ed\u200bith Okafor")
    assert is_staff_name("Edith")  # her username
    assert is_staff_name("Ed1th")
    assert not is_staff_name("Edith Okafor-Reid")
    assert not is_staff_name("Edith Okafor", exclude_user_id=editor.pk)


@pytest.mark.django_db
def test_superusers_and_moderators_count_as_staff_but_readers_do_not(reader: User) -> None:
    make_user("root", display_name="Site Owner", is_superuser=True)
    moderator = make_user("mo", display_name="Moana Keller")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    make_user("staffer", display_name="", is_staff=True)

    assert is_staff_name("site owner")
    assert is_staff_name("M0ana Keller")
    assert is_staff_name("mo")
    assert is_staff_name("Staffer")
    assert not is_staff_name(reader.display_name)
    assert not is_staff_name("rita")
    assert not is_staff_name("")


@pytest.mark.django_db
def test_the_key_is_stored_on_save_and_cleared_with_the_name(reader: User) -> None:
    assert reader.display_name_key == name_key("Rita Campbell")
    reader.display_name = "Rita C."
    reader.save(update_fields=["display_name"])
    reader.refresh_from_db()
    assert reader.display_name_key == name_key("Rita C.")
    reader.display_name = ""
    reader.save()
    desk = make_user("desk", display_name="")
    reader.refresh_from_db()
    assert reader.display_name_key is None
    assert desk.display_name_key is None


@pytest.mark.django_db
def test_the_admin_refuses_a_look_alike_name_with_a_form_error(
    client: Client, reader: User
) -> None:
    client.force_login(
        make_user("root", display_name="Site Owner", is_superuser=True, is_staff=True)
    )
    oscar = make_user("oscar", display_name="Oscar Nwosu")
    url = f"/admin/accounts/user/{oscar.pk}/change/"
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {
            "username": "oscar",
            "email": "oscar@example.org",
            "is_active": "on",
            "date_joined_0": "2026-01-05",
            "date_joined_1": "09:30:00",
            "display_name": "R1TA CAMPBELL",
        },
    )
    assert response.status_code == 200
    assert "Someone already uses this name" in response.content.decode()
    oscar.refresh_from_db()
    assert oscar.display_name == "Oscar Nwosu"


# Staff names are kept per process (names.staff_name_keys) and loaded again when staff change.


@pytest.mark.django_db
def test_a_reader_made_staff_is_protected_at_once(reader: User) -> None:
    assert not is_staff_name("Rita Campbell")

    reader.is_staff = True
    reader.save()

    assert is_staff_name("Rita Campbell")


@pytest.mark.django_db
def test_joining_and_leaving_the_moderators_group_protects_and_frees_the_name() -> None:
    moana = make_user("moana", display_name="Moana Keller")
    moderators = Group.objects.get(name="Moderators")
    assert not is_staff_name("Moana Keller")

    moana.groups.add(moderators)
    assert is_staff_name("Moana Keller")

    moana.groups.remove(moderators)
    assert not is_staff_name("Moana Keller")

    moderators.user_set.add(moana)  # from the group's side
    assert is_staff_name("Moana Keller")


@pytest.mark.django_db
def test_a_renamed_member_of_staff_frees_the_old_name(editor: User) -> None:
    assert is_staff_name("Edith Okafor")
    assert not is_staff_name("Edith Mensah")

    editor.display_name = "Edith Mensah"
    editor.save(update_fields=["display_name"])

    assert not is_staff_name("Edith Okafor")
    assert is_staff_name("Edith Mensah")


@pytest.mark.django_db
def test_a_deleted_member_of_staff_frees_the_name(editor: User) -> None:
    assert is_staff_name("Edith Okafor")

    editor.delete()

    assert not is_staff_name("Edith Okafor")


@pytest.mark.django_db
def test_signing_in_does_not_load_the_staff_names_again(
    reader: User, editor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads = []
    load = staff_name_keys._load

    def counted() -> list[tuple[int, tuple[str, str]]]:
        loads.append(1)
        return load()

    monkeypatch.setattr(staff_name_keys, "_load", counted)
    assert is_staff_name("Edith Okafor")
    assert len(loads) == 1

    Client().force_login(reader)  # saves last_login only
    Client().force_login(editor)
    assert reader.last_login is not None
    assert is_staff_name("Edith Okafor")
    assert len(loads) == 1

    reader.save()  # which fields changed is unknown: loaded again
    assert is_staff_name("Edith Okafor")
    assert len(loads) == 2
