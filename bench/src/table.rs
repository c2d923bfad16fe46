//! The results table: one [`Figure`] per row (figure, ours, baseline, ratio, target, pass),
//! rendered as Markdown. It measures nothing.

use std::fmt::Write as _;

/// What a figure is compared against.
#[derive(Clone, Debug)]
pub enum Baseline {
    /// Measured in the same run.
    Measured(f64),
    /// Could not be measured here; the reason is shown instead.
    Unavailable(String),
    /// The figure has no baseline (its target is absolute).
    None,
}

/// Whether bigger or smaller is better for a figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
}

/// The target a figure is judged against.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    /// `advantage >= x`, where the advantage is ours over the baseline in the better direction
    /// (0.2 means "within 5x", 2 means "twice as good").
    AdvantageAtLeast(f64),
    /// Ours at least this much (throughputs).
    AtLeast(f64),
    /// Ours at most this much (latencies).
    AtMost(f64),
    /// Reported for information only.
    Informational,
}

/// One row of the table.
#[derive(Clone, Debug)]
pub struct Figure {
    pub name: String,
    pub ours: f64,
    pub unit: &'static str,
    pub better: Better,
    pub baseline: Baseline,
    pub target: Target,
}

impl Figure {
    /// Ours over the baseline in the better direction: above 1 means ours is better.
    pub fn advantage(&self) -> Option<f64> {
        let Baseline::Measured(base) = self.baseline else {
            return None;
        };
        let ratio = match self.better {
            Better::Higher => self.ours / base,
            Better::Lower => base / self.ours,
        };
        ratio.is_finite().then_some(ratio)
    }

    /// `Some(pass)` when the target can be judged.
    pub fn passes(&self) -> Option<bool> {
        match self.target {
            Target::AdvantageAtLeast(x) => self.advantage().map(|a| a >= x),
            Target::AtLeast(x) => Some(self.ours >= x),
            Target::AtMost(x) => Some(self.ours <= x),
            Target::Informational => None,
        }
    }
}

/// Every figure of a run, in order.
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub rows: Vec<Figure>,
}

impl Table {
    pub fn extend(&mut self, figures: Vec<Figure>) {
        self.rows.extend(figures);
    }

    /// The table as Markdown, one line per figure.
    pub fn markdown(&self) -> String {
        let mut out = String::from(
            "| figure | ours | baseline | ours vs baseline | target | result |\n\
             |---|---:|---:|---:|---|---|\n",
        );
        for row in &self.rows {
            let baseline = match &row.baseline {
                Baseline::Measured(v) => amount(*v, row.unit),
                Baseline::Unavailable(why) => format!("unavailable ({why})"),
                Baseline::None => "—".to_string(),
            };
            let ratio = row.advantage().map_or_else(|| "—".to_string(), ratio_text);
            let result = match row.passes() {
                Some(true) => "pass",
                Some(false) => "FAIL",
                None => "—",
            };
            let _ = writeln!(
                out,
                "| {} | {} | {baseline} | {ratio} | {} | {result} |",
                row.name,
                amount(row.ours, row.unit),
                target_text(row),
            );
        }
        out
    }
}

/// An advantage as text: `2.50x` when ours is better, `1/12.3` when the baseline is.
fn ratio_text(advantage: f64) -> String {
    if advantage >= 1.0 {
        format!("{advantage:.2}x")
    } else {
        format!("1/{:.1}", 1.0 / advantage)
    }
}

fn target_text(row: &Figure) -> String {
    match row.target {
        Target::AdvantageAtLeast(x) if x < 1.0 => format!("within {:.0}x", 1.0 / x),
        Target::AdvantageAtLeast(x) => format!("at least {x:.0}x better"),
        Target::AtLeast(x) => format!(">= {}", amount(x, row.unit)),
        Target::AtMost(x) => format!("<= {}", amount(x, row.unit)),
        Target::Informational => "—".to_string(),
    }
}

/// A number with its unit, scaled to stay readable (`1.3 M/s`, `42 µs`).
pub fn amount(value: f64, unit: &str) -> String {
    let (scaled, prefix) = if value >= 1e9 {
        (value / 1e9, "G")
    } else if value >= 1e6 {
        (value / 1e6, "M")
    } else if value >= 1e3 && unit.ends_with("/s") {
        (value / 1e3, "k")
    } else {
        (value, "")
    };
    let digits = if scaled >= 100.0 {
        0
    } else if scaled >= 10.0 {
        1
    } else {
        2
    };
    format!("{scaled:.digits$} {prefix}{unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(ours: f64, better: Better, base: f64, target: Target) -> Figure {
        Figure {
            name: "x".into(),
            ours,
            unit: "turns/s",
            better,
            baseline: Baseline::Measured(base),
            target,
        }
    }

    #[test]
    fn a_vm_four_times_slower_than_native_is_within_five_x() {
        let row = figure(25.0, Better::Higher, 100.0, Target::AdvantageAtLeast(0.2));
        assert_eq!(row.advantage(), Some(0.25));
        assert_eq!(row.passes(), Some(true));
    }

    #[test]
    fn a_shorter_pause_is_an_advantage() {
        let row = figure(10.0, Better::Lower, 100.0, Target::AdvantageAtLeast(5.0));
        assert_eq!(row.advantage(), Some(10.0));
        assert_eq!(row.passes(), Some(true));
    }

    #[test]
    fn an_unavailable_baseline_judges_nothing() {
        let mut row = figure(10.0, Better::Higher, 1.0, Target::AdvantageAtLeast(2.0));
        row.baseline = Baseline::Unavailable("no erl".into());
        assert_eq!(row.passes(), None);
        assert!(
            Table { rows: vec![row] }
                .markdown()
                .contains("unavailable (no erl)")
        );
    }

    #[test]
    fn amounts_scale_to_readable_units() {
        assert_eq!(amount(1_300_000.0, "turns/s"), "1.30 Mturns/s");
        assert_eq!(amount(42.0, "µs"), "42.0 µs");
    }
}
