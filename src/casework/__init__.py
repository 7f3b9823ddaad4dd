"""casework: event-sourced case-management and supervision records."""

__version__ = "0.1.0"
