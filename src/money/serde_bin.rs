//! Decimal fields in two encodings: strings in JSON (`"100.00"`, as the contract wants)
//! and, in binary formats (snapshots), the mantissa as a zigzag varint and the scale as a
//! byte: "180.00" takes 4 bytes instead of 7 and restores without parsing text. Use with `#[serde(with = "crate::money::dec")]`, or
//! `dec_pairs` for `Vec<(K, Decimal)>`.

#![warn(missing_docs)]

/// One `Decimal` field.
pub mod dec {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Writes the decimal as its text in JSON, or as `(mantissa, scale)` in binary.
    /// The scale is kept, so "100.00" restores as "100.00", not "100".
    pub fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(&crate::money::DecimalText(*d))
        } else {
            (d.mantissa(), d.scale() as u8).serialize(s)
        }
    }

    /// Reads what [`serialize`] writes; an out-of-range mantissa or scale is an error.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        if d.is_human_readable() {
            let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
            text.parse().map_err(serde::de::Error::custom)
        } else {
            let (mantissa, scale) = <(i128, u8)>::deserialize(d)?;
            // Out-of-range mantissas or scales are refused, never wrapped.
            Decimal::try_from_i128_with_scale(mantissa, u32::from(scale))
                .map_err(|_| serde::de::Error::custom("not a valid decimal"))
        }
    }
}

/// A `Vec<(K, Decimal)>` field.
pub mod dec_pairs {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Pair<K>(K, #[serde(with = "super::dec")] Decimal);

    /// Writes the pairs as a sequence, each decimal encoded as [`super::dec`] does.
    pub fn serialize<K: Serialize + Copy, S: Serializer>(
        v: &[(K, Decimal)],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|(k, d)| Pair(*k, *d)))
    }

    /// Reads what [`serialize`] writes.
    pub fn deserialize<'de, K: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<(K, Decimal)>, D::Error> {
        let pairs = Vec::<Pair<K>>::deserialize(d)?;
        Ok(pairs.into_iter().map(|Pair(k, d)| (k, d)).collect())
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct Row(#[serde(with = "super::dec")] Decimal);

    #[test]
    fn binary_and_text_round_trips() {
        for text in [
            "0",
            "100.00",
            "-0.125",
            "1000000000000000",
            "0.0000000000000000000000000001",
            "-79228162514264337593543950335",
        ] {
            let row = Row(text.parse().unwrap());
            let bytes = postcard::to_allocvec(&row).unwrap();
            assert_eq!(postcard::from_bytes::<Row>(&bytes).unwrap(), row, "{text}");
            let json = serde_json::to_string(&row).unwrap();
            assert_eq!(json, format!("\"{text}\""));
            assert_eq!(serde_json::from_str::<Row>(&json).unwrap(), row);
        }
    }

    #[test]
    fn invalid_flags_are_refused() {
        let mut bytes = postcard::to_allocvec(&Row(Decimal::ONE)).unwrap();
        *bytes.last_mut().unwrap() = 29; // the scale byte
        assert!(postcard::from_bytes::<Row>(&bytes).is_err());
    }
}
