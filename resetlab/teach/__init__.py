"""The instructor's side: classes, assignments, dashboards and exports."""
