"""The emulator against Oracle's documentation, over real HTTP, with no tap code."""
