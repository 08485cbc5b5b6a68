from __future__ import annotations

from typing import Any

from django import forms

from .models import CookieCategory


class PreferencesForm(forms.Form):
    """One switch per optional category; strictly necessary ones are shown, not asked."""

    def __init__(
        self, *args: Any, categories: list[CookieCategory], chosen: set[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for category in categories:
            if category.always_on:
                continue
            self.fields[category.key] = forms.BooleanField(
                label=category.name,
                required=False,
                initial=category.key in chosen,
                help_text=category.description,
            )

    def chosen(self) -> list[str]:
        return [key for key, value in self.cleaned_data.items() if value]
