//! TPC-H over DuckDB-generated Parquet: the `lineitem` record, and Q1 and Q6 as pipelines.
//! Decimal arithmetic is exact, so the sums equal DuckDB's to the last digit.

use sabot::prelude::*;

/// The `lineitem` columns these queries read (the file has more; they are never decoded).
#[derive(Record, Debug, Clone, PartialEq)]
pub struct LineItem {
    /// Order key.
    pub l_orderkey: i64,
    /// Quantity, DECIMAL(15,2).
    #[sabot(decimal(15, 2))]
    pub l_quantity: Decimal,
    /// Extended price, DECIMAL(15,2).
    #[sabot(decimal(15, 2))]
    pub l_extendedprice: Decimal,
    /// Discount, DECIMAL(15,2).
    #[sabot(decimal(15, 2))]
    pub l_discount: Decimal,
    /// Tax, DECIMAL(15,2).
    #[sabot(decimal(15, 2))]
    pub l_tax: Decimal,
    /// Return flag.
    pub l_returnflag: String,
    /// Line status.
    pub l_linestatus: String,
    /// Ship date.
    pub l_shipdate: Date,
}

/// A row of TPC-H Q1's answer.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Q1Row {
    /// Group: return flag.
    pub l_returnflag: String,
    /// Group: line status.
    pub l_linestatus: String,
    /// `sum(l_quantity)`.
    #[sabot(decimal(38, 2))]
    pub sum_qty: Decimal,
    /// `sum(l_extendedprice)`.
    #[sabot(decimal(38, 2))]
    pub sum_base_price: Decimal,
    /// `sum(l_extendedprice * (1 - l_discount))`.
    #[sabot(decimal(38, 4))]
    pub sum_disc_price: Decimal,
    /// `sum(l_extendedprice * (1 - l_discount) * (1 + l_tax))`.
    #[sabot(decimal(38, 6))]
    pub sum_charge: Decimal,
    /// `avg(l_quantity)`.
    pub avg_qty: f64,
    /// `avg(l_extendedprice)`.
    pub avg_price: f64,
    /// `avg(l_discount)`.
    pub avg_disc: f64,
    /// `count(*)`.
    pub count_order: u64,
}

const ONE: Decimal = Decimal::new(1, 0);
const Q1_CUTOFF: Date = Date::new(1998, 9, 2);

/// TPC-H Q1: the pricing summary report, ordered by return flag and line status.
#[sabot::pipeline]
pub fn q1(lineitem: Stream<LineItem>) -> Stream<Q1Row> {
    lineitem
        .filter(|l| l.l_shipdate <= Q1_CUTOFF)
        .group_by(|l| (l.l_returnflag, l.l_linestatus))
        .aggregate(|(flag, status), l| Q1Row {
            l_returnflag: flag,
            l_linestatus: status,
            sum_qty: sum(l.l_quantity),
            sum_base_price: sum(l.l_extendedprice),
            sum_disc_price: sum(l.l_extendedprice * (ONE - l.l_discount)),
            sum_charge: sum(l.l_extendedprice * (ONE - l.l_discount) * (ONE + l.l_tax)),
            avg_qty: avg(l.l_quantity),
            avg_price: avg(l.l_extendedprice),
            avg_disc: avg(l.l_discount),
            count_order: count(),
        })
        .sort_by(|r| (r.l_returnflag, r.l_linestatus))
}

/// TPC-H Q6's answer.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Q6Row {
    /// `sum(l_extendedprice * l_discount)`.
    #[sabot(decimal(38, 4))]
    pub revenue: Decimal,
}

const Q6_FROM: Date = Date::new(1994, 1, 1);
const Q6_TO: Date = Date::new(1995, 1, 1);
const MIN_DISCOUNT: Decimal = Decimal::new(5, 2);
const MAX_DISCOUNT: Decimal = Decimal::new(7, 2);
const MAX_QUANTITY: Decimal = Decimal::new(24, 0);

/// TPC-H Q6: revenue from discounts that would have been lost.
#[sabot::pipeline]
pub fn q6(lineitem: Stream<LineItem>) -> Stream<Q6Row> {
    lineitem
        .filter(|l| {
            l.l_shipdate >= Q6_FROM
                && l.l_shipdate < Q6_TO
                && l.l_discount >= MIN_DISCOUNT
                && l.l_discount <= MAX_DISCOUNT
                && l.l_quantity < MAX_QUANTITY
        })
        .aggregate(|l| Q6Row { revenue: sum(l.l_extendedprice * l.l_discount) })
}

/// The `orders` columns Q3 reads.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Order {
    /// Order key.
    pub o_orderkey: i64,
    /// Customer key.
    pub o_custkey: i64,
    /// Order date.
    pub o_orderdate: Date,
    /// Shipping priority.
    pub o_shippriority: i32,
}

/// The `customer` columns Q3 reads.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Customer {
    /// Customer key.
    pub c_custkey: i64,
    /// Market segment.
    pub c_mktsegment: String,
}

/// A qualifying line with its order's date and priority.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Q3Line {
    /// Order key.
    pub l_orderkey: i64,
    /// Order date.
    pub o_orderdate: Date,
    /// Shipping priority.
    pub o_shippriority: i32,
    /// `l_extendedprice * (1 - l_discount)`.
    #[sabot(decimal(38, 4))]
    pub rev: Decimal,
}

/// A row of TPC-H Q3's answer.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Q3Row {
    /// Order key.
    pub l_orderkey: i64,
    /// `sum(l_extendedprice * (1 - l_discount))`.
    #[sabot(decimal(38, 4))]
    pub revenue: Decimal,
    /// Order date.
    pub o_orderdate: Date,
    /// Shipping priority.
    pub o_shippriority: i32,
}

const Q3_DATE: Date = Date::new(1995, 3, 15);

/// TPC-H Q3: the ten unshipped orders with the highest revenue in the BUILDING segment.
#[sabot::pipeline]
pub fn q3(customer: Stream<Customer>, orders: Stream<Order>, lineitem: Stream<LineItem>) -> Stream<Q3Row> {
    let building = customer.filter(|c| c.c_mktsegment == "BUILDING");
    let early = orders.filter(|o| o.o_orderdate < Q3_DATE).semi_join(building, |o| o.o_custkey, |c| c.c_custkey);
    lineitem
        .filter(|l| l.l_shipdate > Q3_DATE)
        .join(
            early,
            |l| l.l_orderkey,
            |o| o.o_orderkey,
            |l, o| Q3Line {
                l_orderkey: l.l_orderkey,
                o_orderdate: o.o_orderdate,
                o_shippriority: o.o_shippriority,
                rev: l.l_extendedprice * (ONE - l.l_discount),
            },
        )
        .group_by(|r| (r.l_orderkey, r.o_orderdate, r.o_shippriority))
        .aggregate(|(l_orderkey, o_orderdate, o_shippriority), r| Q3Row { l_orderkey, revenue: sum(r.rev), o_orderdate, o_shippriority })
        .top_n(10, |r| (Reverse(r.revenue), r.o_orderdate))
}
