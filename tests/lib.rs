//! Workspace-level end-to-end tests live in `it/` (one test binary). This library is their
//! shared support; it grows with the localnet and hub harnesses.
