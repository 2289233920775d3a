"""The networks' shared calendar and peer-learning database: events (workshops, webinars, peer
exchanges, field visits, MOOC sessions) with their hosts and participants, the resources each
produced, and an iCalendar feed (RFC 5545) people's calendars and the hub subscribe to."""
