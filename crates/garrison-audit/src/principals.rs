//! Per-principal state of the stateful detectors, bounded in memory: a table that holds at most
//! `capacity` principals and, when full, forgets the quarter seen least recently.

use std::collections::HashMap;

/// State of type `T` per principal (user name), with the time each was last seen.
#[derive(Debug)]
pub struct Principals<T> {
    entries: HashMap<String, (i64, T)>,
}

impl<T> Default for Principals<T> {
    fn default() -> Self {
        Principals {
            entries: HashMap::new(),
        }
    }
}

impl<T: Default> Principals<T> {
    /// The state of `principal`, created empty if new, marked seen at `now` (microseconds).
    /// Making room for a new principal in a full table forgets the least recently seen quarter.
    /// The key is copied only for a principal not seen before. `None` only when `principal`
    /// could not be kept, which does not happen: callers may treat it as "nothing to record".
    pub fn entry(&mut self, principal: &str, now: i64, capacity: usize) -> Option<&mut T> {
        if !self.entries.contains_key(principal) {
            if self.entries.len() >= capacity.max(1) {
                self.evict(capacity.max(1));
            }
            self.entries
                .insert(principal.to_string(), (now, T::default()));
        }
        let (seen, state) = self.entries.get_mut(principal)?;
        *seen = (*seen).max(now);
        Some(state)
    }
}

impl<T> Principals<T> {
    pub fn get_mut(&mut self, principal: &str) -> Option<&mut T> {
        self.entries.get_mut(principal).map(|(_, state)| state)
    }

    pub fn contains(&self, principal: &str) -> bool {
        self.entries.contains_key(principal)
    }

    pub fn remove(&mut self, principal: &str) {
        self.entries.remove(principal);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Keeps the three quarters of `capacity` seen most recently, so eviction is amortised over
    /// many insertions.
    fn evict(&mut self, capacity: usize) {
        let keep = capacity - capacity / 4 - 1;
        let mut times: Vec<i64> = self.entries.values().map(|(seen, _)| *seen).collect();
        if keep >= times.len() {
            return;
        }
        let cut = times.len() - keep;
        let (_, cutoff, _) = times.select_nth_unstable(cut - 1);
        let cutoff = *cutoff;
        // Entries at the cutoff time are kept until the table is at `keep`; ties are rare.
        let mut to_drop = cut;
        self.entries.retain(|_, (seen, _)| {
            if to_drop > 0 && *seen <= cutoff {
                to_drop -= 1;
                false
            } else {
                true
            }
        });
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_full_table_forgets_the_least_recently_seen() {
        let mut table: Principals<u32> = Principals::default();
        for index in 0..100 {
            *table.entry(&format!("user-{index}"), index, 8).unwrap() += 1;
            assert!(table.len() <= 8, "{} principals kept", table.len());
        }
        // The latest principal is always kept, the first ones are long gone.
        assert!(table.contains("user-99"));
        assert!(!table.contains("user-0"));
        // Seeing an old principal again keeps it over newer ones that were not seen since.
        let mut table: Principals<u32> = Principals::default();
        for index in 0..8 {
            table.entry(&format!("user-{index}"), index, 8);
        }
        table.entry("user-0", 100, 8);
        table.entry("user-new", 101, 8);
        assert!(table.contains("user-0"));
        assert!(table.contains("user-new"));
        assert!(!table.contains("user-1"));
    }
}
