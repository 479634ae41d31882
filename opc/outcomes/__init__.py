"""Outcomes: what the park achieves. The outcome dashboard (output and growth by track,
residents and occupancy, graduations, subsidy spent against output) and the government's
incubator statistics export (the Torch 火炬统计 survey)."""

from __future__ import annotations

from flask import Flask

from opc.outcomes import dashboard, torch


def init_app(app: Flask) -> None:
    dashboard.init_app(app)
    torch.init_app(app)
