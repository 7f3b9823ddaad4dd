"""A C2SP tlog-witness (`casework witness serve`) that a funder, the district or a
partner centre hosts for many stores: its own SQLite database of the logs it accepts
and the latest checkpoint it cosigned for each, its own Ed25519 key, and none of the
stores' keys (ADR 0046)."""
