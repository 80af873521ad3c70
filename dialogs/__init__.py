"""Channel-neutral conversation flows: one module per user intent."""
