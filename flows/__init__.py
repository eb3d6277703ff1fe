"""Prefect flows: orchestration only. No HTTP, no mapping, no business rules live here."""
