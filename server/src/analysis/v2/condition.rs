//! Which arms of module-level `if`/`try`/`match` statements something needs in order to exist.
//! Two things can exist together unless they need different arms of the same statement (a
//! function defined in both the `if` and the `else` branch is defined once); something outside
//! every alternative exists together with everything.

use super::syntax::Arm;

/// One arm taken: the statement (its file's number in the upper half, its offset in the lower)
/// and the arm's index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Choice {
    statement: u64,
    arm: u32,
}

/// The arms something needs, at most one per statement, sorted by statement.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Condition(Vec<Choice>);

/// Earlier candidates compared with one item at most, when looking for one it can exist with
/// (a guard against thousands of alternatives of one name; beyond it nothing is reported).
pub const MAX_COMPARED: usize = 256;

/// Needs no arm (a function.json function, a definition outside every alternative).
pub static ALWAYS: Condition = Condition(Vec::new());

impl Condition {
    /// The arms `arms` (of one file, numbered `file`) lie in.
    pub fn from_arms(file: u32, arms: &[Arm]) -> Condition {
        let mut choices: Vec<Choice> = arms
            .iter()
            .map(|a| Choice {
                statement: (u64::from(file) << 32) | u64::from(a.at),
                arm: a.index,
            })
            .collect();
        choices.sort_unstable();
        choices.dedup_by_key(|c| c.statement);
        Condition(choices)
    }

    /// Needs no arm: it exists whenever the module runs.
    pub fn is_always(&self) -> bool {
        self.0.is_empty()
    }

    /// Both conditions at once; `None` when they need different arms of one statement.
    pub fn and(&self, other: &Condition) -> Option<Condition> {
        if other.is_always() {
            return Some(self.clone());
        }
        if self.is_always() {
            return Some(other.clone());
        }
        let (a, b) = (&self.0, &other.0);
        let mut out = Vec::with_capacity(a.len() + b.len());
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            match a[i].statement.cmp(&b[j].statement) {
                std::cmp::Ordering::Less => {
                    out.push(a[i]);
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    out.push(b[j]);
                    j += 1;
                }
                std::cmp::Ordering::Equal if a[i].arm == b[j].arm => {
                    out.push(a[i]);
                    i += 1;
                    j += 1;
                }
                std::cmp::Ordering::Equal => return None,
            }
        }
        out.extend_from_slice(&a[i..]);
        out.extend_from_slice(&b[j..]);
        Some(Condition(out))
    }

    /// The arms both need (what something that exists under either condition surely needs).
    pub fn common(&self, other: &Condition) -> Condition {
        let mut out = Vec::new();
        let (a, b) = (&self.0, &other.0);
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            match a[i].statement.cmp(&b[j].statement) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    if a[i].arm == b[j].arm {
                        out.push(a[i]);
                    }
                    i += 1;
                    j += 1;
                }
            }
        }
        Condition(out)
    }

    /// The two can never exist together: they need different arms of one statement.
    pub fn excludes(&self, other: &Condition) -> bool {
        let (a, b) = (&self.0, &other.0);
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            match a[i].statement.cmp(&b[j].statement) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal if a[i].arm != b[j].arm => return true,
                std::cmp::Ordering::Equal => {
                    i += 1;
                    j += 1;
                }
            }
        }
        false
    }
}

/// The first of `earlier` that can exist together with something under `condition`: the very
/// first when `condition` needs no arm, else the first of at most [`MAX_COMPARED`] compared.
pub fn first_together<'a, T>(
    earlier: impl IntoIterator<Item = &'a T>,
    condition: &Condition,
    condition_of: impl Fn(&T) -> &Condition,
) -> Option<&'a T>
where
    T: 'a,
{
    let mut earlier = earlier.into_iter();
    if condition.is_always() {
        return earlier.next();
    }
    earlier
        .take(MAX_COMPARED)
        .find(|e| !condition_of(e).excludes(condition))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::python::parse;

    /// The condition of each `def` of a module, by name (the last one of a name wins).
    fn conditions(src: &str) -> Vec<(String, Condition)> {
        parse(src)
            .statements
            .iter()
            .filter_map(|s| match &s.kind {
                super::super::syntax::StmtKind::Def { name, .. } => {
                    Some((name.to_string(), Condition::from_arms(0, &s.arms)))
                }
                _ => None,
            })
            .collect()
    }

    fn excludes(src: &str) -> Vec<(String, String)> {
        let c = conditions(src);
        let mut out = Vec::new();
        for (i, (a, ca)) in c.iter().enumerate() {
            for (b, cb) in &c[i + 1..] {
                assert_eq!(ca.excludes(cb), cb.excludes(ca));
                if ca.excludes(cb) {
                    out.push((a.clone(), b.clone()));
                }
            }
        }
        out
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn if_elif_else_arms_exclude_each_other() {
        let src = "def top(): pass\nif a:\n    def x(): pass\n    if b:\n        def x1(): pass\n    else:\n        def x2(): pass\nelif c:\n    def y(): pass\nelse:\n    def z(): pass\n";
        assert_eq!(
            excludes(src),
            pairs(&[
                ("x", "y"),
                ("x", "z"),
                ("x1", "x2"),
                ("x1", "y"),
                ("x1", "z"),
                ("x2", "y"),
                ("x2", "z"),
                ("y", "z")
            ])
        );
    }

    #[test]
    fn a_lone_if_excludes_nothing() {
        assert_eq!(
            excludes("def run(): pass\nif a:\n    def run(): pass\nif b:\n    def run(): pass\n"),
            []
        );
    }

    #[test]
    fn try_body_and_else_run_together_handlers_are_alternatives() {
        let src = "try:\n    def t(): pass\nexcept ImportError:\n    def e1(): pass\nexcept Exception:\n    def e2(): pass\nelse:\n    def el(): pass\nfinally:\n    def f(): pass\n";
        assert_eq!(
            excludes(src),
            pairs(&[
                ("t", "e1"),
                ("t", "e2"),
                ("e1", "e2"),
                ("e1", "el"),
                ("e2", "el")
            ])
        );
        // Without a handler, body and finally both run.
        assert_eq!(
            excludes("try:\n    def a(): pass\nfinally:\n    def b(): pass\n"),
            []
        );
    }

    #[test]
    fn match_cases_are_alternatives() {
        let src =
            "match s:\n    case 1:\n        def a(): pass\n    case _:\n        def b(): pass\n";
        assert_eq!(excludes(src), pairs(&[("a", "b")]));
    }

    #[test]
    fn arms_inside_a_loop_are_not_alternatives() {
        // Each pass may take another arm: both definitions can happen.
        let src =
            "for m in modes:\n    if m:\n        def a(): pass\n    else:\n        def b(): pass\n";
        assert_eq!(excludes(src), []);
    }

    #[test]
    fn code_that_never_runs_on_import_is_left_out() {
        let c = conditions(
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    def tc(): pass\nelse:\n    def rt(): pass\nif __name__ == '__main__':\n    def main(): pass\nif not TYPE_CHECKING and x:\n    def both(): pass\nDEBUG = False\nif DEBUG:\n    def debug(): pass\nelif y:\n    def y1(): pass\nelse:\n    def y2(): pass\n",
        );
        let names: Vec<&str> = c.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["rt", "both", "y1", "y2"]);
        // `else` of `if TYPE_CHECKING` always runs; `if DEBUG` is gone, `elif`/`else` remain
        // alternatives.
        assert!(c[0].1.is_always());
        assert!(c[2].1.excludes(&c[3].1));
    }

    #[test]
    fn and_common_and_first_together() {
        let c = conditions("if a:\n    def x(): pass\nelse:\n    def y(): pass\n    if b:\n        def z(): pass\n");
        let (x, y, z) = (&c[0].1, &c[1].1, &c[2].1);
        assert_eq!(x.and(y), None);
        assert_eq!(y.and(z).as_ref(), Some(z));
        assert_eq!(y.common(z), *y);
        assert!(x.common(y).is_always());
        let always = Condition::default();
        let earlier = [x.clone(), y.clone()];
        assert_eq!(first_together(&earlier, z, |c| c), Some(y));
        assert_eq!(first_together(&earlier, &always, |c| c), Some(x));
        assert_eq!(first_together(&earlier[..1], z, |c| c), None);
    }

    #[test]
    fn statements_of_different_files_never_exclude() {
        let arm = |index| Arm { at: 10, index };
        let a = Condition::from_arms(1, &[arm(0)]);
        let b = Condition::from_arms(2, &[arm(1)]);
        assert!(!a.excludes(&b));
        assert!(a.excludes(&Condition::from_arms(1, &[arm(1)])));
    }
}
