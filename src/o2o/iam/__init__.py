"""Accounts, roles and access: customers sign in, staff roles scoped to stores, integration keys."""
