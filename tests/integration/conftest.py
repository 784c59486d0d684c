import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """A request in another language (Accept-Language) leaves its language active in the
    worker's thread; code called directly by a test then speaks it. Every test starts in
    English."""
    with translation.override("en"):
        yield
