//! One row group of a Parquet file read with its zstd pages decompressed in one call each.
//!
//! parquet 57 decompresses a zstd page through zstd's streaming decoder, made anew for every
//! page, which copies the output through an 8 KiB buffer. Here the row group's zstd columns
//! are opened as if uncompressed, so parquet hands over each page's bytes as stored, and a
//! zstd context, one per thread and reused for every page it reads, decompresses a page
//! straight into a buffer of the page's size (the frame header gives it). Every other codec, and any page whose frame does not give its
//! size, goes through the streaming decoder as before. parquet 58 does the same itself.

use super::pread::PreadFile;
use bytes::Bytes;
use parquet::arrow::arrow_reader::RowGroups;
use parquet::basic::Compression;
use parquet::column::page::{Page, PageIterator, PageMetadata, PageReader};
use parquet::errors::{ParquetError, Result};
use parquet::file::metadata::{ParquetMetaData, RowGroupMetaData};
use parquet::file::serialized_reader::SerializedPageReader;
use std::io::Read;
use std::sync::Arc;

/// Row group `index` of a file, its zstd column chunks marked uncompressed for parquet.
pub(super) struct ZstdRowGroup {
    file: Arc<PreadFile>,
    meta: Arc<ParquetMetaData>,
    /// The row group as parquet reads it (zstd chunks marked uncompressed).
    plain: RowGroupMetaData,
    /// Which columns are zstd-compressed in the file.
    zstd: Vec<bool>,
}

/// Whether a column chunk is zstd-compressed.
fn is_zstd(c: &parquet::file::metadata::ColumnChunkMetaData) -> bool {
    matches!(c.compression(), Compression::ZSTD(_))
}

/// Whether any column of row group `index` is zstd-compressed: only then is [`ZstdRowGroup`]
/// worth it (else the standard reader does as well).
pub(super) fn has_zstd(meta: &ParquetMetaData, index: usize) -> bool {
    meta.row_group(index).columns().iter().any(is_zstd)
}

impl ZstdRowGroup {
    /// Row group `index` of `file`, whose footer is `meta`.
    pub(super) fn new(file: PreadFile, meta: Arc<ParquetMetaData>, index: usize) -> Result<Self> {
        let rg = meta.row_group(index);
        let zstd: Vec<bool> = rg.columns().iter().map(is_zstd).collect();
        let mut columns = Vec::with_capacity(rg.num_columns());
        for (c, &z) in rg.columns().iter().zip(&zstd) {
            columns.push(if z { c.clone().into_builder().set_compression(Compression::UNCOMPRESSED).build()? } else { c.clone() });
        }
        let plain = rg.clone().into_builder().set_column_metadata(columns).build()?;
        Ok(ZstdRowGroup { file: Arc::new(file), meta, plain, zstd })
    }
}

impl RowGroups for ZstdRowGroup {
    fn num_rows(&self) -> usize {
        usize::try_from(self.plain.num_rows()).unwrap_or(0)
    }

    fn column_chunks(&self, i: usize) -> Result<Box<dyn PageIterator>> {
        let pages = SerializedPageReader::new(Arc::clone(&self.file), self.plain.column(i), self.num_rows(), None)?;
        let pages: Box<dyn PageReader> = if self.zstd[i] { Box::new(ZstdPages { inner: pages }) } else { Box::new(pages) };
        Ok(Box::new(OneChunk(Some(pages))))
    }

    fn row_groups(&self) -> Box<dyn Iterator<Item = &RowGroupMetaData> + '_> {
        Box::new(std::iter::once(&self.plain))
    }

    fn metadata(&self) -> &ParquetMetaData {
        &self.meta
    }
}

/// The page reader of the one row group's column chunk.
struct OneChunk(Option<Box<dyn PageReader>>);

impl Iterator for OneChunk {
    type Item = Result<Box<dyn PageReader>>;
    fn next(&mut self) -> Option<Self::Item> {
        self.0.take().map(Ok)
    }
}

impl PageIterator for OneChunk {}

/// A zstd column chunk's pages, decompressed here.
struct ZstdPages<R> {
    inner: R,
}

thread_local! {
    /// The thread's zstd context: made once, not once per column chunk (making one allocated
    /// and zeroed its tables, about 1% of TPC-H Q3's time).
    static DCTX: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> = const { std::cell::RefCell::new(None) };
}

/// Decompresses a page body into `out`, which has room for the size its frame header gives,
/// with the thread's context.
fn decompress_frame(data: &[u8], out: &mut Vec<u8>) -> std::io::Result<usize> {
    DCTX.with(|cell| {
        let mut cell = cell.borrow_mut();
        let dctx = match cell.as_mut() {
            Some(d) => d,
            None => cell.insert(zstd::bulk::Decompressor::new()?),
        };
        dctx.decompress_to_buffer(data, out)
    })
}

impl<R: PageReader> ZstdPages<R> {
    /// The decompressed bytes of a page body stored as one or more zstd frames.
    fn inflate(&mut self, data: &[u8]) -> Result<Vec<u8>> {
        if data.is_empty() {
            return Ok(Vec::new());
        }
        // Only sizes a page can have (parquet's page sizes are `i32`): a damaged header must
        // not make us allocate what it claims.
        if let Ok(Some(size)) = zstd::zstd_safe::get_frame_content_size(data)
            && let Ok(size) = i32::try_from(size)
        {
            let size = size as usize;
            let mut out = Vec::with_capacity(size);
            // Several frames do not fit the first one's size: those go the streaming way.
            if decompress_frame(data, &mut out).is_ok() {
                return Ok(out);
            }
        }
        let mut out = Vec::new();
        zstd::stream::read::Decoder::new(data)?.read_to_end(&mut out)?;
        Ok(out)
    }

    fn decompress(&mut self, mut page: Page) -> Result<Page> {
        match &mut page {
            Page::DictionaryPage { buf, .. } | Page::DataPage { buf, .. } => *buf = Bytes::from(self.inflate(buf)?),
            Page::DataPageV2 { buf, def_levels_byte_len, rep_levels_byte_len, is_compressed, .. } if *is_compressed => {
                // The levels are stored uncompressed in front of the values.
                let levels = (*def_levels_byte_len as usize).saturating_add(*rep_levels_byte_len as usize);
                let values = buf.get(levels..).ok_or_else(|| ParquetError::General("page levels longer than the page".into()))?;
                let mut out = buf[..levels].to_vec();
                out.extend_from_slice(&self.inflate(values)?);
                *buf = Bytes::from(out);
                *is_compressed = false;
            }
            Page::DataPageV2 { .. } => {}
        }
        Ok(page)
    }
}

impl<R: PageReader> Iterator for ZstdPages<R> {
    type Item = Result<Page>;
    fn next(&mut self) -> Option<Self::Item> {
        self.get_next_page().transpose()
    }
}

impl<R: PageReader> PageReader for ZstdPages<R> {
    fn get_next_page(&mut self) -> Result<Option<Page>> {
        match self.inner.get_next_page()? {
            Some(page) => self.decompress(page).map(Some),
            None => Ok(None),
        }
    }

    fn peek_next_page(&mut self) -> Result<Option<PageMetadata>> {
        self.inner.peek_next_page()
    }

    fn skip_next_page(&mut self) -> Result<()> {
        self.inner.skip_next_page()
    }

    fn at_record_boundary(&mut self) -> Result<bool> {
        self.inner.at_record_boundary()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray};
    use parquet::arrow::ArrowWriter;
    use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
    use parquet::basic::ZstdLevel;
    use parquet::file::properties::{WriterProperties, WriterVersion};
    use proptest::prelude::*;
    use std::fs::File;

    /// Writes `rows` rows (nullable integers, dictionary-friendly and unique text, a snappy
    /// column beside the zstd ones) in small pages and row groups.
    fn write(path: &std::path::Path, rows: &[(Option<i64>, u8, Option<String>)], v2: bool, dictionary: bool) {
        let ints: ArrayRef = Arc::new(Int64Array::from_iter(rows.iter().map(|r| r.0)));
        let tags: ArrayRef = Arc::new(StringArray::from_iter_values(rows.iter().map(|r| format!("tag{}", r.1 % 7))));
        let text: ArrayRef = Arc::new(StringArray::from_iter(rows.iter().map(|r| r.2.clone())));
        let snappy: ArrayRef = Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| i64::from(r.1))));
        let batch = RecordBatch::try_from_iter([("ints", ints), ("tags", tags), ("text", text), ("snappy", snappy)]).unwrap();
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::try_new(3).unwrap()))
            .set_column_compression("snappy".into(), Compression::SNAPPY)
            .set_writer_version(if v2 { WriterVersion::PARQUET_2_0 } else { WriterVersion::PARQUET_1_0 })
            .set_dictionary_enabled(dictionary)
            .set_data_page_row_count_limit(37)
            .set_write_batch_size(16)
            .set_max_row_group_size(300)
            .build();
        let mut w = ArrowWriter::try_new(File::create(path).unwrap(), batch.schema(), Some(props)).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
    }

    fn row() -> impl Strategy<Value = (Option<i64>, u8, Option<String>)> {
        (proptest::option::of(any::<i64>()), any::<u8>(), proptest::option::of("[a-z]{0,40}"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn zstd_pages_read_as_parquet_reads_them(rows in proptest::collection::vec(row(), 1..700), v2: bool, dictionary: bool, batch in 1usize..100) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("t.parquet");
            write(&path, &rows, v2, dictionary);
            let meta = ArrowReaderMetadata::load(&File::open(&path).unwrap(), Default::default()).unwrap();
            for g in 0..meta.metadata().num_row_groups() {
                let want: Vec<RecordBatch> = ParquetRecordBatchReaderBuilder::new_with_metadata(File::open(&path).unwrap(), meta.clone())
                    .with_row_groups(vec![g])
                    .with_batch_size(batch)
                    .build()
                    .unwrap()
                    .collect::<std::result::Result<_, _>>()
                    .unwrap();
                assert!(has_zstd(meta.metadata(), g), "zstd columns");
                let rg = ZstdRowGroup::new(PreadFile::new(File::open(&path).unwrap()).unwrap(), Arc::clone(meta.metadata()), g).unwrap();
                let mask = parquet::arrow::ProjectionMask::all();
                let levels = parquet::arrow::parquet_to_arrow_field_levels(meta.parquet_schema(), mask, Some(meta.schema().fields())).unwrap();
                let got: Vec<RecordBatch> = ParquetRecordBatchReader::try_new_with_row_groups(&levels, &rg, batch, None)
                    .unwrap()
                    .collect::<std::result::Result<_, _>>()
                    .unwrap();
                prop_assert_eq!(got, want);
            }
        }
    }

    /// Pages handed out as stored.
    struct Stored(std::vec::IntoIter<Page>);

    impl Iterator for Stored {
        type Item = Result<Page>;
        fn next(&mut self) -> Option<Self::Item> {
            self.0.next().map(Ok)
        }
    }

    impl PageReader for Stored {
        fn get_next_page(&mut self) -> Result<Option<Page>> {
            Ok(self.0.next())
        }
        fn peek_next_page(&mut self) -> Result<Option<PageMetadata>> {
            Ok(None)
        }
        fn skip_next_page(&mut self) -> Result<()> {
            self.0.next();
            Ok(())
        }
    }

    /// `body` as zstd frames: one with its size (as DuckDB and parquet-cpp write), two
    /// (the first's size is not the page's), or streamed without a size (as parquet-rs writes).
    fn frames(body: &[u8], how: u8) -> Vec<u8> {
        match how % 3 {
            0 => zstd::bulk::compress(body, 3).unwrap(),
            1 => {
                let half = body.len() / 2;
                let mut out = zstd::bulk::compress(&body[..half], 1).unwrap();
                out.extend(zstd::bulk::compress(&body[half..], 1).unwrap());
                out
            }
            _ => zstd::stream::encode_all(body, 3).unwrap(),
        }
    }

    proptest! {
        #[test]
        fn every_page_kind_and_frame_layout_decompresses(body in proptest::collection::vec(0u8..4, 0..5000), levels in proptest::collection::vec(any::<u8>(), 0..20), how: u8) {
            use parquet::basic::Encoding;
            let stored = Bytes::from(frames(&body, how));
            let mut v2 = levels.clone();
            v2.extend_from_slice(&stored);
            let pages = vec![
                Page::DictionaryPage { buf: stored.clone(), num_values: 1, encoding: Encoding::PLAIN, is_sorted: false },
                Page::DataPage { buf: stored.clone(), num_values: 1, encoding: Encoding::PLAIN, def_level_encoding: Encoding::RLE, rep_level_encoding: Encoding::RLE, statistics: None },
                Page::DataPageV2 { buf: Bytes::from(v2), num_values: 1, encoding: Encoding::PLAIN, num_nulls: 0, num_rows: 1, def_levels_byte_len: levels.len() as u32, rep_levels_byte_len: 0, is_compressed: true, statistics: None },
                Page::DataPageV2 { buf: Bytes::from(levels.clone()), num_values: 1, encoding: Encoding::PLAIN, num_nulls: 0, num_rows: 1, def_levels_byte_len: levels.len() as u32, rep_levels_byte_len: 0, is_compressed: false, statistics: None },
            ];
            let mut reader = ZstdPages { inner: Stored(pages.into_iter()) };
            let mut with_levels = levels.clone();
            with_levels.extend_from_slice(&body);
            for want in [&body, &body, &with_levels, &levels] {
                let page = reader.get_next_page().unwrap().unwrap();
                prop_assert_eq!(page.buffer().as_ref(), want.as_slice());
            }
            prop_assert!(reader.get_next_page().unwrap().is_none());
        }
    }

    #[test]
    fn files_without_zstd_use_the_standard_reader() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let batch = RecordBatch::try_from_iter([("a", Arc::new(Int64Array::from(vec![1, 2])) as ArrayRef)]).unwrap();
        let mut w = ArrowWriter::try_new(File::create(&path).unwrap(), batch.schema(), None).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        let meta = ArrowReaderMetadata::load(&File::open(&path).unwrap(), Default::default()).unwrap();
        assert!(!has_zstd(meta.metadata(), 0));
    }
}
