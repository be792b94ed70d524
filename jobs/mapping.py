"""Which spreadsheet column becomes which field of a code, and a row as `code_create`'s
keyword arguments."""

from __future__ import annotations

import re
import string
from urllib.parse import quote, urlsplit

from django.core.exceptions import ValidationError

from codes.rendering import CONTENT_TYPES

IGNORE = ""
CODE_FIELDS = {
    "destination": "Destination URL",
    "name": "Name",
    "external_id": "External id",
    "group": "Group",
    "slug": "Custom slug",
    "metadata": "Metadata (keyed by the column name)",
}
# Header words that suggest a field, in order of preference.
GUESSES = {
    "destination": ("destination", "url", "link", "target", "website", "href"),
    "name": ("name", "title", "label"),
    "external_id": ("external_id", "external id", "sku", "id", "ref", "reference", "record"),
    "group": ("group", "campaign", "folder"),
    "slug": ("slug", "short"),
}


def field_choices(content_type: str) -> list[tuple[str, str]]:
    """What a column can be mapped to for codes of `content_type`."""
    choices = [(IGNORE, "Ignore this column")]
    for name, label in CODE_FIELDS.items():
        if name == "destination" and content_type != "url":
            continue
        choices.append((name, label))
    if content_type != "url":
        for item in CONTENT_TYPES[content_type].fields:
            choices.append((f"content.{item.name}", f"{item.label} ({content_type})"))
    return choices


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def guess_mapping(header: list[str], content_type: str) -> dict[str, str]:
    """A sensible first mapping from the header's names (the user can change every one)."""
    allowed = {value for value, _ in field_choices(content_type)}
    taken: set[str] = set()
    mapping = {}
    for column in header:
        norm = _norm(column)
        guess = IGNORE
        for field_name, words in GUESSES.items():
            if field_name in allowed and field_name not in taken and norm in map(_norm, words):
                guess = field_name
                break
        if guess == IGNORE and content_type != "url":
            for item in CONTENT_TYPES[content_type].fields:
                target = f"content.{item.name}"
                if target not in taken and norm in (_norm(item.name), _norm(item.label)):
                    guess = target
                    break
        if guess != IGNORE:
            taken.add(guess)
        mapping[column] = guess
    return mapping


def check_destination_template(template: str, header: list[str]) -> str:
    """A destination with `{column}` placeholders (a mail merge): every placeholder names a
    column of the file; refused with the ones that do not."""
    if not isinstance(template, str) or not template.strip():
        raise ValidationError({"destination_template": "Give a URL with {column} placeholders."})
    template = template.strip()
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        raise ValidationError({"destination_template": f"Braces do not match ({exc})."}) from None
    if not names:
        raise ValidationError(
            {"destination_template": "Put at least one {column} in it, e.g. ?c={customer_id}."}
        )
    missing = [n for n in dict.fromkeys(names) if n not in header]
    if missing:
        raise ValidationError(
            {"destination_template": f"The file has no column {', '.join(map(repr, missing))} "
             f"(its columns: {', '.join(header)})."}
        )  # fmt: skip
    probe = fill_template(template, header, ["x"] * len(header))
    parts = urlsplit(probe)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError(
            {"destination_template": "It must make an http(s) URL, e.g. "
             "https://example.com/offer?c={customer_id}."}
        )  # fmt: skip
    return template


def fill_template(template: str, header: list[str], cells: list[str]) -> str:
    """The template with each `{column}` replaced by the row's value, percent-encoded (a value
    can never add a parameter or change the host)."""
    values = dict(zip(header, cells, strict=False))
    out = []
    for literal, name, _, _ in string.Formatter().parse(template):
        out.append(literal)
        if name is not None:
            out.append(quote(values.get(name, ""), safe=""))
    return "".join(out)


def check_mapping(
    mapping: dict, header: list[str], content_type: str, *, templated: bool = False
) -> dict[str, str]:
    """The mapping, refused with a message naming the column or field at fault."""
    if not isinstance(mapping, dict):
        raise ValidationError({"mapping": "Give an object from column name to field."})
    allowed = dict(field_choices(content_type))
    columns = set(header)
    used: dict[str, str] = {}
    for column, target in mapping.items():
        if column not in columns:
            raise ValidationError(
                {
                    "mapping": f"The file has no column “{column}” (its columns: "
                    f"{', '.join(header)})."
                }
            )
        target = target or IGNORE
        if not isinstance(target, str) or (
            target not in allowed and not target.startswith("metadata.")
        ):
            raise ValidationError(
                {"mapping": f"“{target}” (for column “{column}”) is not a field of a code."}
            )
        if target not in (IGNORE, "metadata") and not target.startswith("metadata."):
            if target in used:
                raise ValidationError(
                    {
                        "mapping": f"Columns “{used[target]}” and “{column}” are both mapped "
                        f"to {target}; map one of them."
                    }
                )
            used[target] = column
    if templated and "destination" in used:
        raise ValidationError(
            {"mapping": f"Column “{used['destination']}” is mapped to the destination and a "
             "destination template is given; use one of them."}
        )  # fmt: skip
    if content_type == "url" and "destination" not in used and not templated:
        raise ValidationError({"mapping": "Map one column to the destination URL."})
    return {column: mapping.get(column) or IGNORE for column in header}


def row_arguments(
    cells: list[str], formulas: set[int], header: list[str], mapping: dict[str, str], options
) -> tuple[dict, str]:
    """`code_create`'s keyword arguments (without group, resolved by the caller: the group's
    slug is returned apart) for one row; ValidationError naming the column for a formula."""
    arguments: dict = {
        "kind": options["kind"],
        "content_type": options["content_type"],
        "style": dict(options.get("style") or {}),
    }
    content: dict = {}
    metadata: dict = {}
    group = ""
    for index, column in enumerate(header):
        target = mapping.get(column) or IGNORE
        if target == IGNORE:
            continue
        value = cells[index]
        if index in formulas:
            raise ValidationError(
                {
                    target.removeprefix("content."): f"is a spreadsheet formula ({value[:60]}); "
                    "put the value itself in the cell"
                }
            )
        if target == "metadata":
            if value:
                metadata[column] = value
        elif target.startswith("metadata."):
            if value:
                metadata[target.removeprefix("metadata.")] = value
        elif target.startswith("content."):
            if value:
                content[target.removeprefix("content.")] = value
        elif target == "group":
            group = value
        elif target == "slug":
            if value:
                arguments["slug"] = value
        else:
            arguments[target] = value
    if options.get("destination_template"):
        arguments["destination"] = fill_template(options["destination_template"], header, cells)
    if options["content_type"] != "url":
        arguments["content"] = content
    if metadata:
        arguments["metadata"] = metadata
    return arguments, group
