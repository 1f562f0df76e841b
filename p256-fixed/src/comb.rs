//! Fixed-base comb tables (Lim-Lee, signed): `k P` for a point P known in advance in d - 1
//! doublings and d additions of a table point, where the table holds 2^(w-1) points and
//! d = ceil(256 / w); two tables share their doublings in `u1 G + u2 Q`.
//!
//! The scalar is made odd (k, or n - k with the result negated), and an odd k < 2^L,
//! L = w d, is the sum of L digits ±1: `k = 2 m - (2^L - 1)`, digit t = +1 where bit t of
//! `m = (k + 2^L - 1) / 2` is set, -1 where it is clear. Laid out as w rows of d digits,
//! column i is `±(P + Σ_j ±2^(j d) P)` (j from 1 to w - 1) with the sign of its row-0
//! digit factored out: a table of 2^(w-1) points, indexed by which rows agree with row 0,
//! serves every column, and no column is ever zero.

use super::point::{self, Affine, Jacobian};
use super::scalar;
use super::uint::{self, U256};

/// The table of the comb of `ENTRIES` = 2^(w-1) points, for w from 2 to 8.
#[derive(Debug, PartialEq, Eq)]
pub struct Comb<const ENTRIES: usize> {
    points: [Affine; ENTRIES],
}

/// The most rows a comb has (w).
const MAX_TEETH: usize = 8;

impl<const ENTRIES: usize> Comb<ENTRIES> {
    /// Rows of the comb, w.
    const TEETH: usize = {
        assert!(ENTRIES.is_power_of_two() && ENTRIES >= 2 && ENTRIES <= 1 << (MAX_TEETH - 1));
        ENTRIES.trailing_zeros() as usize + 1
    };
    /// Columns of the comb, d: digits per row, and so doublings per multiplication, plus one.
    pub const COLUMNS: usize = 256usize.div_ceil(Self::TEETH);

    /// The table of `base`.
    pub const fn of(base: &Affine) -> Comb<ENTRIES> {
        // rows[j] = 2^(j d) base; those past TEETH are unused.
        let mut rows = [base.to_jacobian(); MAX_TEETH];
        let mut j = 1;
        while j < Self::TEETH {
            rows[j] = rows[j - 1];
            let mut doubling = 0;
            while doubling < Self::COLUMNS {
                rows[j] = rows[j].double();
                doubling += 1;
            }
            j += 1;
        }
        let rows = point::to_affine(&rows);
        let mut points = [Jacobian::IDENTITY; ENTRIES];
        let mut index = 0;
        while index < ENTRIES {
            points[index] = rows[0].to_jacobian();
            let mut j = 1;
            while j < Self::TEETH {
                let row = if (index >> (j - 1)) & 1 == 1 {
                    rows[j]
                } else {
                    rows[j].neg()
                };
                points[index] = points[index].add_affine(&row);
                j += 1;
            }
            index += 1;
        }
        // None is the identity: each is an odd multiple of base below n in size.
        Comb {
            points: point::to_affine(&points),
        }
    }

    /// Column `column` of the recoded scalar: the table point it selects, signed.
    fn column(&self, scalar: &Recoded, column: usize) -> Affine {
        let row_0 = scalar.digit(column, Self::COLUMNS * Self::TEETH);
        let mut index = 0;
        for j in 1..Self::TEETH {
            let digit = scalar.digit(column + j * Self::COLUMNS, Self::COLUMNS * Self::TEETH);
            index |= usize::from(digit == row_0) << (j - 1);
        }
        let point = self.points[index];
        if row_0 != scalar.negate {
            point
        } else {
            point.neg()
        }
    }
}

/// A scalar as the comb reads it: odd, and whether the sum it gives must be negated.
struct Recoded {
    odd: U256,
    negate: bool,
}

impl Recoded {
    fn of(k: &U256) -> Recoded {
        let negate = k[0] & 1 == 0;
        Recoded {
            // k = 0 becomes n, whose multiple is the identity.
            odd: if negate {
                uint::sub(&scalar::N, k).0
            } else {
                *k
            },
            negate,
        }
    }

    /// Whether digit `t` of `length` is +1: bit t of m = (odd >> 1) + 2^(length - 1).
    fn digit(&self, t: usize, length: usize) -> bool {
        t == length - 1 || uint::bit(&self.odd, t + 1)
    }
}

/// `k1 P1 + k2 P2` for scalars below n and the tables of P1 and P2.
pub fn mul_add<const ENTRIES: usize>(
    table_1: &Comb<ENTRIES>,
    k1: &U256,
    table_2: &Comb<ENTRIES>,
    k2: &U256,
) -> Jacobian {
    let (k1, k2) = (Recoded::of(k1), Recoded::of(k2));
    let mut sum = Jacobian::IDENTITY;
    for column in (0..Comb::<ENTRIES>::COLUMNS).rev() {
        sum = sum.double();
        sum = sum.add_affine(&table_1.column(&k1, column));
        sum = sum.add_affine(&table_2.column(&k2, column));
    }
    sum
}
