"""How many requests a server process works on at once.

The store is synchronous, so every handler runs in a thread: Litestar hands it to one
executor, by default asyncio's (as many threads as the machine's cores plus four).
On PostgreSQL a request spends much of its time waiting for the server's answers, and
with six threads the seventh request waited for a thread while the process sat below
one core. On SQLite nothing is waited for across a network: more threads only take
turns at the GIL. Measured 2026-12-02 on 2 cores: api/README.md, "Production"."""

from concurrent.futures import ThreadPoolExecutor

from litestar.concurrency import set_asyncio_executor

from casework.store.connection_pools import serve_requests_at_once

ON_POSTGRES = 16
MOST = 256


def handler_threads(value: str | None, backend: str) -> int | None:
    """`CASEWORK_API_THREADS`: a number from 1 to `MOST`; unset: `ON_POSTGRES` on
    PostgreSQL, and None (asyncio's own default) on SQLite. Anything else is an error at
    start."""
    if value is None or not value.strip():
        return None if backend == "sqlite" else ON_POSTGRES
    try:
        threads = int(value)
    except ValueError:
        threads = 0
    if not 1 <= threads <= MOST:
        raise ValueError(f"CASEWORK_API_THREADS: {value!r} is not a number from 1 to {MOST}")
    return threads


def use_handler_threads(threads: int) -> None:
    """Run this process's handlers on `threads` threads (before its event loop starts),
    its stores' pools keeping a connection open for each (`connection_pools`)."""
    serve_requests_at_once(threads)
    set_asyncio_executor(ThreadPoolExecutor(threads, thread_name_prefix="casework-handler"))
