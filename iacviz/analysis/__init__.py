"""Analyses: pure functions of an Estate (exports, graphs, blast radius, replacement, changes)."""
