//! The process's resident memory, which a job with `--memory-limit` holds its spilling to
//! (see `SpillCtx::reserve`): the budget counts hash tables, while the resident set also holds
//! what it cannot count (the state backend's write buffers, Parquet decoders, pages an
//! allocator has not returned yet).

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::sync::OnceLock;

/// Bytes resident in this process now (`VmRSS`), or `None` where `/proc` has no answer.
pub(crate) fn bytes() -> Option<usize> {
    // Kept open: one `pread` per look instead of an open, a read and a close.
    static STATUS: OnceLock<Option<File>> = OnceLock::new();
    let file = STATUS.get_or_init(|| File::open("/proc/self/status").ok()).as_ref()?;
    let mut buf = [0u8; 4096];
    let n = file.read_at(&mut buf, 0).ok()?;
    parse_vm_rss(&buf[..n])
}

/// The `VmRSS:` line of a `/proc/PID/status` text, in bytes.
fn parse_vm_rss(status: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(status).ok()?;
    let line = text.lines().find(|l| l.starts_with("VmRSS:"))?;
    let mut words = line.split_whitespace().skip(1);
    let kb: usize = words.next()?.parse().ok()?;
    (words.next() == Some("kB")).then_some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_resident_set_in_bytes() {
        let text = b"Name:\tbench\nVmPeak:\t  900 kB\nVmRSS:\t  153600 kB\nRssAnon:\t 1 kB\n";
        assert_eq!(parse_vm_rss(text), Some(150 << 20));
        assert_eq!(parse_vm_rss(b"VmRSS:\t12 pages\n"), None);
        assert_eq!(parse_vm_rss(b"Name:\tx\n"), None);
    }

    #[test]
    fn this_process_has_a_resident_set() {
        let before = bytes().expect("Linux has /proc/self/status");
        // Touch 256 MiB so that the resident set must grow by most of it, whatever other
        // tests in this process free meanwhile.
        let block = vec![1u8; 256 << 20];
        let after = bytes().unwrap();
        assert!(
            after >= before + (128 << 20),
            "{before} -> {after} with {} bytes touched",
            block.iter().map(|&b| b as usize).sum::<usize>()
        );
    }
}
