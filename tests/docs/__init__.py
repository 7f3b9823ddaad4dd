"""Documentation tests: what a reader follows in the README and the guides is there."""
