//! Pattern matching: `match` expressions and the handlers of a machine.
//!
//! Patterns are first checked against the scrutinee's type (constructors resolve by that
//! type), then compiled into a decision tree over *columns* (occurrences: the scrutinee and
//! projections of the payloads bound so far): a constructor column becomes a `Match` on the
//! sum, a tuple column splits into its components, a literal column becomes a chain of
//! `Prim::Eq` tests, and bindings become `Let`s at the leaf. A path with no arm left is a
//! missing case (rendered from what the path knows, e.g. `Some(_)`); an arm no leaf reaches is
//! unreachable. This module does not decide what an arm's body is: its caller passes that in.

use super::expr::{if_bool, lit, prim};
use super::scope::{let_in, proj, var};
use super::{Checker, error_expr, error_type, is_poisoned, path_text};
use crate::ast;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::span::Span;
use crate::tir::{Expr, ExprKind};
use quiver_vm::bytecode::Lit;
use quiver_vm::prim::Prim;
use quiver_vm::types::Type;

/// The most leaves a decision tree may have before the match is rejected as too complex.
const LEAVES_MAX: usize = 4096;

/// The most leaves all the decision trees of a file may have together: an arm reached along
/// several paths is checked once per path, so nested matches could otherwise multiply.
const LEAVES_TOTAL_MAX: usize = 65_536;

/// A pattern checked against the type it matches.
#[derive(Clone, Debug, PartialEq)]
enum Pat {
    Wild,
    Bind(String),
    Ctor { tag: u32, args: Vec<Pat> },
    Tuple(Vec<Pat>),
    Int(i64),
    Str(String),
}

/// What a path of the decision tree knows about one occurrence.
#[derive(Clone, Debug)]
enum Known {
    Ctor(String, usize),
    Tuple(usize),
    Lit(String),
    /// None of these literals; the word names the kind (`integer`, `string`).
    NotLits(Vec<String>, &'static str),
}

#[derive(Clone, Debug)]
struct Row {
    pats: Vec<Pat>,
    arm: usize,
    binds: Vec<(String, Expr)>,
}

#[derive(Clone, Debug)]
struct Col {
    occ: Expr,
    path: Vec<u32>,
}

/// An arm's body, checked when a leaf of the tree reaches it (with its bindings in scope).
pub(crate) type ArmBody<'a> = dyn FnMut(&mut Checker, usize) -> Expr + 'a;

struct Walk<'a, 'b> {
    known: Vec<(Vec<u32>, Known)>,
    missing: Vec<String>,
    reached: Vec<bool>,
    leaves: usize,
    body: &'a mut ArmBody<'b>,
    span: Span,
}

/// What compiling a match found besides its tree.
#[derive(Debug, Default)]
pub(crate) struct MatchReport {
    /// Missing cases, each as a pattern (`` `Stats` ``) or a description.
    pub missing: Vec<String>,
    /// Arms that no value reaches.
    pub unreachable: Vec<usize>,
    /// Whether a pattern had an error (then the other two are not meaningful).
    pub had_error: bool,
}

/// The variants of a sum type: names and field types, in tag order.
fn variants_of(ty: &Type) -> Option<Vec<(String, Vec<Type>)>> {
    match ty {
        Type::Bool => Some(vec![("false".into(), vec![]), ("true".into(), vec![])]),
        Type::Option(inner) => Some(vec![
            ("None".into(), vec![]),
            ("Some".into(), vec![(**inner).clone()]),
        ]),
        Type::Enum(e) => Some(
            e.variants
                .iter()
                .map(|v| (v.name.clone(), v.fields.clone()))
                .collect(),
        ),
        _ => None,
    }
}

impl Checker {
    /// Compiles `match scrutinee { patterns[i] => body(i) }`. The scrutinee is bound once.
    pub(crate) fn compile_match(
        &mut self,
        scrutinee: Expr,
        patterns: &[&ast::Pattern],
        span: Span,
        body: &mut ArmBody<'_>,
    ) -> (Expr, MatchReport) {
        let ty = scrutinee.ty.clone();
        let mut report = MatchReport::default();
        let errors_before = self.diags.len();
        let lowered: Vec<Pat> = patterns
            .iter()
            .map(|p| {
                let mut names = Vec::new();
                self.lower_pattern(p, &ty, &mut names)
            })
            .collect();
        report.had_error = self.diags.len() > errors_before
            || is_poisoned(&ty)
            || patterns.iter().any(|p| has_error(p, 0));
        let mark = self.scope.mark();
        // A variable is matched where it is; anything else is evaluated once, into a level.
        let bound = !matches!(scrutinee.kind, ExprKind::Var(_));
        let occ = if bound {
            let level = self.scope.bind(None, &ty);
            var(level, &ty, scrutinee.span)
        } else {
            scrutinee.clone()
        };
        let cols = vec![Col {
            occ,
            path: Vec::new(),
        }];
        let rows: Vec<Row> = lowered
            .into_iter()
            .enumerate()
            .map(|(arm, p)| Row {
                pats: vec![p],
                arm,
                binds: Vec::new(),
            })
            .collect();
        let mut walk = Walk {
            known: Vec::new(),
            missing: Vec::new(),
            reached: vec![false; patterns.len()],
            leaves: 0,
            body,
            span,
        };
        let tree = self.compile(cols, rows, &mut walk);
        self.scope.reset(mark);
        if walk.leaves > LEAVES_MAX {
            report.had_error = true;
        }
        for m in walk.missing {
            if !report.missing.contains(&m) {
                report.missing.push(m);
            }
        }
        report.unreachable = (0..patterns.len()).filter(|i| !walk.reached[*i]).collect();
        let mut out = if bound { let_in(scrutinee, tree) } else { tree };
        out.span = span;
        (out, report)
    }

    /// Checks one pattern against `ty`; errors make it a wildcard.
    fn lower_pattern(&mut self, p: &ast::Pattern, ty: &Type, names: &mut Vec<String>) -> Pat {
        self.nested(p.span(), Pat::Wild, |ck| {
            ck.lower_pattern_inner(p, ty, names)
        })
    }

    fn lower_pattern_inner(&mut self, p: &ast::Pattern, ty: &Type, names: &mut Vec<String>) -> Pat {
        if is_poisoned(ty) {
            return Pat::Wild;
        }
        match p {
            ast::Pattern::Wildcard(_) | ast::Pattern::Error(_) => Pat::Wild,
            ast::Pattern::Bind(ident) => {
                self.reject_field_shadowing(ident);
                if names.contains(&ident.name) {
                    self.report(
                        Diagnostic::new(
                            "E0203",
                            format!("`{}` is bound twice in this pattern", ident.name),
                            ident.span,
                            "bound again here",
                        )
                        .with_help("use a different name for each binding"),
                    );
                }
                names.push(ident.name.clone());
                Pat::Bind(ident.name.clone())
            }
            ast::Pattern::Int(n, span) => self.literal_pattern(ty, &Type::Int, *span, Pat::Int(*n)),
            ast::Pattern::Str(s, span) => {
                self.literal_pattern(ty, &Type::String, *span, Pat::Str(s.clone()))
            }
            ast::Pattern::Bool(b, span) => {
                let pat = Pat::Ctor {
                    tag: u32::from(*b),
                    args: Vec::new(),
                };
                self.literal_pattern(ty, &Type::Bool, *span, pat)
            }
            ast::Pattern::Tuple(items, span) => self.lower_tuple_pattern(items, ty, *span, names),
            ast::Pattern::Ctor { path, args, span } => {
                self.lower_ctor_pattern(path, args, ty, *span, names)
            }
        }
    }

    fn literal_pattern(&mut self, ty: &Type, lit_ty: &Type, span: Span, pat: Pat) -> Pat {
        if ty == lit_ty {
            return pat;
        }
        self.pattern_mismatch(ty, &format!("a {lit_ty} literal"), span);
        Pat::Wild
    }

    fn pattern_mismatch(&mut self, ty: &Type, what: &str, span: Span) {
        self.report(
            Diagnostic::new(
                "E0309",
                format!("this pattern is {what} but the value is {ty}"),
                span,
                format!("expected a pattern for {ty}"),
            )
            .with_help(format!("write a pattern that matches {ty}")),
        );
    }

    fn lower_tuple_pattern(
        &mut self,
        items: &[ast::Pattern],
        ty: &Type,
        span: Span,
        names: &mut Vec<String>,
    ) -> Pat {
        match (ty, items.len()) {
            (Type::Unit, 0) => Pat::Wild,
            (Type::Tuple(types), n) if types.len() == n => Pat::Tuple(
                items
                    .iter()
                    .zip(types)
                    .map(|(p, t)| self.lower_pattern(p, t, names))
                    .collect(),
            ),
            _ => {
                self.pattern_mismatch(ty, &format!("a tuple of {}", items.len()), span);
                Pat::Wild
            }
        }
    }

    fn lower_ctor_pattern(
        &mut self,
        path: &ast::Path,
        args: &[ast::Pattern],
        ty: &Type,
        span: Span,
        names: &mut Vec<String>,
    ) -> Pat {
        let Some(variants) = variants_of(ty).filter(|_| *ty != Type::Bool) else {
            self.pattern_mismatch(ty, &format!("the constructor `{}`", path_text(path)), span);
            return Pat::Wild;
        };
        let Some((last, prefix)) = path.segments.split_last() else {
            return Pat::Wild;
        };
        let prefix_text: Vec<&str> = prefix.iter().map(|s| s.name.as_str()).collect();
        let prefix_text = prefix_text.join(".");
        let type_name = match ty {
            Type::Enum(e) => e.name.clone(),
            _ => "Option".to_string(),
        };
        let tag = variants.iter().position(|(n, _)| *n == last.name);
        let Some(tag) = tag.filter(|_| prefix.is_empty() || prefix_text == type_name) else {
            let names_list: Vec<&str> = variants.iter().map(|(n, _)| n.as_str()).collect();
            let help = did_you_mean(&last.name, names_list.iter().copied())
                .unwrap_or_else(|| format!("the variants of {ty} are: {}", names_list.join(", ")));
            self.report(
                Diagnostic::new(
                    "E0309",
                    format!("`{}` is not a variant of {ty}", path_text(path)),
                    path.span,
                    format!("the value is {ty}"),
                )
                .with_help(help),
            );
            return Pat::Wild;
        };
        let (name, fields) = &variants[tag];
        if args.len() != fields.len() {
            let variant = quiver_vm::types::Variant {
                name: name.clone(),
                fields: fields.clone(),
            };
            self.report(
                Diagnostic::new(
                    "E0305",
                    format!(
                        "`{name}` has {} field{}, but the pattern has {}",
                        fields.len(),
                        super::expr::plural(fields.len()),
                        args.len()
                    ),
                    span,
                    "wrong number of fields",
                )
                .with_help(format!(
                    "write it as {}, using `_` for fields you ignore",
                    super::ctor::shape(&variant)
                )),
            );
            return Pat::Wild;
        }
        let args = args
            .iter()
            .zip(fields)
            .map(|(p, t)| self.lower_pattern(p, t, names))
            .collect();
        let tag = u32::try_from(tag).expect("fewer than 2^32 variants");
        Pat::Ctor { tag, args }
    }

    /// The decision tree for these rows over these columns.
    fn compile(&mut self, cols: Vec<Col>, rows: Vec<Row>, walk: &mut Walk) -> Expr {
        let span = walk.span;
        self.nested(span, error_expr(span), |ck| {
            ck.compile_rows(cols, rows, walk)
        })
    }

    fn compile_rows(&mut self, cols: Vec<Col>, mut rows: Vec<Row>, walk: &mut Walk) -> Expr {
        for row in &mut rows {
            for (c, p) in row.pats.iter_mut().enumerate() {
                if let Pat::Bind(name) = p {
                    row.binds.push((name.clone(), cols[c].occ.clone()));
                    *p = Pat::Wild;
                }
            }
        }
        let Some(first) = rows.first() else {
            walk.missing.push(render_missing(&walk.known));
            return error_expr(walk.span);
        };
        walk.leaves += 1;
        self.leaves_total += 1;
        if self.leaves_total > LEAVES_TOTAL_MAX {
            walk.leaves = walk.leaves.max(LEAVES_MAX + 1);
        }
        if walk.leaves == LEAVES_MAX + 1 {
            self.report(
                Diagnostic::new(
                    "E0321",
                    "this match is too complex to compile",
                    walk.span,
                    "too many cases",
                )
                .with_help("split it into nested `match`es on fewer values"),
            );
        }
        if walk.leaves > LEAVES_MAX {
            return error_expr(walk.span);
        }
        let Some(c) = first.pats.iter().position(|p| *p != Pat::Wild) else {
            let row = first.clone();
            return self.leaf(row, walk);
        };
        let tuple_arity = match &first.pats[c] {
            Pat::Tuple(items) => Some(items.len()),
            _ => None,
        };
        let is_ctor = matches!(first.pats[c], Pat::Ctor { .. });
        if let Some(k) = tuple_arity {
            return self.expand_tuple(cols, rows, c, k, walk);
        }
        if is_ctor {
            return self.switch_ctor(cols, rows, c, walk);
        }
        let lits = distinct_literals(&rows, c);
        self.literal_chain(&cols, &rows, c, &lits, walk)
    }

    fn leaf(&mut self, row: Row, walk: &mut Walk) -> Expr {
        walk.reached[row.arm] = true;
        let mark = self.scope.mark();
        let mut lets = Vec::new();
        for (name, occ) in row.binds {
            self.scope.bind(Some(&name), &occ.ty);
            lets.push(occ);
        }
        let body = (walk.body)(self, row.arm);
        self.scope.reset(mark);
        lets.into_iter().rev().fold(body, |b, v| let_in(v, b))
    }

    fn expand_tuple(
        &mut self,
        cols: Vec<Col>,
        rows: Vec<Row>,
        c: usize,
        k: usize,
        walk: &mut Walk,
    ) -> Expr {
        let col = cols[c].clone();
        let types = col.occ.ty.components().unwrap_or_default();
        let subs: Vec<Col> = (0..k)
            .map(|j| Col {
                occ: proj(col.occ.clone(), j, types.get(j).unwrap_or(&error_type())),
                path: child(&col.path, j),
            })
            .collect();
        let rows = rows
            .into_iter()
            .map(|row| {
                let items = match &row.pats[c] {
                    Pat::Tuple(items) => items.clone(),
                    _ => vec![Pat::Wild; k],
                };
                splice_row(row, c, items)
            })
            .collect();
        walk.known.push((col.path.clone(), Known::Tuple(k)));
        let out = self.compile(splice(&cols, c, subs), rows, walk);
        walk.known.pop();
        out
    }

    fn switch_ctor(&mut self, cols: Vec<Col>, rows: Vec<Row>, c: usize, walk: &mut Walk) -> Expr {
        let col = cols[c].clone();
        let variants = variants_of(&col.occ.ty).unwrap_or_default();
        let mut arms = Vec::new();
        for (tag, (name, fields)) in variants.iter().enumerate() {
            let mark = self.scope.mark();
            let payload_ty = quiver_vm::types::payload_of(fields);
            let level = self.scope.bind(None, &payload_ty);
            let payload = var(level, &payload_ty, col.occ.span);
            let subs: Vec<Col> = match fields.len() {
                0 => Vec::new(),
                1 => vec![Col {
                    occ: payload,
                    path: child(&col.path, 0),
                }],
                _ => (0..fields.len())
                    .map(|j| Col {
                        occ: proj(payload.clone(), j, &fields[j]),
                        path: child(&col.path, j),
                    })
                    .collect(),
            };
            let specialised: Vec<Row> = rows
                .iter()
                .filter_map(|row| match &row.pats[c] {
                    Pat::Ctor { tag: t, args } if *t as usize == tag => {
                        Some(splice_row(row.clone(), c, args.clone()))
                    }
                    Pat::Ctor { .. } => None,
                    _ => Some(splice_row(row.clone(), c, vec![Pat::Wild; fields.len()])),
                })
                .collect();
            walk.known
                .push((col.path.clone(), Known::Ctor(name.clone(), fields.len())));
            arms.push(self.compile(splice(&cols, c, subs), specialised, walk));
            walk.known.pop();
            self.scope.reset(mark);
        }
        let ty = result_type(&arms);
        Expr::new(ExprKind::Match(Box::new(col.occ), arms), ty, walk.span)
    }

    /// `if occ == lits[i] { rows for lits[i] } else { the chain from i + 1 }`, ending with the
    /// rows that match any other value.
    fn literal_chain(
        &mut self,
        cols: &[Col],
        rows: &[Row],
        c: usize,
        lits: &[Pat],
        walk: &mut Walk,
    ) -> Expr {
        let col = &cols[c];
        let rest_cols: Vec<Col> = splice(cols, c, Vec::new());
        let Some((first, others)) = lits.split_first() else {
            let defaults = rows
                .iter()
                .filter(|r| r.pats[c] == Pat::Wild)
                .map(|r| splice_row(r.clone(), c, Vec::new()))
                .collect();
            let kind = if col.occ.ty == Type::String {
                "string"
            } else {
                "integer"
            };
            let all = rows
                .iter()
                .filter_map(|r| literal_text(&r.pats[c]))
                .collect::<Vec<_>>();
            let mut shown: Vec<String> = Vec::new();
            for l in all {
                if !shown.contains(&l) {
                    shown.push(l);
                }
            }
            walk.known
                .push((col.path.clone(), Known::NotLits(shown, kind)));
            let out = self.compile(rest_cols, defaults, walk);
            walk.known.pop();
            return out;
        };
        let span = col.occ.span;
        let constant = match first {
            Pat::Int(n) => lit(Lit::Int(*n), Type::Int, span),
            Pat::Str(s) => lit(Lit::Str(s.clone()), Type::String, span),
            _ => error_expr(span),
        };
        let cond = prim(Prim::Eq, vec![col.occ.clone(), constant], Type::Bool, span);
        let mark = self.scope.mark();
        self.scope.bind(None, &Type::Unit);
        let otherwise = self.literal_chain(cols, rows, c, others, walk);
        self.scope.reset(mark);
        self.scope.bind(None, &Type::Unit);
        let matching = rows
            .iter()
            .filter(|r| r.pats[c] == *first || r.pats[c] == Pat::Wild)
            .map(|r| splice_row(r.clone(), c, Vec::new()))
            .collect();
        walk.known.push((
            col.path.clone(),
            Known::Lit(literal_text(first).unwrap_or_default()),
        ));
        let then = self.compile(rest_cols, matching, walk);
        walk.known.pop();
        self.scope.reset(mark);
        let ty = result_type(&[otherwise.clone(), then.clone()]);
        if_bool(cond, otherwise, then, ty, walk.span)
    }
}

fn child(path: &[u32], j: usize) -> Vec<u32> {
    let mut out = path.to_vec();
    out.push(u32::try_from(j).expect("fewer than 2^32 components"));
    out
}

fn splice<T: Clone>(items: &[T], at: usize, with: Vec<T>) -> Vec<T> {
    let mut out = items[..at].to_vec();
    out.extend(with);
    out.extend_from_slice(&items[at + 1..]);
    out
}

fn splice_row(row: Row, at: usize, with: Vec<Pat>) -> Row {
    Row {
        pats: splice(&row.pats, at, with),
        ..row
    }
}

fn distinct_literals(rows: &[Row], c: usize) -> Vec<Pat> {
    let mut out: Vec<Pat> = Vec::new();
    for row in rows {
        let p = &row.pats[c];
        if matches!(p, Pat::Int(_) | Pat::Str(_)) && !out.contains(p) {
            out.push(p.clone());
        }
    }
    out
}

fn literal_text(p: &Pat) -> Option<String> {
    match p {
        Pat::Int(n) => Some(n.to_string()),
        Pat::Str(s) => Some(format!("{s:?}")),
        _ => None,
    }
}

/// The type of a node whose arms are these: the first one that checked.
fn result_type(arms: &[Expr]) -> Type {
    arms.iter()
        .map(|a| a.ty.clone())
        .find(|t| !is_poisoned(t))
        .unwrap_or_else(error_type)
}

fn render_missing(known: &[(Vec<u32>, Known)]) -> String {
    if let Some(Known::NotLits(lits, kind)) = lookup(known, &[]) {
        if lits.is_empty() {
            return format!("any {kind}");
        }
        return format!("{kind}s other than {}", lits.join(", "));
    }
    format!("`{}`", render(known, &[], 0))
}

fn lookup<'k>(known: &'k [(Vec<u32>, Known)], path: &[u32]) -> Option<&'k Known> {
    known.iter().rev().find(|(p, _)| p == path).map(|(_, k)| k)
}

fn render(known: &[(Vec<u32>, Known)], path: &[u32], depth: u32) -> String {
    if depth > super::NESTING_MAX {
        return "_".to_string();
    }
    let children = |k: usize| -> Vec<String> {
        (0..k)
            .map(|j| render(known, &child(path, j), depth + 1))
            .collect()
    };
    match lookup(known, path) {
        Some(Known::Ctor(name, 0)) => name.clone(),
        Some(Known::Ctor(name, k)) => format!("{name}({})", children(*k).join(", ")),
        Some(Known::Tuple(k)) => format!("({})", children(*k).join(", ")),
        Some(Known::Lit(text)) => text.clone(),
        Some(Known::NotLits(..)) | None => "_".to_string(),
    }
}

/// Whether a pattern contains a part the parser could not read.
fn has_error(p: &ast::Pattern, depth: u32) -> bool {
    if depth > super::NESTING_MAX {
        return false;
    }
    match p {
        ast::Pattern::Error(_) => true,
        ast::Pattern::Ctor { args, .. } | ast::Pattern::Tuple(args, _) => {
            args.iter().any(|a| has_error(a, depth + 1))
        }
        _ => false,
    }
}
