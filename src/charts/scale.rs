//! Mapping values to pixels: linear and logarithmic scales and their tick values.

/// A linear or logarithmic mapping from values to pixels.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub lo: f64,
    pub hi: f64,
    pub log: bool,
    pub p0: f64,
    pub p1: f64,
}

impl Scale {
    pub fn map(&self, v: f64) -> f64 {
        let t = if self.log {
            (v.max(self.lo).ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln())
        } else {
            // Halved so that spans up to the largest finite numbers do not overflow.
            (v / 2.0 - self.lo / 2.0) / (self.hi / 2.0 - self.lo / 2.0)
        };
        self.p0 + t * (self.p1 - self.p0)
    }

    /// Tick values: nice numbers for linear scales, 1-2-5 steps for log scales.
    pub fn ticks(&self, max_ticks: usize) -> Vec<f64> {
        if self.log {
            let mut all = Vec::new();
            let mut e = self.lo.log10().floor() as i32;
            while 10f64.powi(e) <= self.hi * 1.0001 {
                for m in [1.0, 2.0, 5.0] {
                    let v = m * 10f64.powi(e);
                    if v >= self.lo * 0.9999 && v <= self.hi * 1.0001 {
                        all.push(v);
                    }
                }
                e += 1;
            }
            if all.len() > max_ticks {
                // Too many: keep the powers of ten, and the 5s when there is room for them.
                let keep_fives = max_ticks >= 6;
                all.retain(|v| {
                    let m = v / 10f64.powf(v.log10().floor());
                    (m - 1.0).abs() < 1e-9 || (keep_fives && (m - 5.0).abs() < 1e-9)
                });
            }
            all
        } else {
            let step = nice_step((self.hi / 2.0 - self.lo / 2.0) / max_ticks.max(1) as f64 * 2.0);
            // Multiples of the step (never accumulated, so 0 is exactly 0 and 0.3 is 0.3).
            let first = (self.lo / step - 1e-9).ceil();
            (0..=max_ticks.max(1) * 3)
                .map(|i| (first + i as f64) * step)
                .take_while(|v| *v <= self.hi + step * 1e-9)
                .map(|v| if v.abs() < step * 1e-9 { 0.0 } else { v })
                .collect()
        }
    }
}

/// A log axis from the decade below the smallest positive value to the decade above the
/// largest (one decade when there is nothing positive to show).
pub fn log_domain(vs: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let (mn, mx) = vs
        .into_iter()
        .filter(|v| *v > 0.0 && v.is_finite())
        .fold((f64::INFINITY, 0f64), |(a, b), v| (a.min(v), b.max(v)));
    if mx <= 0.0 {
        return (1.0, 10.0);
    }
    let lo = 10f64.powf(mn.log10().floor());
    let hi = 10f64.powf(mx.log10().ceil());
    (lo, if hi > lo { hi } else { lo * 10.0 })
}

pub fn nice_step(raw: f64) -> f64 {
    if raw <= 0.0 || !raw.is_finite() {
        return 1.0;
    }
    let e = raw.log10().floor();
    let base = 10f64.powf(e);
    let m = raw / base;
    let nice = if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 2.5 {
        2.5
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * base
}

/// A linear value axis for the values `vs`: it always includes zero (bars grow from it, and a
/// line's height reads against it), spans negatives when there are any, and ends on multiples
/// of a nice step with `headroom` (a fraction of the span) beyond the extreme values. All-zero
/// or empty data get the axis 0..1.
pub fn linear_domain(vs: impl IntoIterator<Item = f64>, ticks: usize, headroom: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (0f64, 0f64);
    for v in vs.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if hi == lo {
        return (0.0, 1.0);
    }
    let span = hi / 2.0 - lo / 2.0;
    let (lo, hi) = (
        lo - lo.abs().min(span) * headroom,
        hi + hi.abs().min(span) * headroom,
    );
    let step = nice_step(span / ticks.max(1) as f64 * 2.0);
    let snap = |k: f64| (k * step).clamp(-f64::MAX, f64::MAX);
    (
        snap((lo / step + 1e-9).floor()),
        snap((hi / step - 1e-9).ceil()),
    )
}

/// A linear axis for dots that need no baseline (dumbbells): from a nice step below the
/// smallest value to one above the largest, zero only where the data reach it. One value gets
/// an axis around it; none gets 0..1.
pub fn dot_domain(vs: impl IntoIterator<Item = f64>, ticks: usize) -> (f64, f64) {
    let (lo, hi) = vs
        .into_iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if lo > hi {
        return (0.0, 1.0);
    }
    let (lo, hi) = if lo == hi {
        let d = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        (lo - d, hi + d)
    } else {
        (lo, hi)
    };
    let step = nice_step((hi / 2.0 - lo / 2.0) / ticks.max(1) as f64 * 2.0);
    let snap = |k: f64| (k * step).clamp(-f64::MAX, f64::MAX);
    (
        snap((lo / step + 1e-9).floor()),
        snap((hi / step - 1e-9).ceil()),
    )
}

/// Decimals a tick label needs so that neighbouring ticks differ: those of the step.
pub fn tick_decimals(ticks: &[f64]) -> usize {
    let step = ticks
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(f64::INFINITY, f64::min);
    if !step.is_finite() || step <= 0.0 || step >= 1.0 {
        return 0;
    }
    // 2.5 × 10ⁿ needs one decimal more than 10ⁿ.
    let d = (-step.log10()).ceil() as usize;
    let m = step * 10f64.powi(d as i32);
    if (m - m.round()).abs() > 1e-6 {
        d + 1
    } else {
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_domains_leave_out_zero_unless_the_data_reach_it() {
        let (lo, hi) = dot_domain([189_800.0, 329_900.0, 69_800.0], 6);
        assert!(lo > 0.0 && lo <= 69_800.0 && hi >= 329_900.0, "{lo}..{hi}");
        let (lo, hi) = dot_domain([-3.0, 5.0], 4);
        assert!(lo <= -3.0 && hi >= 5.0);
        let (lo, hi) = dot_domain([7.0], 4);
        assert!(lo < 7.0 && hi > 7.0);
        assert_eq!(dot_domain([], 4), (0.0, 1.0));
        assert_eq!(dot_domain([f64::NAN], 4), (0.0, 1.0));
    }

    #[test]
    fn nice_numbers() {
        assert_eq!(linear_domain([1130.0], 5, 0.08), (0.0, 1250.0));
        assert_eq!(nice_step(0.7), 1.0);
        let s = Scale {
            lo: 0.0,
            hi: 100.0,
            log: false,
            p0: 0.0,
            p1: 1.0,
        };
        assert_eq!(s.ticks(5), vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        let log = Scale {
            lo: 0.1,
            hi: 100.0,
            log: true,
            p0: 0.0,
            p1: 1.0,
        };
        assert_eq!(
            log.ticks(12),
            vec![0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0]
        );
        assert_eq!(log.ticks(5), vec![0.1, 1.0, 10.0, 100.0]);
    }

    #[test]
    fn linear_domains_include_zero_and_span_negatives() {
        assert_eq!(
            linear_domain([-35.0, -6.0, 0.0, 7.0, 120.0], 5, 0.0),
            (-50.0, 150.0)
        );
        assert_eq!(linear_domain([-20.0, -40.0], 5, 0.0), (-40.0, 0.0));
        assert_eq!(linear_domain([3.0, 7.0], 5, 0.0), (0.0, 8.0));
        assert_eq!(linear_domain([0.0, 0.0], 5, 0.08), (0.0, 1.0));
        assert_eq!(linear_domain([], 5, 0.08), (0.0, 1.0));
        let (lo, hi) = linear_domain([1e-300, 1e300], 5, 0.05);
        assert!(lo == 0.0 && hi >= 1e300 && hi.is_finite());
        let (lo, hi) = linear_domain([-f64::MAX, f64::MAX], 5, 0.05);
        assert!(lo.is_finite() && hi.is_finite() && lo < 0.0 && hi > 0.0);
        let s = Scale {
            lo,
            hi,
            log: false,
            p0: 0.0,
            p1: 100.0,
        };
        assert!((s.map(0.0) - 50.0).abs() < 1.0 && s.ticks(5).len() >= 2);
        // Zero is a tick, exactly.
        let s = Scale {
            lo: -0.3,
            hi: 0.9,
            log: false,
            p0: 0.0,
            p1: 1.0,
        };
        let t = s.ticks(5);
        assert!(t.contains(&0.0), "{t:?}");
        // Step 0.25 needs two decimals; step 0.2 one.
        assert_eq!(tick_decimals(&t), 2, "{t:?}");
        assert_eq!(tick_decimals(&[0.0, 0.2, 0.4]), 1);
        assert_eq!(tick_decimals(&[0.0, 0.025, 0.05]), 3);
        assert_eq!(tick_decimals(&[0.0, 20.0]), 0);
    }
}
