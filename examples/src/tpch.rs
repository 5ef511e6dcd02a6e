//! TPC-H over DuckDB-generated Parquet: Q1, Q3, Q5, Q6, Q10 and Q18 as pipelines, with records
//! of the columns each reads. Decimal arithmetic is exact, so the sums equal DuckDB's to the
//! last digit.
//!
//! Joins keep their inputs' records whole (every field of a record that reaches a join is
//! decoded), so a query whose joins need fewer columns than another's has records of its own.

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

/// The `region` columns Q5 reads.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Region {
    /// Region key.
    pub r_regionkey: i32,
    /// Region name.
    pub r_name: String,
}

/// The `nation` columns Q5 and Q10 read.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Nation {
    /// Nation key.
    pub n_nationkey: i32,
    /// Nation name.
    pub n_name: String,
    /// Region key.
    pub n_regionkey: i32,
}

/// The `supplier` columns Q5 reads.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Supplier {
    /// Supplier key.
    pub s_suppkey: i64,
    /// Nation key.
    pub s_nationkey: i32,
}

/// The `customer` columns Q5 reads.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct CustomerNation {
    /// Customer key.
    pub c_custkey: i64,
    /// Nation key.
    pub c_nationkey: i32,
}

/// The `orders` columns Q5 and Q10 read.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct OrderDate {
    /// Order key.
    pub o_orderkey: i64,
    /// Customer key.
    pub o_custkey: i64,
    /// Order date.
    pub o_orderdate: Date,
}

/// The `lineitem` columns Q5 reads.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct LineItemSupplier {
    /// Order key.
    pub l_orderkey: i64,
    /// Supplier key.
    pub l_suppkey: i64,
    /// Extended price, DECIMAL(15,2).
    #[sabot(decimal(15, 2))]
    pub l_extendedprice: Decimal,
    /// Discount, DECIMAL(15,2).
    #[sabot(decimal(15, 2))]
    pub l_discount: Decimal,
}

/// An Asian supplier with its nation's name.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Q5Supplier {
    /// Supplier key.
    pub s_suppkey: i64,
    /// Nation key.
    pub s_nationkey: i32,
    /// Nation name.
    pub n_name: String,
}

/// An order of 1994 with its customer's nation.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Q5Order {
    /// Order key.
    pub o_orderkey: i64,
    /// The customer's nation key.
    pub c_nationkey: i32,
}

/// A line of a 1994 order with the customer's nation and the line's revenue.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Q5Line {
    /// Supplier key.
    pub l_suppkey: i64,
    /// The customer's nation key.
    pub c_nationkey: i32,
    /// `l_extendedprice * (1 - l_discount)`.
    #[sabot(decimal(38, 4))]
    pub rev: Decimal,
}

/// A line whose supplier is in its customer's (Asian) nation, with that nation's name.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Q5NationLine {
    /// Nation name.
    pub n_name: String,
    /// `l_extendedprice * (1 - l_discount)`.
    #[sabot(decimal(38, 4))]
    pub rev: Decimal,
}

/// A row of TPC-H Q5's answer.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Q5Row {
    /// Nation name.
    pub n_name: String,
    /// `sum(l_extendedprice * (1 - l_discount))`.
    #[sabot(decimal(38, 4))]
    pub revenue: Decimal,
}

const Q5_FROM: Date = Date::new(1994, 1, 1);
const Q5_TO: Date = Date::new(1995, 1, 1);

/// TPC-H Q5: revenue in 1994 per Asian nation from lines whose customer and supplier are both
/// in that nation, largest first.
///
/// The SQL's `c_nationkey = s_nationkey` and `l_suppkey = s_suppkey` are one join on the
/// composite key; suppliers are restricted to Asia through their nation, which the customer
/// shares, so customers need no filter of their own.
#[sabot::pipeline]
pub fn q5(
    customer: Stream<CustomerNation>,
    orders: Stream<OrderDate>,
    lineitem: Stream<LineItemSupplier>,
    supplier: Stream<Supplier>,
    nation: Stream<Nation>,
    region: Stream<Region>,
) -> Stream<Q5Row> {
    let asia = region.filter(|r| r.r_name == "ASIA");
    let asian_nations = nation.semi_join(asia, |n| n.n_regionkey, |r| r.r_regionkey);
    let asian_suppliers = supplier.join(
        asian_nations,
        |s| s.s_nationkey,
        |n| n.n_nationkey,
        |s, n| Q5Supplier { s_suppkey: s.s_suppkey, s_nationkey: s.s_nationkey, n_name: n.n_name.to_string() },
    );
    let orders_1994 = orders.filter(|o| o.o_orderdate >= Q5_FROM && o.o_orderdate < Q5_TO).join(
        customer,
        |o| o.o_custkey,
        |c| c.c_custkey,
        |o, c| Q5Order { o_orderkey: o.o_orderkey, c_nationkey: c.c_nationkey },
    );
    lineitem
        .join(
            orders_1994,
            |l| l.l_orderkey,
            |o| o.o_orderkey,
            |l, o| Q5Line { l_suppkey: l.l_suppkey, c_nationkey: o.c_nationkey, rev: l.l_extendedprice * (ONE - l.l_discount) },
        )
        .join(
            asian_suppliers,
            |l| (l.l_suppkey, l.c_nationkey),
            |s| (s.s_suppkey, s.s_nationkey),
            |l, s| Q5NationLine { n_name: s.n_name.to_string(), rev: l.rev },
        )
        .group_by(|r| r.n_name)
        .aggregate(|n_name, r| Q5Row { n_name, revenue: sum(r.rev) })
        .sort_by(|r| Reverse(r.revenue))
}

/// The `lineitem` columns Q10 reads.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct LineItemReturn {
    /// Order key.
    pub l_orderkey: i64,
    /// Extended price, DECIMAL(15,2).
    #[sabot(decimal(15, 2))]
    pub l_extendedprice: Decimal,
    /// Discount, DECIMAL(15,2).
    #[sabot(decimal(15, 2))]
    pub l_discount: Decimal,
    /// Return flag.
    pub l_returnflag: String,
}

/// The `customer` columns Q10 reads.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct CustomerDetail {
    /// Customer key.
    pub c_custkey: i64,
    /// Name.
    pub c_name: String,
    /// Address.
    pub c_address: String,
    /// Nation key.
    pub c_nationkey: i32,
    /// Phone number.
    pub c_phone: String,
    /// Account balance, DECIMAL(15,2).
    #[sabot(decimal(15, 2))]
    pub c_acctbal: Decimal,
    /// Comment.
    pub c_comment: String,
}

/// A returned line of a qualifying order: its customer and revenue.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Q10Line {
    /// Customer key.
    pub c_custkey: i64,
    /// `l_extendedprice * (1 - l_discount)`.
    #[sabot(decimal(38, 4))]
    pub rev: Decimal,
}

/// A customer's lost revenue.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Q10Revenue {
    /// Customer key.
    pub c_custkey: i64,
    /// `sum(l_extendedprice * (1 - l_discount))`.
    #[sabot(decimal(38, 4))]
    pub revenue: Decimal,
}

/// A customer with lost revenue, before its nation's name is looked up.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Q10Customer {
    /// Customer key.
    pub c_custkey: i64,
    /// Name.
    pub c_name: String,
    /// `sum(l_extendedprice * (1 - l_discount))`.
    #[sabot(decimal(38, 4))]
    pub revenue: Decimal,
    /// Account balance, DECIMAL(15,2).
    #[sabot(decimal(15, 2))]
    pub c_acctbal: Decimal,
    /// Nation key.
    pub c_nationkey: i32,
    /// Address.
    pub c_address: String,
    /// Phone number.
    pub c_phone: String,
    /// Comment.
    pub c_comment: String,
}

/// A row of TPC-H Q10's answer.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Q10Row {
    /// Customer key.
    pub c_custkey: i64,
    /// Name.
    pub c_name: String,
    /// `sum(l_extendedprice * (1 - l_discount))`.
    #[sabot(decimal(38, 4))]
    pub revenue: Decimal,
    /// Account balance, DECIMAL(15,2).
    #[sabot(decimal(15, 2))]
    pub c_acctbal: Decimal,
    /// Nation name.
    pub n_name: String,
    /// Address.
    pub c_address: String,
    /// Phone number.
    pub c_phone: String,
    /// Comment.
    pub c_comment: String,
}

const Q10_FROM: Date = Date::new(1993, 10, 1);
const Q10_TO: Date = Date::new(1994, 1, 1);

/// TPC-H Q10: the 20 customers who lost the most revenue to returned lines of orders placed in
/// the last quarter of 1993.
///
/// Grouped by customer key first (the key determines the SQL's other group columns), then
/// joined with the customer's attributes and nation's name.
#[sabot::pipeline]
pub fn q10(
    customer: Stream<CustomerDetail>,
    orders: Stream<OrderDate>,
    lineitem: Stream<LineItemReturn>,
    nation: Stream<Nation>,
) -> Stream<Q10Row> {
    let quarter = orders.filter(|o| o.o_orderdate >= Q10_FROM && o.o_orderdate < Q10_TO);
    let lost = lineitem
        .filter(|l| l.l_returnflag == "R")
        .join(
            quarter,
            |l| l.l_orderkey,
            |o| o.o_orderkey,
            |l, o| Q10Line { c_custkey: o.o_custkey, rev: l.l_extendedprice * (ONE - l.l_discount) },
        )
        .group_by(|r| r.c_custkey)
        .aggregate(|c_custkey, r| Q10Revenue { c_custkey, revenue: sum(r.rev) });
    customer
        .join(
            lost,
            |c| c.c_custkey,
            |r| r.c_custkey,
            |c, r| Q10Customer {
                c_custkey: c.c_custkey,
                c_name: c.c_name.to_string(),
                revenue: r.revenue,
                c_acctbal: c.c_acctbal,
                c_nationkey: c.c_nationkey,
                c_address: c.c_address.to_string(),
                c_phone: c.c_phone.to_string(),
                c_comment: c.c_comment.to_string(),
            },
        )
        .join(
            nation,
            |c| c.c_nationkey,
            |n| n.n_nationkey,
            |c, n| Q10Row {
                c_custkey: c.c_custkey,
                c_name: c.c_name.to_string(),
                revenue: c.revenue,
                c_acctbal: c.c_acctbal,
                n_name: n.n_name.to_string(),
                c_address: c.c_address.to_string(),
                c_phone: c.c_phone.to_string(),
                c_comment: c.c_comment.to_string(),
            },
        )
        .top_n(20, |r| (Reverse(r.revenue), r.c_custkey))
}

/// The `orders` columns Q18 reads.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct OrderTotal {
    /// Order key.
    pub o_orderkey: i64,
    /// Customer key.
    pub o_custkey: i64,
    /// Order date.
    pub o_orderdate: Date,
    /// Total price, DECIMAL(15,2).
    #[sabot(decimal(15, 2))]
    pub o_totalprice: Decimal,
}

/// The `customer` columns Q18 reads.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct CustomerName {
    /// Customer key.
    pub c_custkey: i64,
    /// Name.
    pub c_name: String,
}

/// An order's total quantity.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Q18Quantity {
    /// Order key.
    pub l_orderkey: i64,
    /// `sum(l_quantity)`.
    #[sabot(decimal(38, 2))]
    pub sum_qty: Decimal,
}

/// An order of more than 300 units.
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Q18Order {
    /// Order key.
    pub o_orderkey: i64,
    /// Customer key.
    pub o_custkey: i64,
    /// Order date.
    pub o_orderdate: Date,
    /// Total price, DECIMAL(15,2).
    #[sabot(decimal(15, 2))]
    pub o_totalprice: Decimal,
    /// `sum(l_quantity)`.
    #[sabot(decimal(38, 2))]
    pub sum_qty: Decimal,
}

/// A row of TPC-H Q18's answer (`sum(l_quantity)` named `sum_qty`).
#[derive(Record, Debug, Clone, PartialEq)]
pub struct Q18Row {
    /// Customer name.
    pub c_name: String,
    /// Customer key.
    pub c_custkey: i64,
    /// Order key.
    pub o_orderkey: i64,
    /// Order date.
    pub o_orderdate: Date,
    /// Total price, DECIMAL(15,2).
    #[sabot(decimal(15, 2))]
    pub o_totalprice: Decimal,
    /// `sum(l_quantity)`.
    #[sabot(decimal(38, 2))]
    pub sum_qty: Decimal,
}

const Q18_QUANTITY: Decimal = Decimal::new(300, 0);

/// TPC-H Q18: the 100 most expensive orders of more than 300 units, with their customers.
///
/// The SQL's `sum(l_quantity)` per order is the `IN` subquery's sum, so it is computed once and
/// joined with orders and customers.
#[sabot::pipeline]
pub fn q18(customer: Stream<CustomerName>, orders: Stream<OrderTotal>, lineitem: Stream<LineItem>) -> Stream<Q18Row> {
    let large = lineitem
        .group_by(|l| l.l_orderkey)
        .aggregate(|l_orderkey, l| Q18Quantity { l_orderkey, sum_qty: sum(l.l_quantity) })
        .filter(|q| q.sum_qty > Q18_QUANTITY);
    let large_orders = orders.join(
        large,
        |o| o.o_orderkey,
        |q| q.l_orderkey,
        |o, q| Q18Order {
            o_orderkey: o.o_orderkey,
            o_custkey: o.o_custkey,
            o_orderdate: o.o_orderdate,
            o_totalprice: o.o_totalprice,
            sum_qty: q.sum_qty,
        },
    );
    customer
        .join(
            large_orders,
            |c| c.c_custkey,
            |o| o.o_custkey,
            |c, o| Q18Row {
                c_name: c.c_name.to_string(),
                c_custkey: c.c_custkey,
                o_orderkey: o.o_orderkey,
                o_orderdate: o.o_orderdate,
                o_totalprice: o.o_totalprice,
                sum_qty: o.sum_qty,
            },
        )
        .top_n(100, |r| (Reverse(r.o_totalprice), r.o_orderdate, r.o_orderkey))
}
