#![deny(warnings)]
//! Two sources, a union, a shared binding used by two outputs, and flat_map.

use sabot::prelude::*;

/// A line of text.
#[derive(Record, Debug, Clone)]
struct Line {
    text: String,
    lang: Option<String>,
}

/// A word.
#[derive(Record, Debug, Clone)]
struct Word {
    word: String,
    len: u32,
}

fn is_short(w: WordRef<'_>) -> bool {
    w.len < 4
}

#[sabot::pipeline]
fn words(a: Stream<Line>, b: Stream<Line>) -> (Stream<Word>, Stream<Word>) {
    let all = a.union(b.filter(|l| l.lang == Some("en")));
    let words = all.flat_map(|l| l.text.split(' ').map(|w| Word { word: w.to_string(), len: w.len() as u32 }).collect::<Vec<_>>());
    (words.filter(is_short), words.filter(|w| w.len >= 4))
}

fn main() {
    let _ = sabot::Job::new(words);
}
