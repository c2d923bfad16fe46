//! The checker's test helper: source text in, the printed typed IR or the rendered
//! diagnostics out, for snapshotting with `check!`.

// Each test file includes this module and uses a different part of it.
#![allow(dead_code)]

use quiver_lang::{check, parser};

/// Parses (which must succeed cleanly) and checks `src`; returns the printed program when it
/// checks, else every diagnostic rendered as the cli would, without colour, 80 columns wide.
pub fn render(src: &str) -> String {
    let (file, parse_errors) = parser::parse(src);
    assert_eq!(
        parse_errors,
        Vec::new(),
        "the test source should parse cleanly"
    );
    let file = file.expect("a clean parse yields a file");
    let (program, diagnostics) = check::check(&file);
    match program {
        Some(program) => {
            assert!(
                diagnostics.is_empty(),
                "a program comes without diagnostics"
            );
            check::print::print_program(&program)
        }
        None => {
            assert!(
                !diagnostics.is_empty(),
                "no program means at least one diagnostic"
            );
            render_diagnostics(src, diagnostics)
        }
    }
}

fn render_diagnostics(src: &str, diagnostics: Vec<quiver_lang::diagnostic::Diagnostic>) -> String {
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(80);
    let mut out = String::new();
    for d in diagnostics {
        let report = miette::Report::new(d)
            .with_source_code(miette::NamedSource::new("test.sm", src.to_string()));
        handler
            .render_report(&mut out, report.as_ref())
            .expect("rendering into a String cannot fail");
        out.push('\n');
    }
    out
}

/// The error codes reported for `src` (empty when it checks).
pub fn codes(src: &str) -> Vec<&'static str> {
    let (file, parse_errors) = parser::parse(src);
    assert_eq!(
        parse_errors,
        Vec::new(),
        "the test source should parse cleanly"
    );
    let file = file.expect("a clean parse yields a file");
    check::check(&file).1.iter().map(|d| d.code).collect()
}

/// `check!(src)`: snapshots `render(src)` under the calling test's name, with the source.
#[macro_export]
macro_rules! check {
    ($src:expr) => {{
        let src: &str = $src;
        let rendered = $crate::check_support::render(src);
        insta::assert_snapshot!(format!("{}\n---\n{}", src.trim(), rendered));
    }};
}
