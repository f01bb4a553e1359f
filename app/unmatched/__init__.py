"""The store of messages the bot did not understand."""
