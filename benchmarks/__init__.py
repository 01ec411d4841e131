"""iacviz's benchmarks: speed and memory as ratios against peers. Run ``make bench`` (see README.md)."""
