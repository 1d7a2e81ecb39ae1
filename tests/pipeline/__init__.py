"""Tests of the spec pipeline."""
