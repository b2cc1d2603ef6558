//! libFuzzer target: see tests/support/fuzz_one.rs for the property.
#![no_main]

#[path = "../../tests/support/fuzz_one.rs"]
mod fuzz_one;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_one::fuzz_one(data));
