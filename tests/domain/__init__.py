"""Domain tests: aggregates and the access rule, no service layer unless a story needs it."""
