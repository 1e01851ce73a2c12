"""Workflows on reviews, by feature. Views, tasks and commands call these; models never do."""
