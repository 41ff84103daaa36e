"""Load and fan-out benchmarks: `python -m bench --help`."""
