//! Exact decimal arithmetic for money and its printed forms (SPEC §9).
//!
//! `rust_decimal` holds 96-bit integers scaled by 10^-s (s <= 28). Its
//! operations round silently when a result does not fit; the helpers here
//! detect that and fail instead, so every amount we print or compare is exact.

use rust_decimal::{Decimal, RoundingStrategy};

use super::error::RegistryError;

fn inexact(what: &str) -> RegistryError {
    RegistryError::Inexact {
        what: what.to_string(),
    }
}

/// `a × b`, exactly, or an error.
pub fn exact_mul(a: Decimal, b: Decimal, what: &str) -> Result<Decimal, RegistryError> {
    let (a, b) = (a.normalize(), b.normalize());
    let product = a.checked_mul(b).ok_or_else(|| inexact(what))?;
    // An exact product keeps the scale s_a + s_b; rust_decimal lowers the
    // scale (rounding) only when the exact product does not fit.
    if product.is_zero() || product.scale() == a.scale() + b.scale() {
        Ok(product)
    } else {
        Err(inexact(what))
    }
}

/// `a + b`, exactly, or an error.
pub fn exact_add(a: Decimal, b: Decimal, what: &str) -> Result<Decimal, RegistryError> {
    let sum = a.checked_add(b).ok_or_else(|| inexact(what))?;
    if sum.is_zero() || sum.scale() == a.scale().max(b.scale()) {
        Ok(sum)
    } else {
        Err(inexact(what))
    }
}

/// `a / 10^6`, exactly (a shift of the decimal point), or an error.
pub fn per_million(a: Decimal, what: &str) -> Result<Decimal, RegistryError> {
    let mut a = a.normalize();
    a.set_scale(a.scale() + 6).map_err(|_| inexact(what))?;
    Ok(a)
}

/// `tokens × price_per_1m / 10^6`, exactly.
pub fn token_cost(
    tokens: u64,
    price_per_1m: Decimal,
    what: &str,
) -> Result<Decimal, RegistryError> {
    per_million(exact_mul(Decimal::from(tokens), price_per_1m, what)?, what)
}

/// Money digits: exact, trailing zeros trimmed, at least 2 decimals
/// (`0.0105`, `0.48`, `2.00`). Used for text (with `$`) and JSON numbers.
pub fn money_digits(amount: Decimal) -> String {
    let mut d = amount.normalize();
    if d.scale() < 2 {
        d.rescale(2);
    }
    d.to_string()
}

/// Text form of money: `$0.0105`, `$2.00`; negative as `-$1.50`.
pub fn usd(amount: Decimal) -> String {
    let digits = money_digits(amount.abs());
    if amount.is_sign_negative() && !amount.is_zero() {
        format!("-${digits}")
    } else {
        format!("${digits}")
    }
}

/// A percentage for display: cut (never rounded up) to 2 decimals, trailing
/// zeros trimmed (`82`, `94.99`), so a displayed value never crosses a
/// threshold that the exact value did not reach.
pub fn pct_digits(pct: Decimal) -> String {
    pct.round_dp_with_strategy(2, RoundingStrategy::ToZero)
        .normalize()
        .to_string()
}

/// Plain decimal digits, trailing zeros trimmed (`2.5`, `80`).
pub fn plain_digits(d: Decimal) -> String {
    d.normalize().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn money_has_exact_digits_and_at_least_two_decimals() {
        assert_eq!(money_digits(d("0.010500")), "0.0105");
        assert_eq!(money_digits(d("2")), "2.00");
        assert_eq!(money_digits(d("0.480000")), "0.48");
        assert_eq!(money_digits(d("0")), "0.00");
        assert_eq!(usd(d("0.0105")), "$0.0105");
        assert_eq!(usd(d("-1.5")), "-$1.50");
    }

    #[test]
    fn pct_is_cut_not_rounded() {
        // 100 × 47.499 / 50 = 94.998 -> 94.99, not 95
        assert_eq!(pct_digits(d("94.998")), "94.99");
        assert_eq!(pct_digits(d("82.00")), "82");
    }

    #[test]
    fn exact_mul_keeps_or_refuses() {
        // 0.5 × 2 = 1.0 exactly
        assert_eq!(exact_mul(d("0.5"), d("2"), "x").unwrap(), d("1"));
        assert_eq!(exact_mul(d("0"), d("2.5"), "x").unwrap(), d("0"));
        // 28 significant digits squared cannot be exact in 96 bits
        let big = d("1.234567890123456789012345678");
        assert!(exact_mul(big, big, "x").is_err());
        // overflow of the integer part
        assert!(exact_mul(Decimal::MAX, d("2"), "x").is_err());
    }

    #[test]
    fn token_cost_is_exact() {
        // 1000 × 3 / 10^6 = 0.003 ; 500 × 15 / 10^6 = 0.0075
        assert_eq!(token_cost(1000, d("3.00"), "x").unwrap(), d("0.003"));
        assert_eq!(token_cost(500, d("15.00"), "x").unwrap(), d("0.0075"));
        assert_eq!(token_cost(0, d("15"), "x").unwrap(), Decimal::ZERO);
    }
}
