"""/api/v1/kpi-reports (being written)."""
