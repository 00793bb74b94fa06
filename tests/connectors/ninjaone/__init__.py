"""NinjaOne connector tests."""
