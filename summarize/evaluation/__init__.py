"""Evaluation on a gold set: gold files, matching and scoring, the runs, and their report."""
