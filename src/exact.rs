//! Exact, order-independent summation of f64 values.
//!
//! Sums over rows that arrive in input order (the universe's mean return)
//! must not depend on that order or on the thread count (SPEC §7). Each value
//! is split into its integer mantissa and binary exponent and added into
//! fixed 32-bit digit positions, so the accumulated value is the exact sum;
//! the final conversion to f64 is a deterministic function of that exact
//! value.

const LIMBS: usize = 70; // 70 * 32 bits cover 2^-1074 .. 2^1165 with headroom.
const BIAS: i32 = 1074;

/// An exact accumulator of finite f64 values.
#[derive(Clone, Debug)]
pub struct ExactSum {
    limbs: [i64; LIMBS],
    pending: u32,
}

impl Default for ExactSum {
    fn default() -> Self {
        ExactSum {
            limbs: [0; LIMBS],
            pending: 0,
        }
    }
}

impl ExactSum {
    /// An empty sum (0).
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a finite value (non-finite values are ignored: callers validate).
    pub fn add(&mut self, x: f64) {
        if !x.is_finite() || x == 0.0 {
            return;
        }
        let bits = x.to_bits();
        let neg = bits >> 63 == 1;
        let exp = ((bits >> 52) & 0x7ff) as i32;
        let frac = bits & ((1u64 << 52) - 1);
        // value = mant * 2^(e) with e relative to 2^-1074.
        let (mant, e) = if exp == 0 {
            (frac, 0)
        } else {
            (frac | (1u64 << 52), exp - 1)
        };
        let pos = e as u32; // bit position above 2^-1074
        let limb = (pos / 32) as usize;
        let shift = pos % 32;
        let wide = u128::from(mant) << shift; // < 2^85
        for i in 0..3 {
            let digit = ((wide >> (32 * i)) & 0xffff_ffff) as i64;
            if neg {
                self.limbs[limb + i] -= digit;
            } else {
                self.limbs[limb + i] += digit;
            }
        }
        self.pending += 1;
        if self.pending >= (1 << 29) {
            self.normalize();
        }
    }

    /// Add another accumulator.
    pub fn merge(&mut self, other: &ExactSum) {
        self.normalize();
        let mut o = other.clone();
        o.normalize();
        for (a, b) in self.limbs.iter_mut().zip(o.limbs.iter()) {
            *a += b;
        }
        self.normalize();
    }

    fn normalize(&mut self) {
        let mut carry = 0i64;
        for l in self.limbs.iter_mut() {
            let v = *l + carry;
            carry = v >> 32; // floor division
            *l = v & 0xffff_ffff;
        }
        // The top limb keeps the sign.
        self.limbs[LIMBS - 1] += carry << 32;
        self.pending = 0;
    }

    /// The sum as f64 (within one ulp of the exact sum; deterministic).
    pub fn value(&self) -> f64 {
        let mut s = self.clone();
        s.normalize();
        // Two's-complement style: a negative sum has a negative top limb.
        // Work on the magnitude and put the sign back at the end.
        let negative = s.limbs[LIMBS - 1] < 0;
        if negative {
            for l in s.limbs.iter_mut() {
                *l = -*l;
            }
            s.normalize();
        }
        let top = s.limbs.iter().rposition(|&l| l != 0);
        let Some(top) = top else { return 0.0 };
        let lo = top.saturating_sub(3);
        let mut v = 0.0f64;
        for i in (lo..=top).rev() {
            let scale = 32 * i as i32 - BIAS;
            v += s.limbs[i] as f64 * 2f64.powi(scale);
        }
        if negative {
            -v
        } else {
            v
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_where_naive_is_not() {
        let mut s = ExactSum::new();
        for x in [1e16, 1.0, -1e16, 1.0] {
            s.add(x);
        }
        assert_eq!(s.value(), 2.0);
        let mut t = ExactSum::new();
        for x in [0.1, 0.2, 0.3] {
            t.add(x);
        }
        // The exact sum of the three doubles rounds to 0.6 (python: math.fsum([0.1, 0.2, 0.3]));
        // naive left-to-right addition gives 0.6000000000000001.
        assert_eq!(t.value(), 0.6);
    }

    #[test]
    fn order_independent_and_mergeable() {
        let xs: Vec<f64> = (0..1000)
            .map(|i| ((i * 7919) % 1000) as f64 * 1e-3 - 0.37 + 1e-9 * i as f64)
            .collect();
        let mut a = ExactSum::new();
        xs.iter().for_each(|&x| a.add(x));
        let mut b = ExactSum::new();
        xs.iter().rev().for_each(|&x| b.add(x));
        let (mut c1, mut c2) = (ExactSum::new(), ExactSum::new());
        xs[..400].iter().for_each(|&x| c1.add(x));
        xs[400..].iter().for_each(|&x| c2.add(x));
        c1.merge(&c2);
        assert_eq!(a.value().to_bits(), b.value().to_bits());
        assert_eq!(a.value().to_bits(), c1.value().to_bits());
        let naive: f64 = xs.iter().sum();
        assert!((a.value() - naive).abs() < 1e-9);
    }

    #[test]
    fn negatives_and_tiny() {
        let mut s = ExactSum::new();
        for x in [-3.5, 1.25, f64::MIN_POSITIVE, -f64::MIN_POSITIVE, 5e-324] {
            s.add(x);
        }
        assert_eq!(s.value(), -2.25 + 5e-324);
        let mut big = ExactSum::new();
        big.add(1e308);
        big.add(1e308);
        assert_eq!(big.value(), f64::INFINITY);
    }
}
