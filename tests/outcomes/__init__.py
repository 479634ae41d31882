"""Tests of the outcomes: the dashboard and the Torch survey export."""
