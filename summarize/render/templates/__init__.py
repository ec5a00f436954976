"""Jinja2 templates of the HTML reader (data, shipped with the package)."""
