//! Typed async client for the tawk.to REST API v1 (generated from `spec/tawk.yaml`; in progress).
