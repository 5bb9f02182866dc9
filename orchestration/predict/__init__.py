"""Predict and act: propensity to activate and retain, survey sentiment and friction
themes (issue "Predict and act"). The status page of each account that shows them is in
orchestration/serving/status_pages.py, their report section in orchestration/reports/predict.py."""
