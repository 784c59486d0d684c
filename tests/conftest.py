pytest_plugins = [
    "tests.fixtures.sf",
    "tests.fixtures.hs",
]
