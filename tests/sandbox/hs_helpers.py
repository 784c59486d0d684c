"""Shared helpers for the HubSpot emulator conformance tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest


def api_error(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[int, dict[str, Any], Any]:
    """Call an SDK method that must fail; return (status, JSON body, headers)."""
    with pytest.raises(Exception) as info:  # noqa: B017 - each SDK sub-package has its own class
        fn(*args, **kwargs)
    e = info.value
    assert hasattr(e, "status"), repr(e)
    body = json.loads(e.body) if e.body else {}
    return e.status, body, e.headers
