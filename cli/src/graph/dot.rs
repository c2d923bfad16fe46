//! A tiny writer of Graphviz DOT text: a directed graph of nodes, edges and clusters, with
//! every id and attribute value quoted and escaped, so that no name from a user's source can
//! break the syntax.
//!
//! It writes statements in the order they are called, which makes the output as deterministic
//! as its caller. It does not lay anything out, check that edges name declared nodes, or parse
//! DOT.

/// DOT text being written.
pub struct Dot {
    out: String,
    depth: usize,
}

/// An attribute list: `(name, value)` pairs; values are escaped when written.
pub type Attrs<'a> = &'a [(&'a str, &'a str)];

impl Dot {
    /// Starts `digraph "name" {`.
    pub fn digraph(name: &str) -> Dot {
        Dot {
            out: format!("digraph {} {{\n", quote(name)),
            depth: 1,
        }
    }

    /// `graph [...]`, `node [...]` or `edge [...]`: defaults for what follows.
    pub fn defaults(&mut self, kind: &str, attrs: Attrs) {
        let line = format!("{kind}{}", attr_list(attrs));
        self.line(&line);
    }

    /// `name="value"` for the enclosing graph or cluster.
    pub fn set(&mut self, name: &str, value: &str) {
        let line = format!("{name}={}", quote(value));
        self.line(&line);
    }

    /// A node whose label is HTML-like markup (built with [`html`] for any text in it).
    pub fn html_node(&mut self, id: &str, markup: &str, attrs: Attrs) {
        let mut list = attr_list(attrs);
        if list.is_empty() {
            list = format!(" [label=<{markup}>]");
        } else {
            list.insert_str(2, &format!("label=<{markup}>, "));
        }
        let line = format!("{}{list}", quote(id));
        self.line(&line);
    }

    pub fn node(&mut self, id: &str, attrs: Attrs) {
        let line = format!("{}{}", quote(id), attr_list(attrs));
        self.line(&line);
    }

    pub fn edge(&mut self, from: &Port, to: &Port, attrs: Attrs) {
        let line = format!("{} -> {}{}", from.text(), to.text(), attr_list(attrs));
        self.line(&line);
    }

    /// Opens `subgraph "cluster_<id>" {` (Graphviz draws a box around a cluster).
    pub fn open_cluster(&mut self, id: &str, label: &str) {
        let line = format!("subgraph {} {{", quote(&format!("cluster_{id}")));
        self.line(&line);
        self.depth += 1;
        self.set("label", label);
    }

    /// Opens an unboxed `subgraph {`, e.g. for `rank=same` groups.
    pub fn open_group(&mut self) {
        self.line("subgraph {");
        self.depth += 1;
    }

    pub fn close(&mut self) {
        self.depth = self.depth.saturating_sub(1).max(1);
        self.line("}");
    }

    /// Closes the graph and returns the text.
    pub fn finish(mut self) -> String {
        self.out.push_str("}\n");
        self.out
    }

    fn line(&mut self, text: &str) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }
}

/// An edge end: a node, or a named port of a record node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port {
    pub node: String,
    pub port: Option<String>,
}

impl Port {
    pub fn node(id: impl Into<String>) -> Port {
        Port {
            node: id.into(),
            port: None,
        }
    }

    pub fn at(id: impl Into<String>, port: impl Into<String>) -> Port {
        Port {
            node: id.into(),
            port: Some(port.into()),
        }
    }

    fn text(&self) -> String {
        match &self.port {
            Some(port) => format!("{}:{}", quote(&self.node), quote(port)),
            None => quote(&self.node),
        }
    }
}

fn attr_list(attrs: Attrs) -> String {
    if attrs.is_empty() {
        return String::new();
    }
    let items: Vec<String> = attrs
        .iter()
        .map(|(name, value)| format!("{name}={}", quote(value)))
        .collect();
    format!(" [{}]", items.join(", "))
}

/// A DOT quoted string. A `"` and a backslash are escaped (so user text such as `\l` can
/// never become a Graphviz label escape); a newline becomes the label line break `\n`.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Escapes text for an HTML-like label (`label=<...>`), which Graphviz reads as XML.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("<BR/>"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_backslashes_are_escaped_and_newlines_become_escapes() {
        assert_eq!(quote(r#"say "hi"\l"#), r#""say \"hi\"\\l""#);
        assert_eq!(quote("a\nb"), r#""a\nb""#);
    }

    #[test]
    fn html_labels_escape_markup_and_break_lines() {
        assert_eq!(html("a<b & \"c\"\nd"), "a&lt;b &amp; &quot;c&quot;<BR/>d");
    }

    #[test]
    fn a_graph_lists_statements_in_call_order_with_clusters_indented() {
        let mut dot = Dot::digraph("g");
        dot.defaults("node", &[("shape", "box")]);
        dot.open_cluster("c", "part");
        dot.node("a", &[("label", "A")]);
        dot.close();
        dot.edge(&Port::node("a"), &Port::at("b", "p0"), &[]);
        assert_eq!(
            dot.finish(),
            "digraph \"g\" {\n  node [shape=\"box\"]\n  subgraph \"cluster_c\" {\n    \
             label=\"part\"\n    \"a\" [label=\"A\"]\n  }\n  \"a\" -> \"b\":\"p0\"\n}\n"
        );
    }
}
