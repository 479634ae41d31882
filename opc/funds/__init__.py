"""Funds: calls for applications, the team's application portal, blind expert review,
decisions within budget and disbursement in tranches."""
