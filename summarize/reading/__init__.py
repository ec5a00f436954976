"""Reading: a file, URL or PDF into a cleaned `Article` (read.py, clean/), and its numbered sentences."""
