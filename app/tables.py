"""Imports every module that defines tables, so SQLModel.metadata (and Alembic) sees them all."""

from __future__ import annotations

import app.blocklist.models  # blocklist_sources, blocklist_entries, blocklist_imports
import app.channels.zalo.models  # zalo_tokens
import app.console.models  # officers, sessions, status history, audit, variant suggestions
import app.conversation_state.store  # conversation_states
import app.handoff.models  # handoffs, handoff_messages
import app.inbox.models  # inbound_events
import app.outbox.models  # outbound_messages
import app.ratelimits.models  # rate_counts (the web chat's limits, shared by the workers)
import app.tips.models
import app.unmatched.models  # noqa: F401  (messages the bot did not understand)
