//! Field ids of the Python grammar, resolved once. `Node::child_by_field_name` looks the name up
//! among the grammar's field names on every call, which shows in profiles of large modules; the
//! walkers ask `child_by_field_id` with these instead.

use std::sync::LazyLock;

pub struct Fields {
    pub alias: u16,
    pub argument: u16,
    pub arguments: u16,
    pub attribute: u16,
    pub body: u16,
    pub condition: u16,
    pub consequence: u16,
    pub definition: u16,
    pub function: u16,
    pub key: u16,
    pub left: u16,
    pub module_name: u16,
    pub name: u16,
    pub object: u16,
    pub operator: u16,
    pub parameters: u16,
    pub return_type: u16,
    pub right: u16,
    pub subscript: u16,
    pub superclasses: u16,
    pub type_: u16,
    pub value: u16,
}

pub static FIELDS: LazyLock<Fields> = LazyLock::new(|| {
    let language: tree_sitter::Language = tree_sitter_python::LANGUAGE.into();
    // A name the grammar lacks gets 0, which no child has: lookups answer `None`, as
    // `child_by_field_name` would.
    let id = |name: &str| language.field_id_for_name(name).map_or(0, |id| id.get());
    Fields {
        alias: id("alias"),
        argument: id("argument"),
        arguments: id("arguments"),
        attribute: id("attribute"),
        body: id("body"),
        condition: id("condition"),
        consequence: id("consequence"),
        definition: id("definition"),
        function: id("function"),
        key: id("key"),
        left: id("left"),
        module_name: id("module_name"),
        name: id("name"),
        object: id("object"),
        operator: id("operator"),
        parameters: id("parameters"),
        return_type: id("return_type"),
        right: id("right"),
        subscript: id("subscript"),
        superclasses: id("superclasses"),
        type_: id("type"),
        value: id("value"),
    }
});

/// The name of each node kind of the grammar, by kind id.
static KIND_NAMES: LazyLock<Vec<Box<str>>> = LazyLock::new(|| {
    let language: tree_sitter::Language = tree_sitter_python::LANGUAGE.into();
    (0..language.node_kind_count())
        .map(|id| {
            u16::try_from(id)
                .ok()
                .and_then(|id| language.node_kind_for_id(id))
                .unwrap_or("")
                .into()
        })
        .collect()
});

/// `Node::kind` from a table: `kind()` measures and validates the grammar's C string of the
/// name on every call, which the walkers over every node of a module pay for in profiles.
pub trait KindName<'t> {
    /// The node's kind, as `kind()` names it.
    fn kind_name(&self) -> &'t str;
}

impl<'t> KindName<'t> for tree_sitter::Node<'t> {
    fn kind_name(&self) -> &'t str {
        match KIND_NAMES.get(usize::from(self.kind_id())) {
            Some(name) => name,
            None => self.kind(),
        }
    }
}

/// The children of `node` in the fields `ids`, found in one pass over its children (asking
/// `child_by_field_id` for each field walks them once per field).
pub fn children_by_field_ids<'t, const N: usize>(
    node: tree_sitter::Node<'t>,
    ids: [u16; N],
) -> [Option<tree_sitter::Node<'t>>; N] {
    let mut found = [None; N];
    let mut cursor = node.walk();
    if !cursor.goto_first_child() {
        return found;
    }
    loop {
        if let Some(id) = cursor.field_id() {
            if let Some(slot) = ids.iter().position(|&wanted| wanted == id.get()) {
                // The first child of a field wins, as with `child_by_field_id`.
                found[slot].get_or_insert(cursor.node());
            }
        }
        if !cursor.goto_next_sibling() {
            return found;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{KindName, FIELDS};

    #[test]
    fn kind_names_are_the_kinds_of_the_nodes() {
        let text = "@d\nasync def f(a: int = 1, *b, **c) -> 'x':\n    return [i async for i in a if i] or {1: b'\\x00'}\nx = lambda: (yield)\nmatch y:\n    case [1, *r]: pass\nprint(f\"{x!r}\" \\\n  'z')\nclass C(B, metaclass=M): ...\ndef (\n";
        let tree = crate::analysis::python::test_tree(text);
        let mut cursor = tree.walk();
        let mut seen = 0;
        'walk: loop {
            let node = cursor.node();
            assert_eq!(node.kind_name(), node.kind());
            seen += 1;
            if cursor.goto_first_child() || cursor.goto_next_sibling() {
                continue;
            }
            while cursor.goto_parent() {
                if cursor.goto_next_sibling() {
                    continue 'walk;
                }
            }
            break;
        }
        assert!(seen > 100);
    }

    #[test]
    fn every_field_exists_in_the_grammar() {
        for id in [
            FIELDS.alias,
            FIELDS.argument,
            FIELDS.arguments,
            FIELDS.attribute,
            FIELDS.body,
            FIELDS.condition,
            FIELDS.consequence,
            FIELDS.definition,
            FIELDS.function,
            FIELDS.key,
            FIELDS.left,
            FIELDS.module_name,
            FIELDS.name,
            FIELDS.object,
            FIELDS.operator,
            FIELDS.parameters,
            FIELDS.return_type,
            FIELDS.right,
            FIELDS.subscript,
            FIELDS.superclasses,
            FIELDS.type_,
            FIELDS.value,
        ] {
            assert_ne!(id, 0);
        }
    }

    #[test]
    fn ids_find_the_same_children_as_names() {
        let tree = crate::analysis::python::test_tree("def f(a: int) -> str:\n    return a\n");
        let def = tree.root_node().named_child(0).unwrap();
        for (name, id) in [
            ("name", FIELDS.name),
            ("parameters", FIELDS.parameters),
            ("return_type", FIELDS.return_type),
            ("body", FIELDS.body),
        ] {
            assert_eq!(
                def.child_by_field_id(id),
                def.child_by_field_name(name),
                "{name}"
            );
            assert!(def.child_by_field_id(id).is_some(), "{name}");
        }
        let [name, parameters, return_type, body, missing] = super::children_by_field_ids(
            def,
            [
                FIELDS.name,
                FIELDS.parameters,
                FIELDS.return_type,
                FIELDS.body,
                FIELDS.alias,
            ],
        );
        assert_eq!(name, def.child_by_field_id(FIELDS.name));
        assert_eq!(parameters, def.child_by_field_id(FIELDS.parameters));
        assert_eq!(return_type, def.child_by_field_id(FIELDS.return_type));
        assert_eq!(body, def.child_by_field_id(FIELDS.body));
        assert_eq!(missing, None);
    }
}
