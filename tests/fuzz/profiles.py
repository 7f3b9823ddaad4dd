"""How hard the fuzz tests try: `FUZZ` is the settings every fuzz test runs under.

The default run is quick (200 examples a test, as part of the suite);
`HYPOTHESIS_PROFILE=long` runs 5,000 a test (see docs/guide-developers.md, Fuzzing).
The profiles are applied per test, never loaded globally, so the suite's other
Hypothesis tests keep their own settings."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "fuzz",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "fuzz-long",
    max_examples=5_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

FUZZ = settings.get_profile(
    "fuzz-long" if os.environ.get("HYPOTHESIS_PROFILE") == "long" else "fuzz"
)
