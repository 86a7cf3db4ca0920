"""Messages to customers beyond the SMS adapters: delivery receipts of SMS providers, and WeChat
subscription messages (one-time consents) for order status."""
