"""Helpers shared by the browser tests and the benchmarks (bench/ imports these; tests never import bench/)."""
