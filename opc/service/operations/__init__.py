"""Every change of a service request: opening, handling by staff, the team's answers."""
