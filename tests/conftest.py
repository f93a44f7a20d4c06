"""Shared fixtures for the sketchbook tests."""
