"""Scripts that measure the performance budget (PERFORMANCE.md)."""
