"""Network-wide pairing: mentees with mentors (or one pool) under loads, languages and conflicts."""
