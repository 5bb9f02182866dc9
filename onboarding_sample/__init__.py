"""Deterministic, realistic sample data for the landing zone, with planted ground truth.

onboarding sample generate --accounts 400 --days 120 --seed 7 --out data/landing
"""
