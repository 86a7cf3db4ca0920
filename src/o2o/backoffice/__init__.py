"""The back-office (operators, platform admins): catalog, stores, stock, orders, users, dashboard."""
