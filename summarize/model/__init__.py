"""The model call: the sans-IO conversation (client.py), its drivers, record/replay, rate limits and re-asks."""
