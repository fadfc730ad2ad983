"""Pictures of the graph: the recurrence network and matrix, and the per-organization report."""
