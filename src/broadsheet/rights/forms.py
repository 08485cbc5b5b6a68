"""The two forms of the data rights pages: the address to mail the links to, and the
choice an erasure needs (keep the text or remove it), which the moderators' action sends
too."""

from __future__ import annotations

from django import forms

BODY_CHOICES = [
    ("keep", "Keep my words, without my name"),
    ("remove", "Remove my words as well"),
]


class DataRequestForm(forms.Form):
    email = forms.EmailField(
        label="Your e-mail address",
        max_length=254,
        help_text="The address you gave with your comments.",
    )


class ErasureForm(forms.Form):
    bodies = forms.ChoiceField(
        label="What should happen to the text of your comments?",
        choices=BODY_CHOICES,
        widget=forms.RadioSelect,
    )

    def keep_bodies(self) -> bool:
        return bool(self.cleaned_data["bodies"] == "keep")
