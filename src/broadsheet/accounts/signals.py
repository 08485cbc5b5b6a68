"""What makes accounts.names.staff_name_keys stale: a staff account made, renamed, flagged
or removed, a change of anyone's groups, and a group renamed or removed. Saves that touch
none of the names or flags (a login's last_login) leave it alone."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save

from .models import User
from .names import staff_name_keys

NAME_AND_STAFF_FIELDS = {"username", "display_name", "display_name_key", "is_staff", "is_superuser"}


def user_saved(sender: type[User], update_fields: frozenset[str] | None, **kwargs: Any) -> None:
    if update_fields is None or NAME_AND_STAFF_FIELDS & set(update_fields):
        staff_name_keys.changed()


def staff_may_have_changed(**kwargs: Any) -> None:
    if kwargs.get("action", "post_").startswith("post_"):
        staff_name_keys.changed()


def connect() -> None:
    post_save.connect(user_saved, sender=User, dispatch_uid="staff-names-user")
    post_delete.connect(staff_may_have_changed, sender=User, dispatch_uid="staff-names-user-del")
    m2m_changed.connect(
        staff_may_have_changed, sender=User.groups.through, dispatch_uid="staff-names-groups"
    )
    staff_name_keys.follow(Group)
