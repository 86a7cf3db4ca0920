"""Carts kept on the server: an anonymous cart per browser (a random cookie token), one per customer."""
