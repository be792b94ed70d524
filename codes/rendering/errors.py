"""The one exception the render engine raises for input it refuses."""


class SpecError(Exception):
    """Refused input: maps each field at fault to a message that says what to change.

    A plain exception so the engine runs without Django; the codes app turns it into
    Django's ``ValidationError`` at its edges (``codes.render_errors``).
    """

    def __init__(self, errors: dict[str, str]):
        if not errors:
            raise ValueError("SpecError needs at least one field")
        self.fields: dict[str, str] = dict(errors)
        super().__init__(self.fields)

    def __str__(self) -> str:
        return "; ".join(f"{field}: {message}" for field, message in self.fields.items())
