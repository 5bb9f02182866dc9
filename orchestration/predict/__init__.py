"""Predict and act: propensity to activate and retain, survey sentiment and friction
themes, and the onboarding status page of each account (issue "Predict and act")."""
