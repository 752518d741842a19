//! A page's Tera context: its language's shared values (the site, the strings, the assets),
//! which each thread keeps from one page to the next instead of copying them for every page,
//! with the page's own values on top, which leave it when the page is done.
//!
//! Copying the shared values for each page, then dropping them, took 1% of a build's
//! instructions at N=1000 (callgrind: 5,609 M before, 5,555 M after).

use std::cell::RefCell;
use std::sync::Arc;

/// How many shared contexts (one per language and depth of page) a thread keeps a copy of.
const KEPT: usize = 8;

thread_local! {
    /// This thread's working copies of the shared contexts, each with the shared context it
    /// copies: a copy is taken while a page renders with it, and given back after.
    static COPIES: RefCell<Vec<(Arc<tera::Context>, tera::Context)>> =
        const { RefCell::new(Vec::new()) };
}

/// A page's context. Values go in through [`PageContext::insert`] only, which notes their
/// names; on drop each leaves, and a shared value a page replaced is put back, so the next
/// page on this thread sees the shared context as it was made.
pub struct PageContext {
    shared: Arc<tera::Context>,
    ctx: Option<tera::Context>,
    own: Vec<&'static str>,
}

impl PageContext {
    pub fn new(shared: Arc<tera::Context>) -> Self {
        let kept = COPIES.with_borrow_mut(|copies| {
            // Copies of contexts no renderer holds any more (a preview's earlier builds) go.
            copies.retain(|(s, _)| Arc::strong_count(s) > 1);
            let at = copies.iter().position(|(s, _)| Arc::ptr_eq(s, &shared))?;
            Some(copies.swap_remove(at).1)
        });
        let ctx = kept.unwrap_or_else(|| (*shared).clone());
        Self {
            shared,
            ctx: Some(ctx),
            own: Vec::new(),
        }
    }

    /// Adds or replaces a value for this page only.
    pub fn insert<T: serde::Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        self.own.push(key);
        self.ctx_mut().insert(key, value);
    }

    /// [`PageContext::insert`] for a value already made, moved in as it is: `insert` serialises
    /// its value again, which for a value (a window of the chapter list on every page) is a
    /// copy made the slow way.
    pub fn insert_value(&mut self, key: &'static str, value: tera::Value) {
        self.own.push(key);
        self.ctx_mut().insert_value(key, value);
    }

    /// Takes a value this page added out again (before the page renders with it).
    pub fn remove(&mut self, key: &'static str) {
        if let Some(v) = self.shared.get(key) {
            let v = v.clone();
            self.ctx_mut().insert_value(key, v);
        } else {
            self.ctx_mut().remove(key);
        }
    }

    fn ctx_mut(&mut self) -> &mut tera::Context {
        self.ctx.get_or_insert_with(tera::Context::new)
    }
}

impl std::ops::Deref for PageContext {
    type Target = tera::Context;

    fn deref(&self) -> &tera::Context {
        // Only `drop` takes the context out.
        self.ctx.as_ref().unwrap_or(&self.shared)
    }
}

impl Drop for PageContext {
    fn drop(&mut self) {
        let Some(mut ctx) = self.ctx.take() else {
            return;
        };
        for key in self.own.drain(..) {
            match self.shared.get(key) {
                Some(v) => ctx.insert_value(key, v.clone()),
                None => {
                    ctx.remove(key);
                }
            }
        }
        let shared = self.shared.clone();
        COPIES.with_borrow_mut(|copies| {
            if copies.len() >= KEPT {
                copies.remove(0);
            }
            copies.push((shared, ctx));
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared() -> Arc<tera::Context> {
        let mut c = tera::Context::new();
        c.insert("site", &serde_json::json!({"title": "研报"}));
        c.insert("pdf_href", "report-zh.pdf");
        Arc::new(c)
    }

    #[test]
    fn a_pages_values_leave_and_replaced_shared_values_come_back() {
        let shared = shared();
        {
            let mut page = PageContext::new(shared.clone());
            page.insert("page", &serde_json::json!({"title": "第一章"}));
            page.insert("pdf_href", "elsewhere.pdf");
            page.insert_value("nav", tera::Value::from(vec![1, 2]));
            assert_eq!(page.get("nav"), Some(&tera::Value::from(vec![1, 2])));
            page.remove("nav");
            assert_eq!(page.get("pdf_href"), Some(&"elsewhere.pdf".into()));
            assert!(page.get("nav").is_none());
            assert!(page.get("site").is_some());
        }
        // The next page on this thread gets the kept copy, as the shared context has it.
        let page = PageContext::new(shared.clone());
        assert_eq!(page.get("pdf_href"), Some(&"report-zh.pdf".into()));
        assert!(page.get("page").is_none());
        assert_eq!(*page, *shared, "nothing of the first page is left");
        drop(page);
        // One copy per shared context, taken while in use: two pages at once get two.
        let a = PageContext::new(shared.clone());
        let b = PageContext::new(shared.clone());
        assert_eq!(*a, *b);
    }

    #[test]
    fn copies_of_contexts_no_renderer_holds_are_let_go() {
        let first = shared();
        drop(PageContext::new(first.clone()));
        let weak = Arc::downgrade(&first);
        drop(first);
        // The thread's copy still holds it, until the next page looks for its own.
        assert!(weak.upgrade().is_some());
        drop(PageContext::new(shared()));
        assert!(weak.upgrade().is_none());
    }
}
