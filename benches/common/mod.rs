//! What the Rust benches share, pulled into each with `#[path = "common/mod.rs"] mod common;`
//! (each bench is its own crate, so there is no other way to share code between them).

/// The CPU model from `/proc/cpuinfo` (`unknown` where there is none), which every bench
/// prints beside its numbers.
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}
