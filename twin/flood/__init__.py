"""Flooding: design storms, a local-inertial surface-water solver, damage and people affected."""
