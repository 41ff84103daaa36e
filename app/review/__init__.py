"""The domain: a review's phases, its rules, and the one path every command takes."""
