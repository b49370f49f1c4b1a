"""Slant's committed model directories, installed as the ``classifier.models`` package data."""
