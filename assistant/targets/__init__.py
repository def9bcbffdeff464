"""Chỉ tiêu: the table of targets and results extracted from every document."""
