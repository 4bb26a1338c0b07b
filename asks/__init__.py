"""Asks: what a campaign asks of supporters besides reading — petitions, pledges, events."""
