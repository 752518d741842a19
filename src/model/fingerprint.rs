//! Fingerprints: fast, fixed-seed hashes of what a preview compares between builds. Values are
//! hashed through their `Debug` text, written straight into the hasher (no string is built).

use std::fmt::{Debug, Write};
use std::hash::{BuildHasher, Hash, Hasher};

/// A hash being built.
pub struct Fingerprint(foldhash::fast::FoldHasher<'static>);

impl Default for Fingerprint {
    fn default() -> Self {
        Fingerprint(foldhash::fast::FixedState::with_seed(0x79616e62).build_hasher())
    }
}

impl Fingerprint {
    /// Adds a value through its `Debug` text. For values whose text has a fixed order (no
    /// hash maps or sets inside).
    pub fn debug(&mut self, value: &impl Debug) -> &mut Self {
        let _ = write!(Writer(&mut self.0), "{value:?}");
        // A separator, so that ("ab", "c") and ("a", "bc") differ.
        self.0.write_u8(0xff);
        self
    }

    /// Adds a value through `Hash`.
    pub fn add(&mut self, value: &impl Hash) -> &mut Self {
        value.hash(&mut self.0);
        self
    }

    pub fn finish(&self) -> u64 {
        self.0.finish()
    }
}

struct Writer<'a, H: Hasher>(&'a mut H);

impl<H: Hasher> Write for Writer<'_, H> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.write(s.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Fingerprint;

    #[test]
    fn equal_values_agree_and_boundaries_count() {
        let f = |a: &str, b: &str| Fingerprint::default().debug(&a).debug(&b).finish();
        assert_eq!(f("ab", "c"), f("ab", "c"));
        assert_ne!(f("ab", "c"), f("a", "bc"));
        assert_ne!(
            Fingerprint::default().add(&1u32).finish(),
            Fingerprint::default().add(&2u32).finish()
        );
    }
}
