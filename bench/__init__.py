"""Benchmarks: `python -m bench [reserve|place_order|routing|all] [--quick]`; results in bench/results/."""
