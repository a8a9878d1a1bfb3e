"""What became of our demands: published outcomes, their text, the adoption analysis and the
activity report.
"""
