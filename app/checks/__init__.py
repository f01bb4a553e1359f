"""Checks of numbers, accounts and links against tips and warning lists."""
