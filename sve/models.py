"""Tenant schema: form catalogue, requests, acknowledgements, deadlines, journal."""
