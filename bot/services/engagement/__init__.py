"""Residents have a say: consultations (one vote per household)."""
