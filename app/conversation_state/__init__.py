"""The per-citizen conversation state store (open report drafts, the conversation memo)."""
