//! The directives an example states in its header comments, which tests hold it to:
//!
//! ```text
//! // machine: Pipeline                 the machine to run (default: the last one declared)
//! // run: Incr(5) => Ok                an input and the line `quiver run` must print for it
//! // run: Incr(-9) => error: invariant a prefix is enough for an error line
//! // state: { count: 0 }               the final state
//! // expect: E0201                     (examples/errors) a code or text the diagnostics contain
//! ```

/// The directives of one example.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Script {
    pub machine: Option<String>,
    /// Inputs with the output line each must give.
    pub runs: Vec<(String, String)>,
    pub state: Option<String>,
    pub expect: Vec<String>,
}

impl Script {
    /// Reads the directives from the `//` comments of a source file.
    pub fn read(src: &str) -> Script {
        let mut script = Script::default();
        for line in src.lines() {
            let Some(comment) = line.trim().strip_prefix("//") else {
                continue;
            };
            let comment = comment.trim();
            if let Some(rest) = comment.strip_prefix("machine:") {
                script.machine = Some(rest.trim().to_string());
            } else if let Some(rest) = comment.strip_prefix("run:") {
                if let Some((input, output)) = rest.split_once("=>") {
                    script
                        .runs
                        .push((input.trim().to_string(), output.trim().to_string()));
                }
            } else if let Some(rest) = comment.strip_prefix("state:") {
                script.state = Some(rest.trim().to_string());
            } else if let Some(rest) = comment.strip_prefix("expect:") {
                script.expect.push(rest.trim().to_string());
            }
        }
        script
    }

    /// Whether an output line answers an expectation: exactly, or, for an expected
    /// `error: ...`, as a prefix (the actual line goes on with where the trap happened).
    pub fn answers(expected: &str, actual: &str) -> bool {
        if expected.starts_with("error:") {
            actual.starts_with(expected)
        } else {
            actual == expected
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_are_read_from_comments() {
        let script = Script::read(
            "// machine: P\n// run: Incr(5) => Ok\n//run:Get=>Value(5)\n// state: { n: 5 }\nmachine P {}\n// expect: E0101\n",
        );
        assert_eq!(script.machine.as_deref(), Some("P"));
        assert_eq!(
            script.runs,
            vec![
                ("Incr(5)".to_string(), "Ok".to_string()),
                ("Get".to_string(), "Value(5)".to_string())
            ]
        );
        assert_eq!(script.state.as_deref(), Some("{ n: 5 }"));
        assert_eq!(script.expect, vec!["E0101".to_string()]);
    }

    #[test]
    fn error_expectations_match_by_prefix_and_outputs_exactly() {
        assert!(Script::answers(
            "error: integer overflow",
            "error: integer overflow at a.sm:1:2"
        ));
        assert!(!Script::answers("Value(2)", "Value(23)"));
        assert!(Script::answers("Value(2)", "Value(2)"));
    }
}
