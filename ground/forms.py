"""Card forms: inputs named after the card, labels from one strings.yml group, enum choices."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ground.card_ids import CARD_ID_KEY, input_id
from ground.messages import Action, Choice, ChoiceInput, TextInput
from ground.texts import Texts


@dataclass(frozen=True)
class Form:
    """Builds the inputs of one card and the button that sends them: each input `name` gets
    the id `name`_`card_id` and the label `name` of the strings.yml group `group` (the Danish
    words live in content, not here)."""

    texts: Texts
    group: str
    card_id: str

    def label(self, key: str, **values: str) -> str:
        """The label `key` of the form's group."""
        return self.texts.label(self.group, key, **values)

    def text(
        self,
        name: str,
        *,
        label_key: str = "",
        placeholder: bool = False,
        max_length: int = TextInput.max_length,
    ) -> TextInput:
        """A multi-line free text, labelled `name` (or `label_key`); with `placeholder`, the
        label `name`_placeholder shows in the empty field."""
        return TextInput(
            id=input_id(name, self.card_id),
            label=self.label(label_key or name),
            placeholder=self.label(f"{name}_placeholder") if placeholder else "",
            multiline=True,
            max_length=max_length,
        )

    def choice(
        self,
        name: str,
        options: Iterable[str],
        *,
        titles: str = "",
        multiple: bool = False,
        default: str = "",
    ) -> ChoiceInput:
        """A choice labelled `name`, one option per value of `options` (a StrEnum or strings).

        An option is titled by the label `value` of the group `titles`, or, without one, by
        the label `name`_`value` of the form's group (e.g. pilot_checkin.decision_stop).
        """
        values = [str(option) for option in options]  # a StrEnum member's str is its value
        return ChoiceInput(
            id=input_id(name, self.card_id),
            label=self.label(name),
            choices=tuple(
                Choice(
                    self.texts.label(titles, value) if titles else self.label(f"{name}_{value}"),
                    value,
                )
                for value in values
            ),
            multiple=multiple,
            default=default,
        )

    def submit(self, label_key: str, verb: str, data: Mapping[str, Any]) -> Action:
        """The button that sends the inputs, labelled `label_key`: its data also names the card,
        so that the submission's input ids can be read back (ground.card_ids.plain_values)."""
        return Action(self.label(label_key), verb, {**data, CARD_ID_KEY: self.card_id})
