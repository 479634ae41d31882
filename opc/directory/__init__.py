"""The resident directory: what teams offer and need, matches between them, and introductions."""
