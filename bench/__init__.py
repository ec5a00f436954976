"""Benchmarks and the local fake OpenAI-compatible server they (and some tests) run against."""
