"""A command's options, derived from its Struct (ADR 0053): one `--option` per field,
named after it (`to_staff_id` → `--to-staff-id`), required when the field is, with the
field's description as its help, its enum's values as choices, and a list field
repeatable. `command_from` checks what was typed against the command's declared limits
(`command_of`): a broken value is `invalid_value` naming the field, as over HTTP.

A field the command line cannot take as an option (a nested row, such as a plan's
goals) refuses to register, so no command is offered half-formed."""

import argparse
from typing import Any

import msgspec
from msgspec import inspect

from casework.application.commands import C, command_of

# Shown in --help for the types whose text form is not obvious.
FORMS: dict[type, str] = {
    inspect.DateTimeType: "a date and time with its offset, e.g. 2026-03-01T09:00:00+08:00",
    inspect.DateType: "a date, e.g. 2026-03-01",
    inspect.UUIDType: "an id",
}
SCALARS = (
    inspect.StrType,
    inspect.IntType,
    inspect.BoolType,
    inspect.UUIDType,
    inspect.DateType,
    inspect.DateTimeType,
    inspect.EnumType,
)


def option_name(field: str) -> str:
    return "--" + field.replace("_", "-")


def add_options(parser: argparse.ArgumentParser, command: type[msgspec.Struct]) -> None:
    """One option per field of `command`."""
    info = inspect.type_info(command)
    assert isinstance(info, inspect.StructType)
    for field in info.fields:
        kind, description = _unwrapped(field.type)
        repeated = isinstance(kind, inspect.ListType)
        item, item_description = _unwrapped(kind.item_type) if repeated else (kind, "")
        if not isinstance(item, SCALARS):
            raise TypeError(f"{command.__name__}.{field.name} cannot be given as an option")
        help_text = description or item_description or FORMS.get(type(item), "")
        if isinstance(item, inspect.EnumType):
            values = [member.value for member in item.cls]
            help_text = (
                f"{help_text}: one of {', '.join(values)}"
                if help_text
                else (f"one of {', '.join(values)}")
            )
        if repeated:
            help_text += " (repeat the option for more than one)"
        options: dict[str, Any] = {"dest": field.name, "help": help_text or None}
        if isinstance(item, inspect.EnumType):
            options["choices"] = values
            options["metavar"] = field.name.upper()
        if isinstance(item, inspect.BoolType):
            options["action"] = argparse.BooleanOptionalAction
        elif repeated:
            options["action"] = "append"
        options["required"] = field.required
        options["default"] = argparse.SUPPRESS  # absent: the command's own default
        parser.add_argument(option_name(field.name), **options)


def command_from(args: argparse.Namespace, command: type[C]) -> C:
    """The command from the options given, checked as the API checks its body."""
    names = command.__struct_fields__
    return command_of(command, {name: getattr(args, name) for name in names if name in args})


def _unwrapped(kind: inspect.Type) -> tuple[inspect.Type, str]:
    """The type under its metadata and `| None`, with the description found on the way."""
    description = ""
    while True:
        if isinstance(kind, inspect.Metadata):
            description = description or (kind.extra_json_schema or {}).get("description", "")
            kind = kind.type
        elif isinstance(kind, inspect.UnionType):
            rest = [t for t in kind.types if not isinstance(t, inspect.NoneType)]
            if len(rest) != 1:
                return kind, description
            kind = rest[0]
        else:
            return kind, description
