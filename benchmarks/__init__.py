"""The course's benchmarks (``make bench``): lesson run times, and reference runs of the
course's models on the tier-2 sample data beside published numbers. They write JSON
into benchmarks/results/, from which benchmarks/report.py makes the book's results
page (book/results.md). Usage: benchmarks/run.py."""
