//! Every backend behind the one trait: keyed bytes, typed keyed state and append-only tables,
//! and, for RocksDB and Tonbo, state that survives closing and reopening the directory.

use std::sync::Arc;

use arrow::{
    array::{Int64Array, StringArray},
    datatypes::{DataType, Field, Schema},
    record_batch::RecordBatch,
};
use sabot_state::{ListState, MapState, StateBackend, StateSpec, ValueState};

fn batch(from: i64, n: i64) -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![Field::new("id", DataType::Int64, false), Field::new("name", DataType::Utf8, true)]));
    let ids = Int64Array::from_iter_values(from..from + n);
    let names = StringArray::from_iter((from..from + n).map(|i| (i % 3 != 0).then(|| format!("n{i}"))));
    RecordBatch::try_new(schema, vec![Arc::new(ids), Arc::new(names)]).unwrap()
}

fn ids(batches: &[RecordBatch]) -> Vec<i64> {
    batches.iter().flat_map(|b| b.column(0).as_any().downcast_ref::<Int64Array>().unwrap().values().to_vec()).collect()
}

/// Writes some of everything; `check` reads it back.
fn write(backend: &Arc<dyn StateBackend>) {
    backend.put("counts", b"b", b"2").unwrap();
    backend.put("counts", b"a", b"1").unwrap();
    backend.put("counts", b"c", b"3").unwrap();
    backend.put("counts", b"a", b"10").unwrap();
    backend.delete("counts", b"c").unwrap();
    backend.put("other", b"a", b"x").unwrap();
    // Appended out of id order: reads must keep append order.
    backend.append("spill/p0", &batch(100, 5)).unwrap();
    backend.append("spill/p0", &batch(0, 3)).unwrap();
    backend.append("spill/p1", &batch(50, 1)).unwrap();
    let values = ValueState::<i64, String>::new(Arc::clone(backend), "user.value");
    values.set(&7, &"seven".to_string()).unwrap();
    let lists = ListState::<String, (i64, f64)>::new(Arc::clone(backend), "user.list");
    lists.push(&"k".to_string(), (1, 0.5)).unwrap();
    lists.push(&"k".to_string(), (2, 1.5)).unwrap();
    let maps = MapState::<i64, String, u32>::new(Arc::clone(backend), "user.map");
    maps.insert(&1, &"x".to_string(), &10).unwrap();
    maps.insert(&1, &"y".to_string(), &20).unwrap();
    maps.insert(&2, &"x".to_string(), &30).unwrap();
    maps.remove(&1, &"y".to_string()).unwrap();
}

fn check(backend: &Arc<dyn StateBackend>) {
    assert_eq!(backend.get("counts", b"a").unwrap().as_deref(), Some(&b"10"[..]));
    assert_eq!(backend.get("counts", b"c").unwrap(), None);
    assert_eq!(backend.get("nothing", b"a").unwrap(), None);
    let entries = backend.entries("counts").unwrap();
    assert_eq!(entries, vec![(b"a".to_vec(), b"10".to_vec()), (b"b".to_vec(), b"2".to_vec())]);
    assert_eq!(ids(&backend.read("spill/p0").unwrap()), vec![100, 101, 102, 103, 104, 0, 1, 2]);
    assert_eq!(ids(&backend.read("spill/p1").unwrap()), vec![50]);
    let names: Vec<Option<String>> = backend
        .read("spill/p0")
        .unwrap()
        .iter()
        .flat_map(|b| b.column(1).as_any().downcast_ref::<StringArray>().unwrap().iter().map(|s| s.map(str::to_string)).collect::<Vec<_>>())
        .collect();
    assert_eq!(names[2], None, "nulls survive");
    assert_eq!(names[1].as_deref(), Some("n101"));
    assert!(backend.read("never").unwrap().is_empty());
    let values = ValueState::<i64, String>::new(Arc::clone(backend), "user.value");
    assert_eq!(values.get(&7).unwrap().as_deref(), Some("seven"));
    assert_eq!(values.get(&8).unwrap(), None);
    let lists = ListState::<String, (i64, f64)>::new(Arc::clone(backend), "user.list");
    assert_eq!(lists.get(&"k".to_string()).unwrap(), vec![(1, 0.5), (2, 1.5)]);
    let maps = MapState::<i64, String, u32>::new(Arc::clone(backend), "user.map");
    assert_eq!(maps.entries(&1).unwrap(), vec![("x".to_string(), 10)]);
    assert_eq!(maps.get(&2, &"x".to_string()).unwrap(), Some(30));
}

fn drop_and_errors(backend: &Arc<dyn StateBackend>, p1: &[i64]) {
    let other = RecordBatch::try_new(
        Arc::new(Schema::new(vec![Field::new("id", DataType::Utf8, false)])),
        vec![Arc::new(StringArray::from(vec!["x"]))],
    )
    .unwrap();
    let err = backend.append("spill/p0", &other).unwrap_err().to_string();
    assert!(err.contains("spill/p0") && err.contains("id: Utf8") && err.contains("id: Int64"), "{err}");
    let err = backend.put("bad name!", b"k", b"v").unwrap_err().to_string();
    assert!(err.contains("bad name!"), "{err}");
    backend.drop_table("spill/p0").unwrap();
    assert!(backend.read("spill/p0").unwrap().is_empty());
    assert_eq!(ids(&backend.read("spill/p1").unwrap()), p1);
    backend.append("spill/p0", &batch(7, 2)).unwrap();
    assert_eq!(ids(&backend.read("spill/p0").unwrap()), vec![7, 8]);
}

fn open(spec: &StateSpec) -> Arc<dyn StateBackend> {
    sabot_state::open(spec).unwrap()
}

#[test]
fn memory_backend() {
    let backend = open(&StateSpec::Memory);
    write(&backend);
    check(&backend);
    drop_and_errors(&backend, &[50]);
}

#[test]
fn rocksdb_backend_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let spec: StateSpec = format!("rocksdb:{}", dir.path().display()).parse().unwrap();
    write(&open(&spec));
    let reopened = open(&spec);
    assert_eq!(reopened.kind(), "rocksdb");
    check(&reopened);
    // Appends after a reopen continue the stored order.
    reopened.append("spill/p1", &batch(60, 2)).unwrap();
    drop(reopened);
    assert_eq!(ids(&open(&spec).read("spill/p1").unwrap()), vec![50, 60, 61]);
    drop_and_errors(&open(&spec), &[50, 60, 61]);
}

#[test]
fn tonbo_backend_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let spec: StateSpec = format!("tonbo:{}", dir.path().display()).parse().unwrap();
    write(&open(&spec));
    let reopened = open(&spec);
    assert_eq!(reopened.kind(), "tonbo");
    check(&reopened);
    reopened.append("spill/p1", &batch(60, 2)).unwrap();
    drop(reopened);
    assert_eq!(ids(&open(&spec).read("spill/p1").unwrap()), vec![50, 60, 61]);
    drop_and_errors(&open(&spec), &[50, 60, 61]);
}

/// Files under `dir` whose name ends in `.parquet`, at any depth.
fn parquet_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| if p.is_dir() { parquet_files(&p) } else { usize::from(p.extension().is_some_and(|x| x == "parquet")) })
        .sum()
}

#[test]
fn tonbo_appends_reach_parquet_before_returning() {
    // Spilling relies on it: rows handed to the backend must not stay in Tonbo's memtable.
    let dir = tempfile::tempdir().unwrap();
    let backend = open(&format!("tonbo:{}", dir.path().display()).parse().unwrap());
    for (i, from) in [0, 10, 20].into_iter().enumerate() {
        backend.append("spill/p0", &batch(from, 10)).unwrap();
        assert_eq!(parquet_files(dir.path()), i + 1, "one Parquet file per append, written before it returns");
    }
    assert_eq!(ids(&backend.read("spill/p0").unwrap()), (0..30).collect::<Vec<_>>());
}
