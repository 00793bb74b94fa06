"""Tests of the Hudu API v1 simulator."""
