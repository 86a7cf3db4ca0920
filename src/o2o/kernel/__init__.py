"""Shared infrastructure no business area owns."""
