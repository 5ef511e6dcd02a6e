//! The process's resident memory, which a job with `--memory-limit` holds its spilling to
//! (see `SpillCtx::reserve`): the budget counts hash tables, while the resident set also holds
//! what it cannot count (the state backend's write buffers, Parquet decoders, pages an
//! allocator has not returned yet). It is the whole process's: jobs run side by side in one
//! process each see all of it.

/// Bytes resident in this process now (`VmRSS`), or `None` where `/proc` has no answer (then
/// only the tables' own budget applies; a warning says so once).
pub(crate) fn bytes() -> Option<usize> {
    let rss = read();
    if rss.is_none() {
        static WARNED: std::sync::Once = std::sync::Once::new();
        WARNED.call_once(|| tracing::warn!("cannot read this process's resident memory: --memory-limit counts hash tables only"));
    }
    rss
}

#[cfg(target_os = "linux")]
fn read() -> Option<usize> {
    use std::fs::File;
    use std::os::unix::fs::FileExt;
    use std::sync::OnceLock;
    // Kept open: one `pread` per look instead of an open, a read and a close.
    static STATUS: OnceLock<Option<File>> = OnceLock::new();
    let file = STATUS.get_or_init(|| File::open("/proc/self/status").ok()).as_ref()?;
    // Large enough for the lines before `VmRSS` even with long `Groups:` lists.
    let mut buf = vec![0u8; 16 << 10];
    let n = file.read_at(&mut buf, 0).ok()?;
    parse_vm_rss(&buf[..n])
}

#[cfg(not(target_os = "linux"))]
fn read() -> Option<usize> {
    None
}

/// The `VmRSS:` line of a `/proc/PID/status` text, in bytes. Only that line is decoded: the
/// process name before it may hold any bytes.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn parse_vm_rss(status: &[u8]) -> Option<usize> {
    const FIELD: &[u8] = b"\nVmRSS:";
    let at = status.windows(FIELD.len()).position(|w| w == FIELD)? + FIELD.len();
    let line = &status[at..];
    let line = &line[..line.iter().position(|&b| b == b'\n').unwrap_or(line.len())];
    let mut words = std::str::from_utf8(line).ok()?.split_whitespace();
    let kb: usize = words.next()?.parse().ok()?;
    (words.next() == Some("kB")).then_some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_resident_set_in_bytes() {
        let text = b"Name:\tbe\xffnch\nVmPeak:\t  900 kB\nVmRSS:\t  153600 kB\nRssAnon:\t 1 kB\n";
        assert_eq!(parse_vm_rss(text), Some(150 << 20));
        assert_eq!(parse_vm_rss(b"Name:\tx\nVmRSS:\t12 pages\n"), None);
        assert_eq!(parse_vm_rss(b"Name:\tx\nVmHWM:\t12 kB\n"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_has_a_resident_set() {
        let before = bytes().expect("Linux has /proc/self/status");
        // Touch 256 MiB so that the resident set must grow by most of it, whatever other
        // tests in this process free meanwhile.
        let block = std::hint::black_box(vec![1u8; 256 << 20]);
        let after = bytes().unwrap();
        assert!(after >= before + (128 << 20), "{before} -> {after} with {} bytes touched", block.len());
    }
}
