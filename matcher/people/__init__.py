"""People: members' staff and external experts, and expert groups composed of them (with a
mandate, invitations and answers, and an optional gender or region balance rule)."""
