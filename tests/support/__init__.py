"""Test doubles and drivers: the fake Bot API (in-process and over HTTP) and the harness."""
