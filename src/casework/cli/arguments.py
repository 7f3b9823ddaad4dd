"""Argument types for the command line: the one place an option's value is checked
against its rule. Each refuses a bad value with a message naming the rule; argparse
names the option (`casework demo: error: argument --cases: ...`) and exits with 2.
Rules that need the store (a position beyond the log, an unknown id) are checked by
the command and refused as `InvalidValue` or `NotFound`."""

import argparse
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

# A clock a little ahead of the server's is not "the future".
CLOCK_SKEW = timedelta(minutes=5)


def at_least(lowest: int) -> Callable[[str], int]:
    """A whole number no smaller than `lowest`."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < lowest:
            raise argparse.ArgumentTypeError(f"{value} is below {lowest}: give {lowest} or more")
        return value

    parse.__name__ = f"a whole number of at least {lowest}"
    return parse


def instant(text: str) -> datetime:
    """A date and time with its time-zone offset, not in the future."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date and time like 2026-03-01T09:00:00+08:00"
        ) from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} has no time-zone offset; write e.g. 2026-03-01T09:00:00+08:00"
        )
    if value > datetime.now(tz=UTC) + CLOCK_SKEW:
        raise argparse.ArgumentTypeError(
            f"{text} is in the future; casework holds only what has been recorded so far"
        )
    return value
