"""Side-by-side benchmarks of the client: `python -m bench.run`."""
