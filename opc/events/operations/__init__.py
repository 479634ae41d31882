"""Every change of an event's state: events (staff), registrations and the waitlist's places,
check-in at the door."""
