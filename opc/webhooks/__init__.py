"""Webhooks: signed deliveries of what happens in a park to its own tools and group bots."""
