//! Reading JS values into the engine's `RawMap`: a direct walk of the value (see the
//! binding's module docs for why not serde), bounded in depth and size, with every read
//! that can run page code (getters, Proxy traps) caught.

use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::err;
use crate::input::raw::{number_text, Raw, RawMap, MAX_DEPTH, MAX_ITEMS, TOO_DEEP, TOO_MANY_ITEMS};

/// Reads a JS object into a `RawMap` (see the module docs for why not serde).
pub(super) fn read_object(value: &JsValue, what: &str) -> crate::error::Result<RawMap<'static>> {
    match read_value(value, 0) {
        Raw::Map(map) => Ok(map),
        other => Err(err!(
            InvalidInput,
            "{what}: expected an object, got {}",
            other.kind()
        )
        .rule("wrong_type")
        .word("expected", "object")
        .word("got", other.json_type())),
    }
}

// Reads that can run page code (Proxy traps, getters) go through imports marked
// `catch`: a value that throws becomes a refusal instead of an exception escaping through
// a method that holds the ledger (which would leave it unusable).
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Array, js_name = isArray, catch)]
    pub(super) fn is_array(value: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(js_namespace = Object, js_name = keys, catch)]
    fn object_keys(value: &JsValue) -> Result<Array, JsValue>;
    /// `String.prototype.isWellFormed.call(text)`.
    #[wasm_bindgen(js_namespace = ["String", "prototype", "isWellFormed"], js_name = call, catch)]
    fn is_well_formed(text: &JsValue) -> Result<bool, JsValue>;
}

const UNREADABLE: Raw<'static> =
    Raw::Unreadable("a value that could not be read (its getter or proxy threw)");

/// The items of a JS array, at most `MAX_ITEMS`, read without trusting its traps.
pub(super) fn array_items(value: &JsValue) -> Result<Vec<JsValue>, Raw<'static>> {
    let length = Reflect::get(value, &JsValue::from_str("length"))
        .ok()
        .and_then(|l| l.as_f64())
        .ok_or(UNREADABLE)?;
    if length > MAX_ITEMS as f64 {
        return Err(TOO_MANY_ITEMS);
    }
    // A loop, not `collect::<Result<Vec<_>>>()`: smaller in the wasm module.
    let mut items = Vec::with_capacity(length as usize);
    for i in 0..length as u32 {
        items.push(Reflect::get_u32(value, i).map_err(|_| UNREADABLE)?);
    }
    Ok(items)
}

fn read_text(value: &JsValue, text: String) -> Raw<'static> {
    // `as_string` replaces unpaired surrogates with U+FFFD, which would make different
    // JS strings the same id: refuse such text instead.
    let replaced = text.as_bytes().windows(3).any(|w| w == [0xEF, 0xBF, 0xBD]); // U+FFFD
    if replaced && !is_well_formed(value).unwrap_or(true) {
        return Raw::Unreadable("text with unpaired surrogates (not valid Unicode)");
    }
    Raw::Str(text.into())
}

fn read_value(value: &JsValue, depth: u8) -> Raw<'static> {
    if value.is_null() || value.is_undefined() {
        Raw::Null
    } else if let Some(b) = value.as_bool() {
        Raw::Bool(b)
    } else if let Some(s) = value.as_string() {
        read_text(value, s)
    } else if let Some(n) = value.as_f64() {
        Raw::Num(number_text(n))
    } else if value.is_bigint() {
        Raw::Num(String::from(
            js_sys::BigInt::unchecked_from_js_ref(value)
                .to_string(10)
                .unwrap_or_default(),
        ))
    } else if value.is_function() {
        Raw::Unreadable("a function")
    } else if value.is_symbol() {
        Raw::Unreadable("a symbol")
    } else if depth >= MAX_DEPTH {
        TOO_DEEP
    } else {
        match is_array(value) {
            Err(_) => UNREADABLE,
            Ok(true) => match array_items(value) {
                Ok(items) => Raw::List(
                    items
                        .iter()
                        .map(|item| read_value(item, depth + 1))
                        .collect(),
                ),
                Err(raw) => raw,
            },
            Ok(false) if value.is_object() => read_map(value, depth),
            Ok(false) => UNREADABLE,
        }
    }
}

fn read_map(value: &JsValue, depth: u8) -> Raw<'static> {
    let Ok(keys) = object_keys(value) else {
        return UNREADABLE;
    };
    if keys.length() as usize > MAX_ITEMS {
        return Raw::TooMany("object", MAX_ITEMS);
    }
    let mut map = RawMap::with_capacity(keys.length() as usize);
    for key in keys.iter() {
        let name = key.as_string().unwrap_or_default();
        let field = match Reflect::get(value, &key) {
            Ok(field) => read_value(&field, depth + 1),
            Err(_) => UNREADABLE,
        };
        map.push(&name, field);
    }
    Raw::Map(map)
}
