//! Hover on the decorators of a v2 app, their keywords, and the parameters they bind.

use super::{setting_markdown, HoverInfo};
use crate::analysis::catalog::decorator;
use crate::analysis::ide::decorators::{decorator_markdown, param_markdown};
use crate::analysis::state::AppState;
use crate::analysis::v2::syntax::{ExprKind, StmtKind};

/// Hover on a parameter of a decorated function: the binding a decorator gives it.
fn parameter_hover(state: &AppState, file: &str, offset: usize) -> Option<HoverInfo> {
    let module = state.modules().get(file)?;
    for unit in state.units() {
        let Some(v2) = unit.decorated() else { continue };
        if unit.declaration_file() != file {
            continue;
        }
        let Some(f) = v2.def_offset.and_then(|o| module.function_at(o)) else {
            continue;
        };
        let Some(p) = f.params.iter().find(|p| p.name_range.touches(offset)) else {
            continue;
        };
        let found = unit
            .bindings()
            .iter()
            .zip(&v2.origins)
            .find(|(b, _)| b.name_str() == Some(p.name.as_str()));
        let markdown = match found {
            None if p.name == "context" => super::CONTEXT_MARKDOWN.to_string(),
            None => format!(
                "**{}** is not bound by any decorator of `{}`: the worker refuses the function",
                p.name, unit.name
            ),
            Some((b, o)) => {
                let t = b.type_str().unwrap_or("?");
                let direction = b
                    .direction
                    .unwrap_or(crate::analysis::function_json::Direction::In);
                let by = v2
                    .decorators
                    .get(o.decorator)
                    .map(|d| format!(" from `{}(…)`", d.display()))
                    .unwrap_or_default();
                let mut md = format!(
                    "**{}** — `{t}` binding, direction `{}`{by} (function '{}')",
                    p.name,
                    direction.as_str(),
                    unit.name
                );
                super::push_binding_details(&mut md, b, t, direction);
                md
            }
        };
        return Some(HoverInfo {
            range: p.name_range,
            markdown,
        });
    }
    None
}

/// Hover on a decorator of a v2 app, one of its keywords, or a parameter of a decorated function;
/// `None` elsewhere.
pub(super) fn hover(state: &AppState, file: &str, offset: usize) -> Option<HoverInfo> {
    if !state.uses_decorator_model() {
        return None;
    }
    if let Some(h) = parameter_hover(state, file, offset) {
        return Some(h);
    }
    let module = state.modules().get(file)?;
    for stmt in &module.statements {
        let StmtKind::Def { decorators, .. } = &stmt.kind else {
            continue;
        };
        for d in decorators {
            if !d.range.touches(offset) {
                continue;
            }
            let ExprKind::Call(call) = &d.kind else {
                continue;
            };
            let ExprKind::Attribute {
                name, name_range, ..
            } = &call.func.kind
            else {
                continue;
            };
            let spec = decorator(name)?;
            if name_range.touches(offset) {
                return Some(HoverInfo {
                    range: *name_range,
                    markdown: decorator_markdown(spec),
                });
            }
            for a in &call.args {
                let Some((k, kr)) = &a.keyword else { continue };
                if kr.touches(offset) {
                    return Some(HoverInfo {
                        range: *kr,
                        markdown: param_markdown(spec, k),
                    });
                }
                let is_setting = k.contains("connection") || k.ends_with("_setting");
                if is_setting && a.value.range.touches(offset) {
                    let value = a.value.as_str()?;
                    return Some(HoverInfo {
                        range: a.value.range,
                        markdown: setting_markdown(state, value, k.contains("connection")),
                    });
                }
            }
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::ide::decorators::test_app::{state, SCRIPT};

    #[test]
    fn hovers_decorators_keywords_and_settings() {
        let st = state();
        let at = |s: &str| SCRIPT.find(s).unwrap() + 1;
        let h = hover(&st, "function_app.py", at("queue_output")).unwrap();
        assert!(
            h.markdown
                .starts_with("**queue_output()** — adds an output binding (`queue`)"),
            "{}",
            h.markdown
        );
        assert!(h.markdown.contains("**`queue_name`**"));
        let h = hover(&st, "function_app.py", at("auth_level")).unwrap();
        assert!(h.markdown.contains("`ANONYMOUS`"), "{}", h.markdown);
        let h = hover(&st, "function_app.py", at("connection=\"\"") + 11).unwrap();
        assert!(h.markdown.contains("app setting"), "{}", h.markdown);
        assert!(hover(&st, "function_app.py", at("def items")).is_none());
        let h = hover(&st, "function_app.py", at("req:")).unwrap();
        assert!(
            h.markdown
                .starts_with("**req** — `httpTrigger` binding, direction `in` from `app.route(…)`"),
            "{}",
            h.markdown
        );
    }
}
