//! The filter-and-map half of TPC-H Q6 over `lineitem.parquet`: each qualifying line's
//! revenue `l_extendedprice * l_discount`, exact to the cent.

use sabot::prelude::*;

/// The `lineitem` columns this job knows about (the file has more; unread ones are skipped).
#[derive(Record, Debug, Clone, PartialEq)]
pub struct LineItem {
    /// Order key.
    pub l_orderkey: i64,
    /// Quantity, DECIMAL(15,2).
    pub l_quantity: Decimal,
    /// Extended price, DECIMAL(15,2).
    pub l_extendedprice: Decimal,
    /// Discount, DECIMAL(15,2).
    pub l_discount: Decimal,
    /// Tax, DECIMAL(15,2).
    pub l_tax: Decimal,
    /// Return flag.
    pub l_returnflag: String,
    /// Ship date.
    pub l_shipdate: Date,
}

/// Revenue of one qualifying line.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Revenue {
    /// Order key.
    pub l_orderkey: i64,
    /// `l_extendedprice * l_discount`.
    #[sabot(decimal(30, 4))]
    pub revenue: Decimal,
}

const FROM: Date = Date::new(1994, 1, 1);
const TO: Date = Date::new(1995, 1, 1);
const MIN_DISCOUNT: Decimal = Decimal::new(5, 2);
const MAX_DISCOUNT: Decimal = Decimal::new(7, 2);
const MAX_QUANTITY: Decimal = Decimal::new(24, 0);

/// TPC-H Q6's predicate and revenue expression.
#[sabot::pipeline]
pub fn q6_lines(lineitem: Stream<LineItem>) -> Stream<Revenue> {
    lineitem
        .filter(|l| l.l_shipdate >= FROM && l.l_shipdate < TO)
        .filter(|l| l.l_discount >= MIN_DISCOUNT && l.l_discount <= MAX_DISCOUNT && l.l_quantity < MAX_QUANTITY)
        .map(|l| Revenue { l_orderkey: l.l_orderkey, revenue: l.l_extendedprice * l.l_discount })
}
