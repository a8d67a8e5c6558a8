//! Where the engine's memory goes: the state taken apart table by table, each part's
//! bytes read from the allocator as it is freed (`live_bytes` before and after), so the
//! breakdown is what the allocator really held, not an estimate from type sizes.

use crate::ledger::Ledger;

/// Frees `ledger`'s state part by part and returns `(part, bytes)` in the order freed.
/// The parts sum to what the whole state held.
pub fn breakdown(ledger: Ledger, live_bytes: fn() -> usize) -> Vec<(&'static str, usize)> {
    let mut s = ledger.state;
    drop(ledger.journal);
    let mut out = Vec::new();
    let mut step =
        |name: &'static str, s: &mut crate::state::State, f: &dyn Fn(&mut crate::state::State)| {
            let before = live_bytes();
            f(s);
            out.push((name, before.saturating_sub(live_bytes())));
        };
    step("id index", &mut s, &|s| s.ids = Default::default());
    step("statement entries (books)", &mut s, &|s| {
        for c in &mut s.customers {
            for b in &mut c.books {
                b.entries = Vec::new();
            }
        }
    });
    step("open-invoice and lot indexes (books)", &mut s, &|s| {
        for c in &mut s.customers {
            for b in &mut c.books {
                b.open = Default::default();
                b.lots = Default::default();
            }
        }
    });
    step(
        "invoice lines (one packed table, descriptions interned)",
        &mut s,
        &|s| {
            s.lines = Default::default();
        },
    );
    step("invoice settlements (one linked table)", &mut s, &|s| {
        s.invoices.settlements = Default::default();
    });
    step("invoice ids and numbers (one text arena)", &mut s, &|s| {
        s.invoices.texts = Default::default();
    });
    step(
        "payment ids and references (one text arena)",
        &mut s,
        &|s| {
            s.texts = Default::default();
        },
    );
    step(
        "invoices (48-byte records, side table of rarer sums)",
        &mut s,
        &|s| {
            s.invoices.clear_records();
        },
    );
    step("payments (records, allocations)", &mut s, &|s| {
        s.payments = Default::default();
        s.allocations = Default::default();
    });
    step("credit lots (with touched invoices)", &mut s, &|s| {
        s.lots = Default::default();
        s.touches = Default::default();
    });
    step("customers", &mut s, &|s| s.customers = Vec::new());
    step("general ledger", &mut s, &|s| s.gl = Default::default());
    step(
        "other records (credit, notes, refunds, voids, write-offs, expiries)",
        &mut s,
        &|s| {
            let numbering = s.numbering.clone();
            *s = crate::state::State {
                numbering,
                ..Default::default()
            };
        },
    );
    out
}
