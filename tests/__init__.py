"""The test suite: unit and integration tests, and the local demo web under ``sites``."""
