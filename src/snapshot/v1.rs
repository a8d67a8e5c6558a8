//! Version 1 snapshots (before write-offs, expiring credit and tax rounding), read and
//! brought to the current shape. Only the records whose shape changed are redeclared;
//! postcard is positional, so these list exactly the fields version 1 wrote.

use rust_decimal::Decimal;
use serde::Deserialize;

use super::v2::{presized, text_too_long, CustomerV2, InvoiceV2, LotV2, PaymentV2, SettlementV2};
use super::Payload;
use crate::date::Date;
use crate::error::{err, Result};
use crate::money::Currency;
use crate::state::chunked::Chunked;
use crate::state::invoices::Invoices;
use crate::state::ledger_accounts::Account;
use crate::state::lines::LineTable;
use crate::state::numbering::Numbering;
use crate::state::records::*;
use crate::state::texts::TextArena;

#[derive(Deserialize)]
pub(super) struct PayloadV1 {
    seq: u64,
    numbering: Numbering,
    #[serde(deserialize_with = "presized::vec")]
    ids: Vec<(RecordRef, u64, u64)>,
    #[serde(deserialize_with = "presized::vec")]
    customers: Vec<CustomerV2>,
    #[serde(deserialize_with = "presized::vec")]
    invoices: Vec<InvoiceV1>,
    #[serde(deserialize_with = "presized::vec")]
    payments: Vec<PaymentV2>,
    #[serde(deserialize_with = "presized::vec")]
    lots: Vec<LotV1>,
    #[serde(deserialize_with = "presized::vec")]
    grants: Vec<Grant>,
    #[serde(deserialize_with = "presized::vec")]
    applications: Vec<ApplicationV1>,
    #[serde(deserialize_with = "presized::vec")]
    credit_notes: Vec<CreditNote>,
    #[serde(deserialize_with = "presized::vec")]
    refunds: Vec<Refund>,
    #[serde(deserialize_with = "presized::vec")]
    payment_voids: Vec<PaymentVoid>,
    #[serde(deserialize_with = "presized::vec")]
    invoice_voids: Vec<InvoiceVoid>,
    configs: Vec<ConfigV1>,
    #[serde(with = "crate::money::dec_pairs")]
    accounts: Vec<((Currency, Account), Decimal)>,
}

#[derive(Deserialize)]
struct InvoiceV1 {
    id: String,
    number: String,
    customer: Idx,
    currency: Currency,
    date: Date,
    due_date: Date,
    prices_include_tax: bool,
    lines: Vec<Line>,
    #[serde(with = "crate::money::dec")]
    subtotal: Decimal,
    #[serde(with = "crate::money::dec")]
    tax: Decimal,
    #[serde(with = "crate::money::dec")]
    total: Decimal,
    #[serde(with = "crate::money::dec")]
    credited: Decimal,
    #[serde(with = "crate::money::dec")]
    credited_tax: Decimal,
    settlements: Vec<SettlementV2>,
    #[serde(with = "crate::money::dec")]
    credit_applied_at_issue: Decimal,
    voided_by: Option<Idx>,
}

#[derive(Deserialize)]
struct LotV1 {
    customer: Idx,
    currency: Currency,
    origin: LotOrigin,
    #[serde(with = "crate::money::dec")]
    remaining: Decimal,
    #[serde(with = "crate::money::dec")]
    refunded: Decimal,
    touched: Vec<Idx>,
}

#[derive(Deserialize)]
struct ApplicationV1 {
    id: String,
    customer: Idx,
    invoice: Idx,
    #[serde(with = "crate::money::dec")]
    amount: Decimal,
}

#[derive(Deserialize)]
struct ConfigV1 {
    id: String,
    invoice_number_format: Option<String>,
}

impl PayloadV1 {
    /// The same ledger in the current shape: nothing written off, no credit with an
    /// end date, every invoice and setting rounding tax per line, and each credit
    /// application dated as `apply_credit` without a date is now (the invoice's date).
    pub(super) fn migrate(self) -> Result<Payload> {
        let mut lines = LineTable::default();
        let mut texts = TextArena::default();
        let mut allocations = Chunked::default();
        let mut touches = Chunked::default();
        let mut invoices = Invoices::default();
        for i in self.invoices {
            let invoice = InvoiceV2 {
                id: i.id,
                number: i.number,
                customer: i.customer,
                currency: i.currency,
                date: i.date,
                due_date: i.due_date,
                prices_include_tax: i.prices_include_tax,
                lines: i.lines,
                subtotal: i.subtotal,
                tax: i.tax,
                total: i.total,
                credited: i.credited,
                credited_tax: i.credited_tax,
                settlements: i.settlements,
                credit_applied_at_issue: i.credit_applied_at_issue,
                voided_by: i.voided_by,
                written_off: Decimal::ZERO,
                written_off_tax: Decimal::ZERO,
                tax_rounding: TaxRounding::Line,
            }
            .into_invoice(&mut lines)?;
            invoices.push(&invoice).ok_or_else(text_too_long)?;
        }
        let applications = self
            .applications
            .into_iter()
            .map(|a| {
                let date = (a.invoice < invoices.next_idx())
                    .then(|| invoices.get(a.invoice).date)
                    .ok_or_else(|| {
                        err!(
                            InvalidInput,
                            "snapshot: a credit application points outside its table"
                        )
                    })?;
                Ok(Application {
                    date,
                    id: a.id,
                    customer: a.customer,
                    invoice: a.invoice,
                    amount: a.amount,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let (customers, entry_digest) = super::v2::customers(self.customers)?;
        Ok(Payload {
            seq: self.seq,
            #[cfg(not(target_arch = "wasm32"))]
            placed: None,
            numbering: self.numbering,
            entry_digest,
            ids: self.ids,
            id_hashes: Vec::new(),
            lines_to_check: None,
            customers,
            invoices,
            lines,
            payments: super::v2::payments(self.payments, &mut texts, &mut allocations)?,
            texts,
            allocations,
            lots: super::v2::lots(
                self.lots.into_iter().map(|l| LotV2 {
                    customer: l.customer,
                    currency: l.currency,
                    origin: l.origin,
                    remaining: l.remaining,
                    refunded: l.refunded,
                    touched: l.touched,
                    valid_until: None,
                }),
                &mut touches,
            )?,
            touches,
            grants: self.grants,
            applications,
            credit_notes: self.credit_notes,
            refunds: self.refunds,
            payment_voids: self.payment_voids,
            invoice_voids: self.invoice_voids,
            configs: self
                .configs
                .into_iter()
                .map(|c| Config {
                    id: c.id,
                    invoice_number_format: c.invoice_number_format,
                    tax_rounding: TaxRounding::Line,
                })
                .collect(),
            write_offs: Vec::new(),
            expiries: Vec::new(),
            expired_lots: Vec::new(),
            accounts: self.accounts,
        })
    }
}
