//! Where one entry ends: an entry goes on over several lines while a `{`, `(` or `[` is left
//! open (outside strings and `//` comments). Used by the terminal's validator, by the plain
//! reader of piped input and by `:replay`.
//!
//! This module only counts brackets; a closing bracket too many ends the entry, and the
//! parser reports it.

/// Whether `text` leaves a bracket open, so the entry continues on the next line.
pub fn incomplete(text: &str) -> bool {
    let mut depth: i64 = 0;
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '/' if chars.peek() == Some(&'/') => {
                for rest in chars.by_ref() {
                    if rest == '\n' {
                        break;
                    }
                }
            }
            '{' | '(' | '[' => depth += 1,
            '}' | ')' | ']' => depth -= 1,
            _ => {}
        }
    }
    depth > 0 && !text.trim_start().starts_with(':')
}

/// The entries of a text read line by line: lines joined while a bracket is open; blank
/// lines between entries are dropped.
pub fn entries(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending = String::new();
    for line in text.lines() {
        if pending.is_empty() && line.trim().is_empty() {
            continue;
        }
        if !pending.is_empty() {
            pending.push('\n');
        }
        pending += line;
        if !incomplete(&pending) {
            out.push(std::mem::take(&mut pending));
        }
    }
    if !pending.is_empty() {
        out.push(pending);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open_brace_continues_the_entry_until_it_closes() {
        assert!(incomplete("fn f(x: Int) -> Int {"));
        assert!(!incomplete("fn f(x: Int) -> Int { x }"));
        assert!(!incomplete("\"{\" ++ \"(\""));
        assert!(!incomplete("1 // {"));
        assert_eq!(
            entries("fn f() -> Int {\n  1\n}\n\nf()\n"),
            vec!["fn f() -> Int {\n  1\n}".to_string(), "f()".to_string()]
        );
    }
}
