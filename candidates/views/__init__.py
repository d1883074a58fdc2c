"""Candidate pages: self-service, joining by invitation, and recruiters' candidate pages."""
