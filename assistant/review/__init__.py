"""Keeping goals alive through the period: check-ins, progress, grades, the review pack."""
