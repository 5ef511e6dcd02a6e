//! A Parquet file read with positioned reads. parquet's own reader of a `File` duplicates the
//! descriptor, seeks and closes it again for every page header and every page, and reads 8 KiB
//! to parse a header of a few dozen bytes: TPC-H Q3 made about 4,700 such calls per run, and
//! read each page in 8 KiB, 16 KiB ... pieces. Here a page is one `pread` into a buffer of its
//! size, and a header one small one.

use bytes::Bytes;
use parquet::errors::{ParquetError, Result};
use parquet::file::reader::{ChunkReader, Length};
use std::fs::File;
use std::io::{BufReader, Read};
use std::sync::Arc;

/// Reads from `file` at `pos`, leaving its position alone.
fn read_at(file: &File, buf: &mut [u8], pos: u64) -> std::io::Result<usize> {
    #[cfg(unix)]
    return std::os::unix::fs::FileExt::read_at(file, buf, pos);
    #[cfg(windows)]
    return std::os::windows::fs::FileExt::seek_read(file, buf, pos);
}

/// Bytes read ahead for a page header: headers are a few dozen bytes (more with statistics,
/// which the buffer then refills for).
const HEADER_READ: usize = 1024;

/// An open Parquet file whose reads name their offset.
pub(super) struct PreadFile {
    file: Arc<File>,
    len: u64,
}

impl PreadFile {
    /// Reads from `file`, whose length is taken once here.
    pub(super) fn new(file: File) -> std::io::Result<Self> {
        let len = file.metadata()?.len();
        Ok(PreadFile { file: Arc::new(file), len })
    }
}

/// Reads `file` from `pos` on.
pub(super) struct At {
    file: Arc<File>,
    pos: u64,
}

impl Read for At {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = read_at(&self.file, buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Length for PreadFile {
    fn len(&self) -> u64 {
        self.len
    }
}

impl ChunkReader for PreadFile {
    type T = BufReader<At>;

    fn get_read(&self, start: u64) -> Result<Self::T> {
        Ok(BufReader::with_capacity(HEADER_READ, At { file: Arc::clone(&self.file), pos: start }))
    }

    fn get_bytes(&self, start: u64, length: usize) -> Result<Bytes> {
        // One read of the whole range (a page), where `read_to_end` would read 8 KiB first and
        // double from there.
        let mut buffer = vec![0u8; length];
        At { file: Arc::clone(&self.file), pos: start }.read_exact(&mut buffer).map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => {
                ParquetError::EOF(format!("expected {length} bytes at offset {start}, the file has {} bytes", self.len))
            }
            _ => e.into(),
        })?;
        Ok(buffer.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn reads_at_offsets_and_reports_a_short_file() {
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(b"0123456789").unwrap();
        let file = PreadFile::new(f).unwrap();
        assert_eq!(file.len(), 10);
        assert_eq!(file.get_bytes(3, 4).unwrap().as_ref(), b"3456");
        let mut rest = String::new();
        file.get_read(6).unwrap().read_to_string(&mut rest).unwrap();
        assert_eq!(rest, "6789");
        let err = file.get_bytes(8, 5).unwrap_err().to_string();
        assert!(err.contains("expected 5 bytes at offset 8"), "{err}");
    }
}
