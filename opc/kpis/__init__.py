"""KPI reports: each quarter a resident team reports its revenue, headcount, IP, works,
financing, R&D spending and taxes; staff see who has not filed and remind them."""

from __future__ import annotations

from flask import Flask

from opc.kpis import models

__all__ = ["models"]


def init_app(app: Flask) -> None:
    pass
