//! Pod Security Standards, evaluated exactly as upstream pod-security-admission does.
//! TODO(issue 3): the engine is being written; this module is its home.
