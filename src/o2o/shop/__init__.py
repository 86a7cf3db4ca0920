"""The storefront (phone first): pick a store, browse with its availability, cart, checkout, orders."""
