"""Validation: parse and check each record (record), run the blocks (executors), merge and judge (run)."""
