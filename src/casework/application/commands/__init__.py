"""Each command's parameters, declared once: one msgspec Struct per command (ADR 0053).

The service layer takes `(principal, [the record addressed,] command)`; the HTTP API
decodes the same Struct as the request body (its limits, enums and descriptions are
the OpenAPI schema); the CLI derives its options from the Struct's fields
(`casework.cli.command_options`). A new field is written here and nowhere else.
"""

from casework.application.commands.fields import C, Command, command_of

__all__ = ["C", "Command", "command_of"]
