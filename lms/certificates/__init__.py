"""Certificates: eligibility, certification decisions, issuance, PDF rendering, verification."""
