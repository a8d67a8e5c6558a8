//! `Text`: the type of the texts a command carries and its answer names (ids,
//! references, reasons, line descriptions, timestamps, invoice numbers).
//!
//! Each was a `String`: an allocation to make and one to free, several a command, a
//! cost paid twice over in wasm, whose allocator is slower than glibc's thread cache.
//! Natively and in the bulk module it is `SmolStr` (up to 23 bytes inline, no
//! allocation; longer texts shared, so a copy is a count). The shipped module keeps
//! `String`, for its size budget. Code uses only what both offer: `Text::from(&str)`,
//! `as_str`, `Deref<Target = str>`, `Clone`, `Hash` (the same as `str`'s, so command
//! fingerprints are the same either way), `Ord`, `Display`, serde as a JSON string;
//! and the functions below, where the two need different code.

#[cfg(fast_paths)]
pub type Text = smol_str::SmolStr;

#[cfg(not(fast_paths))]
pub type Text = String;

/// The text of a field as read (borrowed from the input, or owned where the JSON had
/// escapes), without copying it twice where `Text` is `String`.
pub fn from_cow(text: std::borrow::Cow<'_, str>) -> Text {
    #[cfg(fast_paths)]
    return Text::new(&text);
    #[cfg(not(fast_paths))]
    return text.into_owned();
}

/// A value's `Display` text, written in place where it fits inline.
pub fn display(value: impl std::fmt::Display) -> Text {
    #[cfg(fast_paths)]
    return smol_str::format_smolstr!("{value}");
    #[cfg(not(fast_paths))]
    return value.to_string();
}

/// A text as a `String`, for records that keep one (a clone where `Text` is `String`).
pub fn owned(text: &Text) -> String {
    #[cfg(fast_paths)]
    return text.to_string();
    #[cfg(not(fast_paths))]
    return text.clone();
}

/// `owned` of an optional text.
pub fn owned_opt(text: &Option<Text>) -> Option<String> {
    #[cfg(fast_paths)]
    return text.as_deref().map(String::from);
    #[cfg(not(fast_paths))]
    return text.clone();
}

/// A text turned into a `String` (moved where `Text` is `String`).
pub fn into_string(text: Text) -> String {
    #[cfg(fast_paths)]
    return text.into();
    #[cfg(not(fast_paths))]
    return text;
}

/// Sets a text to `value`, reusing its buffer where `Text` is `String` (a snapshot's
/// reader fills one pair of them invoice after invoice).
pub fn set(text: &mut Text, value: &str) {
    #[cfg(fast_paths)]
    {
        *text = Text::new(value);
    }
    #[cfg(not(fast_paths))]
    {
        text.clear();
        text.push_str(value);
    }
}
