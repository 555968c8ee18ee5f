"""Agent-based model of two-way referral incentives in county medical consortia."""

__version__ = "0.1.0"
