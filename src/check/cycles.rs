//! References between data texts must not go round in a circle: a text that shows itself
//! through its references could never be written out.

use std::collections::HashSet;

use crate::diag::Problems;
use crate::input::data::DataFiles;
use crate::input::store::Store;
use crate::model::data::{DataSet, Value};

/// A data text that shows itself through its references (`a.x` cites `b.y`, which cites `a.x`)
/// can never be written out: each cycle is an error at its first text.
pub fn reference_cycles(store: &DataFiles, sets: &Store<DataSet>, problems: &mut Problems) {
    type Node = (usize, usize, String);
    let text_refs = |(s, r, f): &Node| -> Vec<Node> {
        let Some(set) = sets.at(*s) else {
            return vec![];
        };
        let Some(Value::Text(t)) = set.rows.get(*r).and_then(|row| row.values.get(f)) else {
            return vec![];
        };
        t.riches()
            .into_iter()
            .flat_map(|r| r.data_refs())
            .map(|d| (d.set, d.row, d.field.clone()))
            .collect()
    };
    let mut done: HashSet<Node> = HashSet::new();
    for (s, _, set) in sets.iter() {
        for (r, row) in set.rows.iter().enumerate() {
            for f in row.values.keys() {
                let start: Node = (s, r, f.clone());
                if done.contains(&start) {
                    continue;
                }
                if let Some(cycle) = find_cycle(&start, &text_refs, &mut done) {
                    let name = |(s, r, f): &Node| {
                        let set = sets.at(*s).map_or("", |x| x.id.as_str());
                        let row = sets.at(*s).map_or("", |x| x.rows[*r].id.as_str());
                        format!("`{set}.{row}.{f}`")
                    };
                    let names: Vec<String> = cycle.iter().map(name).collect();
                    done.extend(cycle.iter().cloned());
                    let (cs, cr, cf) = &cycle[0];
                    let Some(parsed) = store.at(*cs) else {
                        continue;
                    };
                    problems.push(
                        parsed
                            .error(&format!("rows.{cr}.{cf}"), format!("reference cycle: {}", names.join(" → ")))
                            .help("a text cannot show itself through its references; remove one of them"),
                    );
                }
            }
        }
    }
}

/// Depth-first search from `start`, without recursion (chains of references may be long);
/// returns the first cycle found. Nodes fully explored are added to `done`.
fn find_cycle<N: Clone + Eq + std::hash::Hash>(
    start: &N,
    next: &dyn Fn(&N) -> Vec<N>,
    done: &mut HashSet<N>,
) -> Option<Vec<N>> {
    let mut path: Vec<N> = vec![start.clone()];
    let mut on_path: std::collections::HashMap<N, usize> = [(start.clone(), 0)].into();
    let mut pending: Vec<Vec<N>> = vec![next(start)];
    while let Some(children) = pending.last_mut() {
        let Some(n) = children.pop() else {
            pending.pop();
            if let Some(finished) = path.pop() {
                on_path.remove(&finished);
                done.insert(finished);
            }
            continue;
        };
        if let Some(&i) = on_path.get(&n) {
            let mut cycle = path[i..].to_vec();
            cycle.push(n);
            return Some(cycle);
        }
        if done.contains(&n) {
            continue;
        }
        pending.push(next(&n));
        on_path.insert(n.clone(), path.len());
        path.push(n);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cycles_and_walks_long_chains_without_recursion() {
        let next = |n: &u32| -> Vec<u32> {
            match n {
                1 => vec![2],
                2 => vec![3],
                3 => vec![1],
                n if *n >= 10 && *n < 200_000 => vec![n + 1],
                _ => vec![],
            }
        };
        assert_eq!(
            find_cycle(&1, &next, &mut HashSet::new()),
            Some(vec![1, 2, 3, 1])
        );
        assert_eq!(find_cycle(&10, &next, &mut HashSet::new()), None);
    }
}
