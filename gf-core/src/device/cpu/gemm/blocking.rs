//! Cache sizes and the block sizes derived from them.
//!
//! BLIS's rule: the micro-panels the micro-kernel reads live in L1 and L2, an `mc × kc` block
//! of packed A stays in L2, and a `kc × nc` panel of packed B stays in (its share of) L3.
//! `kc` is L1 / 128 bytes (256 on a 32 KiB L1) for both f32 and f64: on a Zen 4 core that
//! measured best of 96..512 for both, the hardware prefetchers keeping the wide 6×64 / 6×32
//! B micro-panels streaming from L2.

use std::sync::OnceLock;

/// Data-cache sizes in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheSizes {
    /// Level-1 data cache of one core.
    pub l1d: usize,
    /// Level-2 cache of one core.
    pub l2: usize,
    /// Level-3 cache (shared).
    pub l3: usize,
}

impl CacheSizes {
    /// Sizes of a typical current x86-64 or aarch64 core, used where detection fails.
    pub const DEFAULT: CacheSizes = CacheSizes {
        l1d: 32 << 10,
        l2: 512 << 10,
        l3: 8 << 20,
    };

    /// This machine's caches: on Linux from `/sys/devices/system/cpu/cpu0/cache`, elsewhere
    /// (or for a level the system does not report) [`CacheSizes::DEFAULT`]. Read once.
    pub fn detect() -> CacheSizes {
        static SIZES: OnceLock<CacheSizes> = OnceLock::new();
        *SIZES.get_or_init(|| read_sysfs().unwrap_or(CacheSizes::DEFAULT))
    }
}

fn read_sysfs() -> Option<CacheSizes> {
    let mut out = CacheSizes::DEFAULT;
    let mut found = false;
    for i in 0..8 {
        let dir = format!("/sys/devices/system/cpu/cpu0/cache/index{i}");
        let read = |f: &str| std::fs::read_to_string(format!("{dir}/{f}")).ok();
        let (Some(level), Some(kind), Some(size)) = (read("level"), read("type"), read("size"))
        else {
            continue;
        };
        let Some(bytes) = parse_size(&size) else {
            continue;
        };
        match (level.trim(), kind.trim()) {
            ("1", "Data" | "Unified") => out.l1d = bytes,
            ("2", "Data" | "Unified") => out.l2 = bytes,
            ("3", "Data" | "Unified") => out.l3 = bytes,
            _ => continue,
        }
        found = true;
    }
    found.then_some(out)
}

/// "32K", "1024K", "32M", "512" (bytes) → bytes.
pub(crate) fn parse_size(s: &str) -> Option<usize> {
    let s = s.trim();
    let (num, mul) = match s.as_bytes().last()? {
        b'K' | b'k' => (&s[..s.len() - 1], 1 << 10),
        b'M' | b'm' => (&s[..s.len() - 1], 1 << 20),
        b'G' | b'g' => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    num.trim()
        .parse::<usize>()
        .ok()?
        .checked_mul(mul)
        .filter(|&b| b > 0)
}

/// The cache blocks of one GEMM: `kc` (depth), `mc` (rows of A per block, a multiple of `MR`)
/// and `nc` (columns of B per panel, a multiple of `NR`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Blocking {
    /// Depth of one packed block.
    pub kc: usize,
    /// Rows of A per packed block.
    pub mc: usize,
    /// Columns of B per packed panel.
    pub nc: usize,
}

impl Blocking {
    /// The blocks for micro-tiles of `mr × nr` elements of `elem` bytes on caches `c`.
    pub fn new(c: CacheSizes, mr: usize, nr: usize, elem: usize) -> Blocking {
        let kc = (c.l1d / 128).clamp(64, 512) / 8 * 8;
        // A's block takes half of L2, leaving room for B's micro-panels and C
        let mc = ((c.l2 / 2 / (kc * elem)) / mr).max(1) * mr;
        // B's panel takes a quarter of L3, which other cores share
        let nc = ((c.l3 / 4 / (kc * elem)).clamp(nr, 4096) / nr).max(1) * nr;
        Blocking { kc, mc, nc }
    }
}
