//! Helpers for the unit tests.

/// A text of `len` pieces drawn from `pieces` by a xorshift generator whose state is `seed`: the
/// random inputs the tests hold a fast routine to its reference with, the same on every run.
pub fn random_text(seed: &mut u64, pieces: &[&str], len: usize) -> String {
    let mut text = String::new();
    for _ in 0..len {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        text.push_str(pieces[(*seed % pieces.len() as u64) as usize]);
    }
    text
}
