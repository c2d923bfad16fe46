//! Parsing the text form of a value, directed by its expected type.
//!
//! A hand-written recursive descent: each type says what may come next, so errors can say
//! what was expected (`expected Int, found "x"`) and suggest names. Nesting is bounded by
//! [`DEPTH_MAX`] so no input can overflow the stack. Whitespace is skipped between tokens.
//!
//! This module only parses; printing lives in `print.rs`.

use super::TextError;
use crate::types::{EnumType, Type, Variant};
use crate::value::Value;
use std::sync::Arc;

/// The deepest nesting of values accepted.
pub const DEPTH_MAX: usize = 256;

/// The value of type `ty` written in `text`, or where and why it is not one.
pub fn parse(text: &str, ty: &Type) -> Result<Value, TextError> {
    let mut parser = Parser {
        text,
        pos: 0,
        depth: 0,
    };
    let value = parser.value(ty)?;
    parser.skip_ws();
    if parser.pos < text.len() {
        return Err(parser.expected("end of input"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn value(&mut self, ty: &Type) -> Result<Value, TextError> {
        self.skip_ws();
        if self.depth >= DEPTH_MAX {
            return Err(self.error(format!("value nests deeper than {DEPTH_MAX} levels")));
        }
        self.depth += 1;
        let value = self.value_of(ty);
        self.depth -= 1;
        value
    }

    fn value_of(&mut self, ty: &Type) -> Result<Value, TextError> {
        match ty {
            Type::Unit => {
                self.expect('(', ty)?;
                self.expect(')', ty)?;
                Ok(Value::Unit)
            }
            Type::Bool => match self.peek_ident() {
                Some("true") => self.take_ident(Value::Bool(true)),
                Some("false") => self.take_ident(Value::Bool(false)),
                _ => Err(self.expected("Bool")),
            },
            Type::Int => self.int(),
            Type::String => self.string().map(|s| Value::str(&s)),
            Type::Tuple(types) => self.tuple(ty, types),
            Type::Record(_) => self.record(ty),
            Type::Enum(e) => self.enum_value(ty, e),
            Type::Option(inner) => self.option(ty, inner),
            Type::List(inner) => {
                self.expect('[', ty)?;
                let mut items = imbl::Vector::new();
                self.sequence(']', |p| {
                    items.push_back(p.value(inner)?);
                    Ok(())
                })?;
                Ok(Value::List(Arc::new(items)))
            }
            Type::Map(key_ty, value_ty) => self.map(ty, key_ty, value_ty),
            Type::Sum(cases) => self.sum(ty, cases),
        }
    }

    fn int(&mut self) -> Result<Value, TextError> {
        let start = self.pos;
        let negative = self.rest().starts_with('-');
        let digits_start = start + usize::from(negative);
        let digits = self.text[digits_start..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        if digits == 0 {
            return Err(self.expected("Int"));
        }
        self.pos = digits_start + digits;
        let literal = &self.text[start..self.pos];
        literal.parse::<i64>().map(Value::Int).map_err(|_| TextError {
            message: format!(
                "integer {literal} does not fit in Int (-9223372036854775808 to 9223372036854775807)"
            ),
            offset: start,
        })
    }

    fn string(&mut self) -> Result<String, TextError> {
        let start = self.pos;
        if !self.eat('"') {
            return Err(self.expected("String"));
        }
        let mut out = String::new();
        loop {
            let Some(c) = self.next_char() else {
                return Err(TextError {
                    message: "unterminated string; add a closing `\"`".into(),
                    offset: start,
                });
            };
            match c {
                '"' => return Ok(out),
                '\\' => out.push(self.escape()?),
                c => out.push(c),
            }
        }
    }

    /// The character of an escape whose backslash was just read.
    fn escape(&mut self) -> Result<char, TextError> {
        let start = self.pos - 1;
        let bad = |what: String| TextError {
            message: what,
            offset: start,
        };
        match self.next_char() {
            Some('"') => Ok('"'),
            Some('\\') => Ok('\\'),
            Some('n') => Ok('\n'),
            Some('t') => Ok('\t'),
            Some('r') => Ok('\r'),
            Some('0') => Ok('\0'),
            Some('u') => {
                let rest = self.rest();
                let close = rest.find('}').filter(|_| rest.starts_with('{'));
                let Some(close) = close else {
                    return Err(bad("a unicode escape is written `\\u{1F600}`".into()));
                };
                let hex = rest[1..close].to_string();
                let scalar = (1..=6)
                    .contains(&hex.len())
                    .then(|| u32::from_str_radix(&hex, 16).ok())
                    .flatten()
                    .and_then(char::from_u32);
                self.pos += close + 1;
                scalar.ok_or_else(|| bad(format!("`\\u{{{hex}}}` is not a unicode scalar value")))
            }
            Some(other) => Err(bad(format!(
                "unknown escape `\\{other}` in string; use \\\" \\\\ \\n \\t \\r \\0 or \\u{{...}}"
            ))),
            None => Err(bad("unterminated string; add a closing `\"`".into())),
        }
    }

    fn tuple(&mut self, ty: &Type, types: &[Type]) -> Result<Value, TextError> {
        self.expect('(', ty)?;
        let mut items = Vec::with_capacity(types.len());
        self.sequence(')', |p| match types.get(items.len()) {
            Some(item_ty) => {
                items.push(p.value(item_ty)?);
                Ok(())
            }
            None => Err(p.error(format!("too many components for {ty}"))),
        })?;
        if items.len() < types.len() {
            return Err(self.error_at(
                self.pos - 1,
                format!("{ty} has {} components, found {}", types.len(), items.len()),
            ));
        }
        Ok(Value::tuple(items))
    }

    fn record(&mut self, ty: &Type) -> Result<Value, TextError> {
        let Type::Record(fields) = ty else {
            return Err(self.expected(&ty.to_string()));
        };
        self.expect('{', ty)?;
        let mut slots: Vec<Option<Value>> = vec![None; fields.len()];
        self.sequence('}', |p| {
            let Some(name) = p.peek_ident() else {
                return Err(p.expected(&format!("a field name of {ty}")));
            };
            let Some((index, field_ty)) = ty.field(name) else {
                let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
                return Err(p.error(unknown("field", name, &ty.to_string(), &names)));
            };
            if slots[index].is_some() {
                return Err(p.error(format!("field `{name}` is given twice")));
            }
            p.pos += name.len();
            p.skip_ws();
            p.expect(':', ty)?;
            slots[index] = Some(p.value(field_ty)?);
            Ok(())
        })?;
        let close = self.pos - 1;
        let mut items = Vec::with_capacity(fields.len());
        for (slot, field) in slots.into_iter().zip(fields) {
            match slot {
                Some(value) => items.push(value),
                None => {
                    let message = format!("missing field `{}` of {ty}", field.name);
                    return Err(self.error_at(close, message));
                }
            }
        }
        Ok(Value::tuple(items))
    }

    fn enum_value(&mut self, ty: &Type, e: &EnumType) -> Result<Value, TextError> {
        let start = self.pos;
        let Some(path) = self.peek_path() else {
            return Err(self.expected(&format!("a variant of {ty}")));
        };
        let (qualifier, name) = match path.rsplit_once('.') {
            Some((q, n)) => (Some(q), n),
            None => (None, path),
        };
        if qualifier.is_some_and(|q| q != e.name) {
            return Err(self.error(format!(
                "`{path}` is not a variant of {}; write `{name}` or `{}.{name}`",
                e.name, e.name
            )));
        }
        let names: Vec<&str> = e.variants.iter().map(|v| v.name.as_str()).collect();
        let Some(tag) = e.tag_of(name) else {
            return Err(self.error(unknown("variant", name, &e.name, &names)));
        };
        self.pos = start + path.len();
        let variant = &e.variants[usize::try_from(tag).expect("tag_of gives an index")];
        let payload = self.arguments(variant)?;
        Ok(Value::variant(tag, payload))
    }

    /// The payload of a constructor: nothing, `(x)`, or `(x, y, ...)` as a tuple.
    fn arguments(&mut self, variant: &Variant) -> Result<Value, TextError> {
        let name = &variant.name;
        let count = variant.fields.len();
        self.skip_ws();
        if count == 0 {
            if self.rest().starts_with('(') {
                return Err(self.error(format!("`{name}` takes no arguments")));
            }
            return Ok(Value::Unit);
        }
        if !self.eat('(') {
            let s = if count == 1 { "" } else { "s" };
            return Err(self.expected(&format!(
                "`(` after `{name}`, which takes {count} argument{s}"
            )));
        }
        let mut items = Vec::with_capacity(count);
        self.sequence(')', |p| match variant.fields.get(items.len()) {
            Some(field_ty) => {
                items.push(p.value(field_ty)?);
                Ok(())
            }
            None => Err(p.error(arity_message(name, count, count + 1))),
        })?;
        if items.len() < count {
            return Err(self.error_at(self.pos - 1, arity_message(name, count, items.len())));
        }
        Ok(match items.len() {
            1 => items.remove(0),
            _ => Value::tuple(items),
        })
    }

    fn option(&mut self, ty: &Type, inner: &Type) -> Result<Value, TextError> {
        match self.peek_ident() {
            Some("None") => self.take_ident(Value::variant(0, Value::Unit)),
            Some("Some") => {
                self.pos += "Some".len();
                self.skip_ws();
                if !self.eat('(') {
                    return Err(self.expected("`(` after `Some`"));
                }
                let payload = self.value(inner)?;
                self.skip_ws();
                self.expect(')', ty)?;
                Ok(Value::variant(1, payload))
            }
            _ => Err(self.expected(&format!("Some(...) or None for {ty}"))),
        }
    }

    fn map(&mut self, ty: &Type, key_ty: &Type, value_ty: &Type) -> Result<Value, TextError> {
        self.expect('{', ty)?;
        let mut entries = imbl::OrdMap::new();
        self.sequence('}', |p| {
            let start = p.pos;
            let key = p.value(key_ty)?;
            p.skip_ws();
            p.expect(':', ty)?;
            let value = p.value(value_ty)?;
            if entries.contains_key(&key) {
                let key = super::print(&key, key_ty);
                return Err(p.error_at(start, format!("duplicate key {key} in map")));
            }
            entries.insert(key, value);
            Ok(())
        })?;
        Ok(Value::Map(Arc::new(entries)))
    }

    fn sum(&mut self, ty: &Type, cases: &[Type]) -> Result<Value, TextError> {
        let start = self.pos;
        if !self.eat('#') {
            return Err(self.expected(&format!("`#tag(payload)` for {ty}")));
        }
        let digits = self.rest().bytes().take_while(u8::is_ascii_digit).count();
        let tag_text = &self.text[self.pos..self.pos + digits];
        let case = tag_text
            .parse::<u32>()
            .ok()
            .and_then(|tag| Some((tag, cases.get(usize::try_from(tag).ok()?)?)));
        let Some((tag, case_ty)) = case else {
            let message = format!("expected a case number below {} for {ty}", cases.len());
            return Err(self.error_at(start, message));
        };
        self.pos += digits;
        self.skip_ws();
        if !self.eat('(') {
            if *case_ty == Type::Unit {
                return Ok(Value::variant(tag, Value::Unit));
            }
            return Err(self.expected("`(`"));
        }
        let payload = self.value(case_ty)?;
        self.skip_ws();
        self.expect(')', ty)?;
        Ok(Value::variant(tag, payload))
    }

    /// `item (, item)* ,? close`, or just `close`; the opening bracket was read already.
    fn sequence(
        &mut self,
        close: char,
        mut item: impl FnMut(&mut Self) -> Result<(), TextError>,
    ) -> Result<(), TextError> {
        loop {
            self.skip_ws();
            if self.eat(close) {
                return Ok(());
            }
            item(self)?;
            self.skip_ws();
            if self.eat(close) {
                return Ok(());
            }
            if !self.eat(',') {
                return Err(self.expected(&format!("`,` or `{close}`")));
            }
        }
    }

    fn expect(&mut self, c: char, ty: &Type) -> Result<(), TextError> {
        if self.eat(c) {
            Ok(())
        } else if matches!(c, '(' | '[' | '{') {
            // An opening bracket starts the value: say which type was expected.
            Err(self.expected(&ty.to_string()))
        } else {
            Err(self.expected(&format!("`{c}`")))
        }
    }

    fn eat(&mut self, c: char) -> bool {
        if self.rest().starts_with(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn next_char(&mut self) -> Option<char> {
        let c = self.rest().chars().next()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn rest(&self) -> &str {
        &self.text[self.pos..]
    }

    fn skip_ws(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    /// The identifier at the cursor, not consumed.
    fn peek_ident(&self) -> Option<&str> {
        let rest = self.rest();
        let first = rest.chars().next()?;
        if !(first.is_ascii_alphabetic() || first == '_') {
            return None;
        }
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        Some(&rest[..len])
    }

    /// A dotted name (`Counter.Input.Incr`) at the cursor, not consumed.
    fn peek_path(&self) -> Option<&str> {
        let rest = self.rest();
        let mut len = self.peek_ident()?.len();
        while rest[len..].starts_with('.') {
            let after = &rest[len + 1..];
            let segment = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            let starts_ok = after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
            if segment == 0 || !starts_ok {
                break;
            }
            len += 1 + segment;
        }
        Some(&rest[..len])
    }

    fn take_ident(&mut self, value: Value) -> Result<Value, TextError> {
        self.pos += self.peek_ident().map_or(0, str::len);
        Ok(value)
    }

    fn expected(&self, what: &str) -> TextError {
        self.error(format!("expected {what}, found {}", self.found()))
    }

    fn error(&self, message: String) -> TextError {
        self.error_at(self.pos, message)
    }

    fn error_at(&self, offset: usize, message: String) -> TextError {
        TextError { message, offset }
    }

    /// What is at the cursor, for messages: a literal as written, a name or a character.
    fn found(&self) -> String {
        let rest = self.rest();
        let Some(first) = rest.chars().next() else {
            return "end of input".into();
        };
        let number_len = rest
            .char_indices()
            .take_while(|&(i, c)| c.is_ascii_digit() || (i == 0 && c == '-'))
            .count();
        if first == '"' {
            string_literal_text(rest)
        } else if number_len > usize::from(first == '-') {
            rest[..number_len].to_string()
        } else if let Some(path) = self.peek_path() {
            format!("`{path}`")
        } else {
            format!("`{first}`")
        }
    }
}

/// A string literal as written (up to its closing quote), shortened when long.
fn string_literal_text(rest: &str) -> String {
    let mut end = rest.len();
    let mut escaped = false;
    for (i, c) in rest.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => {
                end = i + 1;
                break;
            }
            _ => {}
        }
    }
    let literal = &rest[..end];
    if literal.chars().count() > 24 {
        let short: String = literal.chars().take(20).collect();
        format!("{short}...")
    } else {
        literal.to_string()
    }
}

fn arity_message(name: &str, count: usize, found: usize) -> String {
    let s = if count == 1 { "" } else { "s" };
    if found > count {
        format!("`{name}` takes {count} argument{s}, found more")
    } else {
        format!("`{name}` takes {count} argument{s}, found {found}")
    }
}

/// `unknown variant `Incrr` of Counter.Input; expected one of Incr, Decr` with a suggestion
/// when a known name is close.
fn unknown(kind: &str, name: &str, owner: &str, known: &[&str]) -> String {
    let mut message = format!("unknown {kind} `{name}` of {owner}");
    if known.is_empty() {
        message.push_str(&format!("; {owner} has none"));
        return message;
    }
    message.push_str(&format!("; expected one of {}", known.join(", ")));
    let close = known
        .iter()
        .map(|k| (edit_distance(name, k), *k))
        .filter(|(d, k)| *d <= (k.chars().count() / 3).max(1))
        .min();
    if let Some((_, suggestion)) = close {
        message.push_str(&format!("; did you mean `{suggestion}`?"));
    }
    message
}

/// The Levenshtein distance between two names, for suggestions.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != *cb);
            current.push(substitute.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}
