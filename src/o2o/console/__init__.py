"""The store console (clerks, store managers; tablet and phone): queue, pick, ready, hand over, stock."""
