"""The agency's back office for its clients: companies and their contract terms, sites, service
profiles with their matching weights, and the client managers (contacts) who order."""
