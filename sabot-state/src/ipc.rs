//! Arrow IPC bytes for batches and schemas, used where a store holds opaque values (RocksDB
//! table rows, Tonbo's table schemas).

use std::sync::Arc;

use arrow::{datatypes::SchemaRef, record_batch::RecordBatch};
use arrow_ipc::{reader::StreamReader, writer::StreamWriter};

use crate::StateError;

/// One batch as an IPC stream (schema message + batch message).
pub(crate) fn encode(batch: &RecordBatch) -> Vec<u8> {
    let mut out = Vec::with_capacity(batch.get_array_memory_size() + 256);
    write(&mut out, &batch.schema(), Some(batch)).expect("writing IPC into a Vec cannot fail");
    out
}

/// An IPC stream with only the schema message.
pub(crate) fn encode_schema(schema: &SchemaRef) -> Vec<u8> {
    let mut out = Vec::new();
    write(&mut out, schema, None).expect("writing IPC into a Vec cannot fail");
    out
}

fn write(out: &mut Vec<u8>, schema: &SchemaRef, batch: Option<&RecordBatch>) -> Result<(), arrow::error::ArrowError> {
    let mut writer = StreamWriter::try_new(out, schema)?;
    if let Some(batch) = batch {
        writer.write(batch)?;
    }
    writer.finish()
}

/// Every batch in an IPC stream written by [`encode`].
pub(crate) fn decode(what: &str, bytes: &[u8]) -> Result<Vec<RecordBatch>, StateError> {
    let err = |e: arrow::error::ArrowError| StateError::Decode { what: what.to_string(), message: e.to_string() };
    let reader = StreamReader::try_new(bytes, None).map_err(err)?;
    reader.collect::<Result<Vec<_>, _>>().map_err(err)
}

/// The schema of an IPC stream written by [`encode_schema`].
pub(crate) fn decode_schema(what: &str, bytes: &[u8]) -> Result<SchemaRef, StateError> {
    let reader = StreamReader::try_new(bytes, None).map_err(|e| StateError::Decode { what: what.to_string(), message: e.to_string() })?;
    Ok(Arc::clone(&reader.schema()))
}

/// Refuses a batch whose schema differs from the table's (field names and types).
pub(crate) fn check_schema(table: &str, expected: &SchemaRef, batch: &RecordBatch) -> Result<(), StateError> {
    let found = batch.schema();
    let same = expected.fields().len() == found.fields().len()
        && expected.fields().iter().zip(found.fields()).all(|(a, b)| a.name() == b.name() && a.data_type() == b.data_type());
    if same {
        return Ok(());
    }
    let show = |s: &SchemaRef| {
        let cols: Vec<String> = s.fields().iter().map(|f| format!("{}: {}", f.name(), f.data_type())).collect();
        format!("({})", cols.join(", "))
    };
    Err(StateError::Schema { table: table.to_string(), expected: show(expected), found: show(&found) })
}
