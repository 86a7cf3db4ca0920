"""Promotions and coupons: the best-price engine, coupon templates, issuing and redemption."""
