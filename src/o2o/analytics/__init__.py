"""Analytics: read-only reports over the whole chain (the back-office dashboard, stock grid, order search)."""
