"""Hudu connector tests."""
