"""Every change of rooms and bookings: rooms (make a unit bookable, its hours and quota),
bookings (book, cancel) and venues (an event holds its room through a booking)."""
