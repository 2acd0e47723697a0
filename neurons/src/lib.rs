//! The `nya` binary's library: command line, settings, commands. Thin orchestration over
//! nya-chain (everything on chain) and nya-pipeline (the compute).

pub mod cli;
pub mod commands;
pub mod config;
pub mod logging;
