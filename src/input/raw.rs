//! A loosely typed first reading of a command or query object.
//!
//! Serde's derived errors ("invalid type: integer, expected a string") name neither the
//! contract's error codes nor the field in the caller's words, and a number where an
//! amount belongs must be `invalid_amount`, not a parse failure. So the object is first
//! read into `RawMap` — any JSON shape, depth-bounded, from serde_json's `Deserializer`, or
//! from a JS object by the wasm binding's own walk (`wasm::read`) — and then validated field by
//! field in `input::command` (commands) and `queries` (queries).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::error::{err, Result};

macro_rules! keys {
    ($($variant:ident = $name:literal,)*) => {
        /// Every field name the contract knows, in commands, lines and queries. Each
        /// variant stands for the JSON name beside it in the `keys!` list in the source
        /// (`DueDate` is `due_date`); reading maps names to keys once, so validation
        /// compares small enums, not strings.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Key { $(#[doc = concat!("The `", $name, "` field.")] $variant,)* }

        impl Key {
            /// The field's name in JSON, as messages quote it.
            pub fn name(self) -> &'static str {
                match self { $(Key::$variant => $name,)* }
            }

            /// How many keys there are.
            #[cfg(fast_paths)]
            pub(crate) const COUNT: usize = [$($name),*].len();

            pub(crate) fn from_name(name: &str) -> Option<Key> {
                match name { $($name => Some(Key::$variant),)* _ => None }
            }
        }
    };
}

keys! {
    Type = "type", Id = "id", At = "at", By = "by", DryRun = "dry_run",
    Name = "name", Email = "email", Currency = "currency", Customer = "customer",
    Date = "date", DueDate = "due_date", Lines = "lines",
    PricesIncludeTax = "prices_include_tax", UseCredit = "use_credit",
    Amount = "amount", Method = "method", Reference = "reference",
    AllocateTo = "allocate_to", Reason = "reason", Invoice = "invoice", Payment = "payment",
    InvoiceNumberFormat = "invoice_number_format",
    Description = "description", Quantity = "quantity", UnitPrice = "unit_price",
    TaxRate = "tax_rate", DiscountRate = "discount_rate",
    From = "from", To = "to", AsOf = "as_of", Status = "status",
    Limit = "limit", ValidUntil = "valid_until", TaxRounding = "tax_rounding",
}

/// One value as read, before validation. Text read from JSON without escapes borrows
/// the input (`'de`): most fields (types, dates, amounts) are checked and dropped, so
/// copying them would only feed the allocator.
#[derive(Clone, Debug, PartialEq)]
pub enum Raw<'de> {
    /// JSON `null` (or JS `undefined`): an optional field given as null is absent.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A string: text, and also every amount, date and currency in the contract.
    Str(Cow<'de, str>),
    /// A number, kept as its text so an error can quote it.
    Num(String),
    /// An array, e.g. `lines` or `allocate_to`.
    List(Vec<Raw<'de>>),
    /// An object, e.g. one invoice line.
    Map(RawMap<'de>),
    /// A value no contract field can hold, with how messages name it: an array or
    /// object nested deeper than any contract shape, a function, text with unpaired
    /// surrogates.
    Unreadable(&'static str),
    /// An array or object (named) with more than the given number of items.
    TooMany(&'static str, usize),
}

/// How messages name an array or object nested deeper than any contract shape.
pub const TOO_DEEP: Raw<'static> = Raw::Unreadable("a deeply nested value");

/// How messages name an array longer than `MAX_ITEMS` (its text built from the limit).
pub const TOO_MANY_ITEMS: Raw<'static> = Raw::TooMany("array", MAX_ITEMS);

pub use crate::limits::{MAX_DEPTH, MAX_ITEMS};

impl Raw<'_> {
    /// How the value's type is named in messages.
    pub fn kind(&self) -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed(match self {
            Raw::Null => "null",
            Raw::Bool(_) => "a boolean",
            Raw::Str(_) => "a string",
            Raw::Num(_) => "a number",
            Raw::List(_) => "an array",
            Raw::Map(_) => "an object",
            Raw::Unreadable(kind) => kind,
            Raw::TooMany(what, max) => {
                return std::borrow::Cow::Owned(format!("an {what} of more than {max} items"))
            }
        })
    }

    /// The value's JSON type, as refusals' `details.got` names it.
    pub fn json_type(&self) -> &'static str {
        match self {
            Raw::Null => "null",
            Raw::Bool(_) => "boolean",
            Raw::Str(_) => "string",
            Raw::Num(_) => "number",
            Raw::List(_) => "array",
            Raw::Map(_) => "object",
            Raw::Unreadable(_) | Raw::TooMany(..) => "unreadable",
        }
    }

    /// A scalar's text, clipped, as refusals' `details.value` quotes it (empty for
    /// arrays and objects).
    pub fn text(&self) -> String {
        match self {
            Raw::Str(s) => crate::error::clip(s).into_owned(),
            Raw::Num(s) => crate::error::clip(s).into_owned(),
            Raw::Bool(b) => b.to_string(),
            _ => String::new(),
        }
    }

    /// The value as a message shows it (long text clipped).
    pub fn shown(&self) -> String {
        match self {
            Raw::Str(s) => format!("'{}'", crate::error::clip(s)),
            Raw::Num(n) => format!("the number {n}"),
            Raw::Bool(b) => format!("{b}"),
            other => other.kind().into_owned(),
        }
    }
}

/// The fields of one object, in the order given. Unknown or repeated names are
/// remembered and refused by `RawMap::check`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawMap<'de> {
    fields: Vec<(Key, Raw<'de>)>,
    unknown: Option<Box<str>>,
    repeated: Option<Key>,
}

impl<'de> RawMap<'de> {
    /// Reads an object from any serde data format.
    pub fn read<D: Deserializer<'de>>(d: D) -> Result<RawMap<'de>, D::Error> {
        match (RawSeed { depth: 0 }).deserialize(d)? {
            Raw::Map(map) => Ok(map),
            other => Err(de::Error::custom(format!(
                "expected an object, got {}",
                other.kind()
            ))),
        }
    }

    /// Refuses unknown or repeated field names. `context` names the object in the
    /// message (`command`, `lines[2]`); `prefix` goes before a field's name in the
    /// refusal's `field` (`""`, `lines[2].`).
    pub fn check(&self, context: &str, prefix: &str) -> Result<()> {
        if let Some(name) = &self.unknown {
            let name = crate::error::clip(name);
            return Err(err!(InvalidInput, "{context}: unknown field '{name}'")
                .at(format!("{prefix}{name}"))
                .rule("unknown_field"));
        }
        if let Some(key) = self.repeated {
            return Err(err!(
                InvalidInput,
                "{context}: field '{}' is given twice",
                key.name()
            )
            .at(format!("{prefix}{}", key.name()))
            .rule("repeated_field"));
        }
        Ok(())
    }

    /// Whether every name was known and given once (`check` would pass): lets a caller
    /// skip building `check`'s message arguments.
    pub fn names_ok(&self) -> bool {
        self.unknown.is_none() && self.repeated.is_none()
    }

    /// An empty map with room for `fields` fields (a JSON reader can't tell how many
    /// are coming; a vector grown field by field reallocates two or three times).
    pub fn with_capacity(fields: usize) -> RawMap<'de> {
        RawMap {
            fields: Vec::with_capacity(fields),
            unknown: None,
            repeated: None,
        }
    }

    /// Adds a field as read; an unknown or repeated name is remembered for `check`.
    /// (Readers other than serde, like the wasm binding's JS walker, build maps here.)
    pub fn push(&mut self, name: &str, value: Raw<'de>) {
        match Key::from_name(name) {
            Some(key) if self.fields.iter().any(|(k, _)| *k == key) => {
                self.repeated.get_or_insert(key);
            }
            Some(key) => self.fields.push((key, value)),
            None => {
                self.unknown.get_or_insert_with(|| name.into());
            }
        }
    }

    /// Adds a field of a known name that the caller knows is not in the map yet (a
    /// reader that keeps track of the names it read, instead of `push`'s search).
    #[cfg(fast_paths)]
    pub(crate) fn push_new(&mut self, key: Key, value: Raw<'de>) {
        debug_assert!(self.fields.iter().all(|(k, _)| *k != key), "{key:?} twice");
        self.fields.push((key, value));
    }

    /// A field's text, if it is a string (read without taking it).
    #[cfg(fast_paths)]
    pub fn text(&self, key: Key) -> Option<&str> {
        self.fields.iter().find_map(|(k, v)| match v {
            Raw::Str(s) if *k == key => Some(&**s),
            _ => None,
        })
    }

    /// Whether a field is JSON `true` (read without taking it).
    pub fn is_true(&self, key: Key) -> bool {
        self.fields
            .iter()
            .any(|(k, v)| *k == key && matches!(v, Raw::Bool(true)))
    }

    /// Removes a field; `null` counts as absent.
    pub fn take(&mut self, key: Key) -> Option<Raw<'de>> {
        let i = self.fields.iter().position(|(k, _)| *k == key)?;
        match self.fields.swap_remove(i).1 {
            Raw::Null => None,
            v => Some(v),
        }
    }

    /// The first field left over, if any: one that the command or query type doesn't
    /// take. Even at `null`: `null` stands for an optional field left out, and a field
    /// the type doesn't take is no optional field of it (as an unknown name isn't).
    pub fn leftover(&self) -> Option<Key> {
        self.fields.first().map(|(k, _)| *k)
    }
}

/// Room for the fields of most commands and queries (an invoice with `at` and `by`
/// has eight, a payment with them nine) and of an invoice line (five), so reading one
/// allocates each map once.
pub(crate) const FIELDS_GUESS: usize = 10;
pub(crate) const LINE_FIELDS_GUESS: usize = 5;

struct RawSeed {
    depth: u8,
}

impl<'de> DeserializeSeed<'de> for RawSeed {
    type Value = Raw<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Raw<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RawSeed {
    type Value = Raw<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Raw<'de>, E> {
        Ok(Raw::Null)
    }
    fn visit_none<E>(self) -> Result<Raw<'de>, E> {
        Ok(Raw::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw<'de>, D::Error> {
        self.deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Raw<'de>, E> {
        Ok(Raw::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Raw<'de>, E> {
        Ok(Raw::Num(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Raw<'de>, E> {
        Ok(Raw::Num(v.to_string()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Raw<'de>, E> {
        Ok(Raw::Num(v.to_string()))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Raw<'de>, E> {
        Ok(Raw::Num(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Raw<'de>, E> {
        Ok(Raw::Num(number_text(v)))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Raw<'de>, E> {
        Ok(Raw::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Raw<'de>, E> {
        Ok(Raw::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Raw<'de>, E> {
        Ok(Raw::Str(Cow::Owned(v)))
    }
    fn visit_bytes<E>(self, _: &[u8]) -> Result<Raw<'de>, E> {
        Ok(TOO_DEEP)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Raw<'de>, D::Error> {
        self.deserialize(d)
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, _: A) -> Result<Raw<'de>, A::Error> {
        // Every method is implemented so serde's default `invalid_type` errors (whose
        // Display pulls float formatting into the wasm) are never reachable.
        Err(de::Error::custom("an enum is not a JSON value"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw<'de>, A::Error> {
        if self.depth >= MAX_DEPTH {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(TOO_DEEP);
        }
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(v) = seq.next_element_seed(RawSeed {
            depth: self.depth + 1,
        })? {
            if items.len() == MAX_ITEMS {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                return Ok(TOO_MANY_ITEMS);
            }
            items.push(v);
        }
        Ok(Raw::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw<'de>, A::Error> {
        if self.depth >= MAX_DEPTH {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(TOO_DEEP);
        }
        let mut out = RawMap::with_capacity(if self.depth == 0 {
            FIELDS_GUESS
        } else {
            LINE_FIELDS_GUESS
        });
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match key {
                KeyRead::Known(key) => {
                    let value = map.next_value_seed(RawSeed {
                        depth: self.depth + 1,
                    })?;
                    if out.fields.iter().any(|(k, _)| *k == key) {
                        out.repeated.get_or_insert(key);
                    } else {
                        out.fields.push((key, value));
                    }
                }
                KeyRead::Unknown(name) => {
                    out.unknown.get_or_insert(name.into());
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Raw::Map(out))
    }
}

enum KeyRead {
    Known(Key),
    Unknown(String),
}

/// Reads a key, allocating only for a name the contract doesn't know.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = KeyRead;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<KeyRead, D::Error> {
        // `deserialize_any`, not `deserialize_str`: a key that isn't text is then read
        // by `visit_*` below instead of failing with serde's generic type error.
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = KeyRead;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E>(self, v: &str) -> Result<KeyRead, E> {
        Ok(match Key::from_name(v) {
            Some(key) => KeyRead::Known(key),
            None => KeyRead::Unknown(v.to_owned()),
        })
    }

    // Keys are always strings in JSON and JS objects; the rest exist so serde's default
    // `invalid_type` errors (and the float formatting behind them) stay out of the build.
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<KeyRead, E> {
        Err(E::custom("field names must be strings"))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<KeyRead, E> {
        Err(E::custom("field names must be strings"))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<KeyRead, E> {
        Err(E::custom("field names must be strings"))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<KeyRead, E> {
        Err(E::custom("field names must be strings"))
    }
    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<KeyRead, E> {
        Err(E::custom("field names must be strings"))
    }
    fn visit_unit<E: de::Error>(self) -> Result<KeyRead, E> {
        Err(E::custom("field names must be strings"))
    }
    fn visit_none<E: de::Error>(self) -> Result<KeyRead, E> {
        Err(E::custom("field names must be strings"))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<KeyRead, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<KeyRead, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<KeyRead, A::Error> {
        Err(de::Error::custom("field names must be strings"))
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<KeyRead, A::Error> {
        Err(de::Error::custom("field names must be strings"))
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, _: A) -> Result<KeyRead, A::Error> {
        Err(de::Error::custom("field names must be strings"))
    }
}

/// A JSON number's text for messages, without pulling float formatting (about 15 KB of
/// wasm) into the engine: integers exactly, fractions to six places.
pub fn number_text(v: f64) -> String {
    if !v.is_finite() {
        return "non-finite".to_string();
    }
    let sign = if v < 0.0 { "-" } else { "" };
    let micro = (v.abs() * 1e6).round();
    if micro >= 9e15 {
        // Only the order of magnitude is shown; dividing (instead of `log10`, which links
        // a libm routine into the wasm) drifts by a few ulps, hence the threshold under 10.
        let (mut rest, mut exponent) = (v.abs(), 0);
        while rest >= 9.999_999 {
            rest /= 10.0;
            exponent += 1;
        }
        return format!("{sign}1e{exponent}");
    }
    let micro = micro as u64;
    let (whole, frac) = (micro / 1_000_000, micro % 1_000_000);
    if frac == 0 {
        return format!("{sign}{whole}");
    }
    let digits = format!("{frac:06}");
    format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_are_quoted_without_float_formatting() {
        assert_eq!(super::number_text(100.0), "100");
        assert_eq!(super::number_text(-12.5), "-12.5");
        assert_eq!(super::number_text(0.1), "0.1");
        assert_eq!(super::number_text(1e300), "1e300");
        assert_eq!(super::number_text(-1e300), "-1e300");
        for exponent in 10..=308 {
            let v: f64 = format!("1e{exponent}").parse().unwrap();
            assert_eq!(super::number_text(v), format!("1e{exponent}"));
            let v: f64 = format!("9.5e{}", exponent - 1).parse().unwrap();
            assert_eq!(super::number_text(v), format!("1e{}", exponent - 1));
        }
        assert_eq!(super::number_text(f64::MAX), "1e308");
    }

    use super::*;

    fn read(json: &str) -> RawMap<'_> {
        RawMap::read(&mut serde_json::Deserializer::from_str(json)).unwrap()
    }

    #[test]
    fn reads_scalars_and_lists() {
        let mut m = read(
            r#"{"type":"x","amount":100,"lines":[{"unit_price":"1"}],"use_credit":false,"at":null}"#,
        );
        assert_eq!(m.take(Key::Type), Some(Raw::Str("x".into())));
        assert_eq!(m.take(Key::Amount), Some(Raw::Num("100".into())));
        assert_eq!(m.take(Key::UseCredit), Some(Raw::Bool(false)));
        assert_eq!(m.take(Key::At), None);
        assert!(matches!(m.take(Key::Lines), Some(Raw::List(l)) if l.len() == 1));
        assert!(m.check("c", "").is_ok());
    }

    #[test]
    fn unknown_and_repeated_fields_are_refused() {
        let m = read(r#"{"type":"x","amout":"1"}"#);
        assert!(m.check("c", "").unwrap_err().message.contains("amout"));
        let m = read(r#"{"type":"x","id":"a","id":"b"}"#);
        assert!(m.check("c", "").unwrap_err().message.contains("twice"));
        let m = read(r#"{"bogus":1,"lines":[{"unit_price":"1"}]}"#);
        assert!(m.check("c", "").unwrap_err().message.contains("bogus"));
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let deep = format!("{{\"lines\":{}{}}}", "[".repeat(100), "]".repeat(100));
        let mut m = read(&deep);
        match m.take(Key::Lines) {
            Some(Raw::List(l)) => {
                assert!(matches!(&l[0], Raw::List(inner) if inner[0] == TOO_DEEP))
            }
            other => panic!("{other:?}"),
        }
    }
}
