//! The LLM model registry (SPEC §9).
