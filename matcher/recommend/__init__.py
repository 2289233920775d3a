"""Recommendations built on the indexes: peer partners, expert groups, representative fit,
resources for a member, and the need x member affinity matrix."""
