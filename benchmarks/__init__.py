"""Benchmarks of Madang's live room against a stock Channels chat room (`make bench`)."""
