//! GhostFlow
