"""Values kept per process (lib/versioned.py): loaded once, loaded again when their version
in the cache moves (a change here, or in another process), never older than MAX_AGE_SECONDS,
and loaded every time while the cache cannot be read.

Each test makes its own `Versioned` over a counter, so what `get()` returns says how many
times it loaded.
"""

from __future__ import annotations

import itertools
import logging
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings

from broadsheet.lib import versioned
from broadsheet.lib.versioned import MAX_AGE_SECONDS, Versioned
from tests.helpers import UNREACHABLE_CACHE, count_versioned_reads

_names = itertools.count(1)


def counting(name: str | None = None) -> Versioned[int]:
    """A Versioned whose value is the number of times it has loaded: 1, 2, 3, ..."""
    loads = itertools.count(1)
    return Versioned(name or f"test-{next(_names)}", lambda: next(loads))


def test_the_value_is_loaded_once_for_many_reads() -> None:
    value = counting()

    assert [value.get() for _ in range(5)] == [1, 1, 1, 1, 1]


def test_a_change_outside_a_transaction_is_loaded_by_the_next_read() -> None:
    value = counting()
    assert value.get() == 1

    value.changed()

    assert value.get() == 2
    assert value.get() == 2


def test_a_change_announced_by_another_process_is_loaded() -> None:
    value = counting()
    assert value.get() == 1

    cache.set(value.key, "x")  # what changed() in another worker leaves in the cache

    assert value.get() == 2
    assert value.get() == 2


@pytest.mark.django_db(transaction=True)
def test_a_change_in_a_transaction_is_announced_when_it_commits() -> None:
    name = f"test-{next(_names)}"
    writer, reader = counting(name), counting(name)  # two processes' copies of one value
    assert reader.get() == 1
    before = cache.get(reader.key)

    with transaction.atomic():
        writer.changed()
        assert cache.get(reader.key) == before
        assert reader.get() == 1, "another process must not load the uncommitted rows' value"

    assert cache.get(reader.key) not in (None, before)
    assert reader.get() == 2


@pytest.mark.django_db(transaction=True)
def test_a_change_in_a_nested_block_is_announced_at_once() -> None:
    value = counting()
    assert value.get() == 1
    before = cache.get(value.key)

    with transaction.atomic(), transaction.atomic():
        value.changed()
        assert cache.get(value.key) != before

    assert value.get() == 2


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_the_version_alone() -> None:
    value = counting()
    assert value.get() == 1
    before = cache.get(value.key)

    with pytest.raises(RuntimeError), transaction.atomic():
        value.changed()
        raise RuntimeError("the change failed")

    assert cache.get(value.key) == before
    assert value.get() == 1


@pytest.mark.django_db(transaction=True)
def test_what_a_transaction_reads_is_not_kept_after_it_rolls_back() -> None:
    from broadsheet.accounts.models import User
    from broadsheet.accounts.names import is_staff_name

    try:
        with transaction.atomic():
            with transaction.atomic():  # nested: the change is announced at once
                User.objects.create_user("pell", display_name="Ottilie Pell", is_staff=True)
            assert is_staff_name("Ottilie Pell")  # the transaction sees its own change
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass

    assert not is_staff_name("Ottilie Pell")


def test_a_value_is_loaded_again_once_it_is_max_age_old(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(versioned, "time", SimpleNamespace(monotonic=lambda: now[0]))
    value = counting()
    assert value.get() == 1

    now[0] += MAX_AGE_SECONDS - 1
    assert value.get() == 1
    now[0] += 1
    assert value.get() == 2, "the version has not moved, but the value is MAX_AGE old"
    now[0] += MAX_AGE_SECONDS - 1
    assert value.get() == 2, "the age counts from the last load"


def test_without_the_cache_every_read_loads_afresh(caplog: pytest.LogCaptureFixture) -> None:
    value = counting()
    assert value.get() == 1

    with (
        override_settings(CACHES=UNREACHABLE_CACHE),
        caplog.at_level(logging.WARNING, logger="broadsheet.lib.versioned"),
    ):
        reads = [value.get() for _ in range(3)]

    assert reads == [2, 3, 4]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [f"Could not read the version of {value.key}; reading it afresh"] * 3


@pytest.fixture
def cache_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of each read versioned.py makes of the cache, in order."""
    return count_versioned_reads(monkeypatch)


def test_values_read_together_fetch_their_versions_in_one_cache_call(
    cache_reads: list[str],
) -> None:
    first, second, third = counting(), counting(), counting()
    for value in (first, second, third):
        value.get()
    cache_reads.clear()

    with versioned.read_together():
        assert (first.get(), second.get(), third.get(), first.get()) == (1, 1, 1, 1)
        with versioned.read_together():  # an inner block uses the outer one's fetch
            assert second.get() == 1

    assert cache_reads == ["get_many"]


def test_a_change_elsewhere_is_seen_by_the_next_block() -> None:
    value = counting()
    with versioned.read_together():
        assert value.get() == 1
        cache.set(value.key, "moved")  # changed() in another worker, during this block
        assert value.get() == 1

    with versioned.read_together():
        assert value.get() == 2
    assert value.get() == 2


def test_a_change_made_inside_the_block_is_read_in_it() -> None:
    value, other = counting(), counting()
    with versioned.read_together():
        assert (value.get(), other.get()) == (1, 1)
        value.changed()
        assert (value.get(), other.get()) == (2, 1)

    assert (value.get(), other.get()) == (2, 1)


def test_a_value_never_announced_gets_a_version_inside_a_block() -> None:
    value = counting()
    cache.delete(value.key)  # a cache emptied by a restart
    with versioned.read_together():
        assert value.get() == 1
        assert cache.get(value.key) is not None
        assert value.get() == 1


def test_without_the_cache_a_block_loads_afresh(caplog: pytest.LogCaptureFixture) -> None:
    value = counting()
    assert value.get() == 1

    with (
        override_settings(CACHES=UNREACHABLE_CACHE),
        caplog.at_level(logging.WARNING, logger="broadsheet.lib.versioned"),
        versioned.read_together(),
    ):
        reads = [value.get() for _ in range(2)]

    assert reads == [2, 3]
