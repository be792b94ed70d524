"""The one exception the render engine raises for input it refuses."""

from django.core.exceptions import ValidationError


class SpecError(ValidationError):
    """Refused input: maps each field at fault to a message that says what to change.

    It is a Django ``ValidationError`` built from a dict, so ``message_dict`` works in
    forms and in the API's exception handler without translation.
    """

    def __init__(self, errors: dict[str, str]):
        if not errors:
            raise ValueError("SpecError needs at least one field")
        self.fields: dict[str, str] = dict(errors)
        super().__init__({field: [message] for field, message in self.fields.items()})

    def __str__(self) -> str:
        return "; ".join(f"{field}: {message}" for field, message in self.fields.items())
