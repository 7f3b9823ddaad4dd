"""How many connections each of a process's pools keeps open between uses.

A pool closes a connection returned while it already keeps its number, and the next
request opens one again: on PostgreSQL a new server process (fork, authentication,
catalog caches), on SQLite a new file handle that parses the schema again and starts
with an empty page cache. With the views' pool keeping 3 connections, 16 requests at
once on PostgreSQL opened a new one about every fifth request, and the server spent
more CPU on the plan view than the API did (docs/benchmarks.md, 2026-12-03). So each
pool keeps as many as the process uses at once: its requests (`serve_requests_at_once`,
set by the API from its handler threads) and the few threads working beside them.
Connections are still opened only when needed, so an idle process holds few."""

import os

# asyncio's default executor, which runs the handlers unless told otherwise.
DEFAULT_REQUESTS_AT_ONCE = min(32, (os.cpu_count() or 1) + 4)
# Beside the requests: the views' runner (a reader and a writer), the event loop's
# session checks on SQLite, and a health or read-your-writes check.
BESIDE_REQUESTS = 4

_requests_at_once = DEFAULT_REQUESTS_AT_ONCE


def serve_requests_at_once(requests: int) -> None:
    """This process works on `requests` requests at once (before its stores open)."""
    global _requests_at_once
    _requests_at_once = max(1, requests)


def connections_kept() -> int:
    """How many connections a pool of this process keeps open between uses."""
    return _requests_at_once + BESIDE_REQUESTS
