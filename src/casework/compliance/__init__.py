"""What compliance reviewers, evaluators and courts rely on: as-of replay, verification
of the tamper-evident ledger, verifiable export bundles, and erasure by key destruction."""
