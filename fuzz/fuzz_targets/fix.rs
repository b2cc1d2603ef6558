//! libFuzzer target: see tests/support/fuzz_one.rs for the property.
#![no_main]

#[path = "../../tests/support/fuzz_one.rs"]
mod fuzz_one;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_one::fuzz_one(data));

// One mutation in eight rewrites the line breaks of the text (after the
// selector byte) as `\n`, `\r\n` or `\r`, all of them or from some point on
// (mixed endings); the others are libFuzzer's own.
libfuzzer_sys::fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    if seed % 8 != 0 || size < 2 {
        return libfuzzer_sys::fuzzer_mutate(data, size, max_size);
    }
    let seed = seed as usize / 8;
    let ending: &[u8] = match seed % 3 {
        0 => b"\n",
        1 => b"\r\n",
        _ => b"\r",
    };
    let body = &data[1..size];
    let from = if (seed / 3) % 2 == 0 {
        0
    } else {
        (seed / 6) % body.len()
    };
    let mut out = body[..from].to_vec();
    let mut i = from;
    while i < body.len() {
        match body[i] {
            b'\r' if body.get(i + 1) == Some(&b'\n') => {
                out.extend_from_slice(ending);
                i += 2;
            }
            b'\r' | b'\n' => {
                out.extend_from_slice(ending);
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    if out.len() + 1 > max_size {
        return libfuzzer_sys::fuzzer_mutate(data, size, max_size);
    }
    data[1..=out.len()].copy_from_slice(&out);
    out.len() + 1
});
