"""O2O omnichannel retail platform."""
