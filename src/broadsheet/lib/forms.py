"""Form fields that point assistive technology at their errors, on every form of the site.

settings.FORM_RENDERER names `FormRenderer`, and Django (5.2+) builds each form's fields
with the renderer's `bound_field_class` unless the form or field picks its own. Our
`BoundField` adds to Django's:

- `aria-describedby` names the help text and *every* error message, `<auto_id>_error`,
  `<auto_id>_error_2`, … (Django names only `<auto_id>_error`). Templates render each
  message with its id from `field.errors_with_ids`; a radio list's `<fieldset>` carries
  `field.aria_describedby`, as Django's own field template does. Where Django renders the
  errors (`{{ field.errors }}`, as the admin does) one `<ul id="<auto_id>_error">` holds them
  all, and the first id names it. `aria-invalid="true"` is Django's.
- When a bound form with errors is shown again, the page opens on its first visible field
  with an error: that widget alone gets `autofocus`, and any other (Django's login and
  sign-up forms set it on their first field) loses it. With only non-field errors no
  widget takes focus: the template's error block does (`tabindex="-1" autofocus` when
  `form.errors|length == 1`, the non-field entry alone, as in accounts/_form_fields.html).

A form with a prefix (each form of a formset, such as the admin's inlines) leaves
`autofocus` alone: several of them can share one page, and it may have only one.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django import forms
from django.forms.boundfield import BoundWidget
from django.forms.renderers import DjangoTemplates
from django.forms.widgets import ChoiceWidget
from django.utils.functional import cached_property
from django.utils.safestring import SafeString


class FieldError(NamedTuple):
    id: str
    message: str


class BoundField(forms.BoundField):
    @property
    def errors_with_ids(self) -> list[FieldError]:
        """Each error message with the id `aria-describedby` names it by."""
        return [
            FieldError(self._error_id(n), str(message)) for n, message in enumerate(self.errors, 1)
        ]

    @property
    def error_ids(self) -> list[str]:
        """The element ids of the field's error messages, in order (none without an id)."""
        return [error.id for error in self.errors_with_ids if error.id]

    @property
    def aria_describedby(self) -> str | None:
        error_ids = [] if self.is_hidden else self.error_ids
        # Django leaves an aria-describedby set on the widget as it is (None here); the
        # errors are added to it, or a screen reader would not hear them.
        if own := self.field.widget.attrs.get("aria-describedby"):
            return " ".join([own, *error_ids]) if error_ids else None
        described_by = []
        if self.auto_id and not self.is_hidden and self.help_text:
            described_by.append(f"{self.auto_id}_helptext")
        return " ".join([*described_by, *error_ids])

    def build_widget_attrs(
        self, attrs: dict[str, Any], widget: forms.Widget | None = None
    ) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        if self._errors_place_focus:
            # False drops the attribute, also one the widget itself sets.
            attrs.setdefault("autofocus", self._takes_focus(widget or self.field.widget))
        return attrs

    def as_widget(
        self,
        widget: forms.Widget | None = None,
        attrs: dict[str, Any] | None = None,
        only_initial: bool = False,
    ) -> SafeString:
        if self._errors_place_focus and _copies_attrs_to_each_option(widget or self.field.widget):
            # Rendered whole, a radio or checkbox list would give every option autofocus;
            # only a template rendering it option by option (`subwidgets`) focuses the first.
            attrs = {**(attrs or {}), "autofocus": False}
        return super().as_widget(widget, attrs, only_initial)

    @cached_property
    def subwidgets(self) -> list[BoundWidget]:
        subwidgets: list[BoundWidget] = super().subwidgets
        for option in subwidgets[1:]:
            option.data["attrs"].pop("autofocus", None)
        return subwidgets

    @property
    def _errors_place_focus(self) -> bool:
        return not self.form.prefix and bool(self.form.errors)

    def _takes_focus(self, widget: forms.Widget) -> bool:
        # A MultiWidget (the admin's date and time) copies its attributes to each of its
        # inputs: none of them can have autofocus alone, so the page opens at its top.
        if isinstance(widget, forms.MultiWidget):
            return False
        first = next((field for field in self.form.visible_fields() if field.errors), None)
        return first is not None and first.name == self.name

    def _error_id(self, n: int) -> str:
        if not self.auto_id:
            return ""
        return f"{self.auto_id}_error" if n == 1 else f"{self.auto_id}_error_{n}"


def _copies_attrs_to_each_option(widget: forms.Widget) -> bool:
    return isinstance(widget, ChoiceWidget) and widget.option_inherits_attrs


class FormRenderer(DjangoTemplates):
    """Django's template renderer, with our `BoundField` for every form."""

    bound_field_class = BoundField
