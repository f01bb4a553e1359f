"""Contracts at the bottom of the dependency graph: messages and the channel interface."""

from app.contracts.messages import COMMAND_KINDS, Command, ImageText, IncomingMessage, QuickReply, Reply

__all__ = ["COMMAND_KINDS", "Command", "ImageText", "IncomingMessage", "QuickReply", "Reply"]
