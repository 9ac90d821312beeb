"""Identity and access: people, API clients, tokens, and the gateway's abuse limits."""
