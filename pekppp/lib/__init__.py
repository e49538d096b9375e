"""Helpers that need no Django: plain functions over plain values."""
