//! Items by id in id order, including those that exist but failed (their problems are already
//! reported): a lookup tells the two apart, so a reference to a broken file stays quiet instead
//! of adding "unknown file" to the real cause. Positions are stable: checking a store of raw
//! files gives a store of checked items at the same positions, which references use as indexes.

use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct Store<T> {
    items: Vec<(String, Option<T>)>,
    index: HashMap<String, usize>,
}

impl<T> Default for Store<T> {
    fn default() -> Self {
        Store {
            items: Vec::new(),
            index: HashMap::new(),
        }
    }
}

/// What a lookup by id found.
#[derive(Debug)]
pub enum Lookup<'a, T> {
    Found(usize, &'a T),
    /// It exists but could not be loaded or checked: say nothing more about it.
    Failed,
    Missing,
}

impl<T> Store<T> {
    /// Adds an item at the next position (or replaces the one with its id).
    pub fn insert(&mut self, id: String, item: T) {
        self.push(id, Some(item));
    }

    /// Records an id whose file exists but failed.
    pub fn fail(&mut self, id: String) {
        self.push(id, None);
    }

    fn push(&mut self, id: String, item: Option<T>) {
        match self.index.get(&id) {
            Some(&i) => self.items[i].1 = item,
            None => {
                self.index.insert(id.clone(), self.items.len());
                self.items.push((id, item));
            }
        }
    }

    pub fn get(&self, id: &str) -> Lookup<'_, T> {
        match self.index.get(id) {
            Some(&i) => match &self.items[i].1 {
                Some(t) => Lookup::Found(i, t),
                None => Lookup::Failed,
            },
            None => Lookup::Missing,
        }
    }

    /// The item at a position, if it did not fail.
    pub fn at(&self, i: usize) -> Option<&T> {
        self.items.get(i).and_then(|(_, t)| t.as_ref())
    }

    /// Items that did not fail, with their positions and ids.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &String, &T)> {
        self.items
            .iter()
            .enumerate()
            .filter_map(|(i, (id, t))| t.as_ref().map(|t| (i, id, t)))
    }

    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.items.iter().filter_map(|(_, t)| t.as_ref())
    }

    pub fn failed_ids(&self) -> impl Iterator<Item = &String> {
        self.items
            .iter()
            .filter(|(_, t)| t.is_none())
            .map(|(id, _)| id)
    }

    /// The ids of items that did not fail, comma-separated, for messages.
    pub fn ids(&self) -> String {
        crate::model::text::join(self.iter().map(|(_, id, _)| id))
    }

    /// Every item converted by `f` at the same position; None (and failed items) fail.
    pub fn map<U>(&self, mut f: impl FnMut(usize, &str, &T) -> Option<U>) -> Store<U> {
        Store {
            items: self
                .items
                .iter()
                .enumerate()
                .map(|(i, (id, t))| (id.clone(), t.as_ref().and_then(|t| f(i, id, t))))
                .collect(),
            index: self.index.clone(),
        }
    }

    /// All items, if none failed.
    pub fn complete(self) -> Option<Vec<T>> {
        self.items.into_iter().map(|(_, t)| t).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_tell_failed_from_missing_and_keep_positions() {
        let mut s = Store::default();
        s.insert("a".to_string(), 1);
        s.fail("b".to_string());
        s.insert("c".to_string(), 3);
        assert!(matches!(s.get("a"), Lookup::Found(0, 1)));
        assert!(matches!(s.get("b"), Lookup::Failed));
        assert!(matches!(s.get("x"), Lookup::Missing));
        assert_eq!(s.ids(), "a, c");
        let doubled = s.map(|_, _, v| (*v != 3).then_some(v * 2));
        assert!(matches!(doubled.get("a"), Lookup::Found(0, 2)));
        assert!(matches!(doubled.get("c"), Lookup::Failed));
        assert_eq!(doubled.complete(), None);
    }
}
