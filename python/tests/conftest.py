"""Shared pytest set-up: hypothesis profiles and SciPy's expected failures.

Hypothesis runs the `dev` profile (200 examples a test) by default; CI
selects `ci` (fewer, no deadline) with SIMDCONV_HYPOTHESIS_PROFILE=ci.
"""

import os

import pytest

try:
    from hypothesis import HealthCheck, settings
except ImportError:  # the drop-in tests need it; the rest do not
    settings = None

if settings is not None:
    settings.register_profile(
        "dev", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    settings.register_profile(
        "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    settings.load_profile(os.environ.get("SIMDCONV_HYPOTHESIS_PROFILE", "dev"))


def pytest_configure(config):
    # Markers of SciPy's own test classes (tests/test_scipy_suite.py).
    for marker in ("skip_xp_backends", "xfail_xp_backends", "array_api_backends"):
        config.addinivalue_line("markers", f"{marker}: SciPy's array-API marker")


def pytest_collection_modifyitems(config, items):
    for item in items:
        expected = getattr(getattr(item, "module", None), "EXPECTED_FAILURES", {})
        if not expected:
            continue
        key = f"{item.cls.__name__}::{item.originalname}" if item.cls else item.originalname
        if key in expected:
            item.add_marker(pytest.mark.xfail(strict=True, reason=expected[key]))
