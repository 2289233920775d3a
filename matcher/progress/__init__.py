"""A network's progress, as a secretariat reports it: proposals by status, time from proposal to an
active partnership, outcomes and ratings, and what is overdue, per network, cluster or region."""

from matcher.progress.figures import GROUPINGS, GroupBy, GroupProgress, ProgressReport, progress_report

__all__ = ["GROUPINGS", "GroupBy", "GroupProgress", "ProgressReport", "progress_report"]
