"""The server's own Prometheus counters, besides the requests the middleware counts
(`api.metrics` serves them): labels are kinds and outcomes, never ids."""

from prometheus_client import Counter

ACCESS_RECORDS = Counter(
    "casework_access_records_written",
    "Access records this server wrote, by action and outcome",
    ["action", "outcome"],
)
