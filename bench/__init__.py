"""The matcher benchmark: a seeded synthetic registry (bench.synthetic) and the timed run
(bench.matcher_bench). Run it with `make bench` or `python -m bench.matcher_bench --help`."""
