"""The only layer with widgets. Views take a model and subscribe to it."""
