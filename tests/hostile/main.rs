//! The runtime against a hostile server of our own (raw TCP on loopback):
//! the fault matrix, and one test for each failure found on the way.

mod matrix;
mod regressions;
mod server;
mod targets;
mod tolerant;
