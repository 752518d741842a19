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
            (v - self.lo) / (self.hi - self.lo)
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
            let step = nice_step((self.hi - self.lo) / max_ticks.max(1) as f64);
            let mut v = (self.lo / step).ceil() * step;
            let mut out = Vec::new();
            while v <= self.hi + step * 1e-9 {
                out.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
                v += step;
            }
            out
        }
    }
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

/// A nice upper bound for a linear axis starting at zero.
pub fn nice_max(v: f64, ticks: usize) -> f64 {
    let step = nice_step(v / ticks as f64);
    (v / step).ceil() * step
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_numbers() {
        assert_eq!(nice_max(1130.0 * 1.08, 5), 1250.0);
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
}
