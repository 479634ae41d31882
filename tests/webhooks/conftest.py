"""The webhooks tests' receiver (a local HTTP server that checks signatures)."""

from tests.webhooks.receiver import receiver

__all__ = ["receiver"]
