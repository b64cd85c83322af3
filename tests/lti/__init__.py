"""LTI 1.3 tests: a local test platform and its own tests."""
