//! Server logs in CSV, errors out to Parquet: the rows worth paging someone for.

use sabot::prelude::*;

/// One access-log line.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct LogLine {
    /// When the request finished.
    pub ts: Timestamp,
    /// Log level (`INFO`, `WARN`, `ERROR`).
    pub level: String,
    /// Service that served the request.
    pub service: String,
    /// HTTP status.
    pub status: u16,
    /// Time to serve, in milliseconds.
    pub latency_ms: u32,
    /// Request path.
    pub path: String,
    /// Free text.
    pub message: Option<String>,
}

/// An error or a very slow request.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Incident {
    /// When it happened.
    pub ts: Timestamp,
    /// Where.
    pub service: String,
    /// HTTP status.
    pub status: u16,
    /// Latency in seconds.
    pub latency_s: f64,
}

/// Errors (level `ERROR` or a 5xx status) and requests slower than two seconds.
#[sabot::pipeline]
pub fn incidents(logs: Stream<LogLine>) -> Stream<Incident> {
    logs.filter(|l| l.level == "ERROR" || l.status >= 500 || l.latency_ms > 2_000).map(|l| Incident {
        ts: l.ts,
        service: l.service.to_string(),
        status: l.status,
        latency_s: l.latency_ms as f64 / 1000.0,
    })
}

/// Writes `n` deterministic log lines as CSV text (header included).
pub fn generate_csv(n: usize) -> String {
    let services = ["auth", "cart", "search", "pay"];
    let mut out = String::from("ts,level,service,status,latency_ms,path,message\n");
    for i in 0..n {
        let status = if i % 97 == 0 {
            503
        } else if i % 13 == 0 {
            404
        } else {
            200
        };
        let level = if i % 89 == 0 {
            "ERROR"
        } else if status != 200 {
            "WARN"
        } else {
            "INFO"
        };
        let latency = (i * 37) % 2_500;
        let message = if i % 5 == 0 { "" } else { "ok" };
        out.push_str(&format!(
            "2024-03-01T10:{:02}:{:02},{level},{},{status},{latency},/api/{},{message}\n",
            (i / 60) % 60,
            i % 60,
            services[i % 4],
            i % 50
        ));
    }
    out
}
