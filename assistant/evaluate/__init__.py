"""Measurement: metrics over question sets, calibration of the policy, the tutorial
baseline, and the recording of labelled questions.
"""
