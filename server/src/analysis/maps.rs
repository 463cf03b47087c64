//! What the standard maps lack for the core's hot paths.

use std::collections::HashMap;
use std::hash::BuildHasher;

/// The value under `key`, the default inserted first when there is none. Unlike
/// `entry(key.to_string())`, the key is copied only when it is new: for maps looked up once per
/// function or statement whose keys are mostly there already.
pub fn value_or_default<'m, V: Default, S: BuildHasher>(
    map: &'m mut HashMap<String, V, S>,
    key: &str,
) -> &'m mut V {
    if !map.contains_key(key) {
        map.insert(key.to_string(), V::default());
    }
    map.get_mut(key)
        .expect("present: inserted above when missing")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_key_gets_the_default_and_a_present_one_keeps_its_value() {
        let mut map: foldhash::HashMap<String, Vec<u32>> = foldhash::HashMap::default();
        value_or_default(&mut map, "a").push(1);
        value_or_default(&mut map, "a").push(2);
        value_or_default(&mut map, "b");
        assert_eq!(map.len(), 2);
        assert_eq!(map["a"], [1, 2]);
        assert!(map["b"].is_empty());
    }
}
