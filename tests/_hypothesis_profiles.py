"""Hypothesis profiles of the fuzz tests, picked by the environment variable `HYPOTHESIS_PROFILE` (default `ci`).

- `ci`: Hypothesis' own CI profile (derandomized, no example database) with a CI-sized example count;
- `fuzz`: a long, randomized run that keeps failures in the example database.

The tests apply the chosen profile with `@FUZZ_SETTINGS` instead of loading it, so that other test modules keep
their own settings.
"""

from __future__ import annotations

import os
from typing import Final

from hypothesis import HealthCheck, settings

PROFILE_VARIABLE: Final = "HYPOTHESIS_PROFILE"
DEFAULT_PROFILE: Final = "ci"
CI_EXAMPLES: Final = 150
FUZZ_EXAMPLES: Final = 5_000

settings.register_profile(
    "ci",
    settings.get_profile("ci"),
    max_examples=CI_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz",
    settings.get_profile("default"),
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

PROFILE: Final = os.environ.get(PROFILE_VARIABLE) or DEFAULT_PROFILE
FUZZ_SETTINGS: Final = settings.get_profile(PROFILE)
"""The settings of the chosen profile; use it as a decorator on the fuzz tests."""
