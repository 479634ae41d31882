"""Outcomes: the park's outcome dashboard and the Torch (火炬统计) statistics export."""
