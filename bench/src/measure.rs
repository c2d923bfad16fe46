//! Timing helpers: a rate over a time budget and percentiles of samples.

use std::time::{Duration, Instant};

/// Runs `work(i)` for i = 0, 1, ... for about `budget`, returning calls per second: the best of
/// five equal rounds, so that a round slowed by other work on a shared machine does not count.
pub fn rate(budget: Duration, mut work: impl FnMut(u64)) -> f64 {
    let round = budget / 5;
    let mut done = 0u64;
    let mut best = 0.0f64;
    for _ in 0..5 {
        let started = Instant::now();
        let first = done;
        while started.elapsed() < round {
            for _ in 0..256 {
                work(done);
                done += 1;
            }
        }
        best = best.max((done - first) as f64 / started.elapsed().as_secs_f64());
    }
    best
}

/// The `p` quantile (0..=1) of `samples` (sorted in place); zero when there are none.
pub fn percentile(samples: &mut [f64], p: f64) -> f64 {
    samples.sort_by(f64::total_cmp);
    if samples.is_empty() {
        return 0.0;
    }
    let last = samples.len() - 1;
    let index = ((last as f64) * p).round() as usize;
    samples[index.min(last)]
}

/// The time budget of one throughput figure.
pub fn budget(quick: bool) -> Duration {
    if quick {
        Duration::from_millis(60)
    } else {
        Duration::from_millis(1500)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_counts_calls_per_second() {
        let mut calls = 0u64;
        let per_second = rate(Duration::from_millis(10), |_| calls += 1);
        assert!(per_second > 0.0 && calls > 0);
    }

    #[test]
    fn the_median_of_three_is_the_middle_one() {
        assert_eq!(percentile(&mut [3.0, 1.0, 2.0], 0.5), 2.0);
        assert_eq!(percentile(&mut [3.0, 1.0, 2.0], 1.0), 3.0);
    }
}
