//! Person events, as Beam's `PersonGenerator` makes them: an id from the event id, a name from
//! two short lists, a random e-mail address and credit card, a city and a state of the western
//! US, and `extra` padding to `avg_person_byte_size`.

use super::columns::{ColType, ColumnDef, Columns};
use super::config::Rules;
use super::ids::{FIRST_PERSON_ID, last_base0_person_id};
use super::strings::{next_extra, next_string};

/// The columns, named as in Flink's Nexmark schema.
pub(super) const COLUMNS: [ColumnDef; 8] = [
    ("id", ColType::U64),
    ("name", ColType::Str(12)),
    ("email_address", ColType::Str(16)),
    ("credit_card", ColType::Str(19)),
    ("city", ColType::Str(8)),
    ("state", ColType::Str(2)),
    ("date_time", ColType::Millis),
    ("extra", ColType::Str(128)),
];

/// How far into the event's random draws each column is: 0 needs none, 1 the fields, 2 `extra`.
pub(super) const LEVELS: [u8; 8] = [0, 1, 1, 1, 1, 1, 0, 2];

const ID: usize = 0;
const NAME: usize = 1;
const EMAIL: usize = 2;
const CARD: usize = 3;
const CITY: usize = 4;
const STATE: usize = 5;
const DATE_TIME: usize = 6;
const EXTRA: usize = 7;

/// Few states, so that queries on small inputs still find matches (Beam's comment).
const US_STATES: [&str; 6] = ["AZ", "CA", "ID", "OR", "WA", "WY"];
const US_CITIES: [&str; 10] =
    ["Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland", "Bend", "Redmond", "Seattle", "Kent", "Cheyenne"];
const FIRST_NAMES: [&str; 11] = ["Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter", "Walter"];
const LAST_NAMES: [&str; 9] = ["Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones", "Noris"];

/// Appends person event `id` to the columns, drawing values up to `level`.
pub(super) fn push(c: &mut Columns, rules: &Rules, id: i64, level: u8, scratch: &mut Vec<u8>) {
    c.u64(ID, last_base0_person_id(id) + FIRST_PERSON_ID);
    c.millis(DATE_TIME, rules.timestamp_ms(id));
    if level == 0 {
        return;
    }
    let mut rng = rules.rng(id);
    let first = FIRST_NAMES[rng.next_int_below(FIRST_NAMES.len() as i32) as usize];
    let last = LAST_NAMES[rng.next_int_below(LAST_NAMES.len() as i32) as usize];
    scratch.clear();
    next_string(&mut rng, 7, b' ', scratch);
    let user = scratch.len();
    next_string(&mut rng, 5, b' ', scratch);
    let (user, domain) = scratch.split_at(user);
    // Four groups of four digits, `%04d`, separated by spaces.
    let mut card = [b' '; 19];
    for group in 0..4 {
        let mut v = rng.next_int_below(10_000);
        for k in (0..4).rev() {
            card[group * 5 + k] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    }
    let city = US_CITIES[rng.next_int_below(US_CITIES.len() as i32) as usize];
    let state = US_STATES[rng.next_int_below(US_STATES.len() as i32) as usize];
    if let Some(col) = c.str(NAME) {
        col.push(&[first.as_bytes(), b" ", last.as_bytes()]);
    }
    if let Some(col) = c.str(EMAIL) {
        col.push(&[user, b"@", domain, b".com"]);
    }
    if let Some(col) = c.str(CARD) {
        col.push(&[&card]);
    }
    if let Some(col) = c.str(CITY) {
        col.push(&[city.as_bytes()]);
    }
    if let Some(col) = c.str(STATE) {
        col.push(&[state.as_bytes()]);
    }
    if let Some(col) = c.str(EXTRA) {
        let name_len = first.len() + 1 + last.len();
        let email_len = user.len() + 1 + domain.len() + 4;
        let size = 8 + name_len + email_len + card.len() + city.len() + state.len();
        col.push_with(|out| next_extra(&mut rng, size as i32, rules.avg_person, out));
    }
}
