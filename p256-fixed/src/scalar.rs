//! Arithmetic modulo the group order n, just what ECDSA verification needs: a reduction,
//! an inversion and two products a call. Products use Montgomery multiplication; n has no
//! special form.

use super::uint::{self, U256};

pub const N: U256 = [
    0xfc63_2551,
    0xf3b9_cac2,
    0xa717_9e84,
    0xbce6_faad,
    0xffff_ffff,
    0xffff_ffff,
    0,
    0xffff_ffff,
];

/// `-n^-1 mod 2^32`, by Newton's iteration (each step doubles the correct low bits).
const N_PRIME: u32 = {
    let mut inverse = 1u32;
    let mut step = 0;
    while step < 5 {
        inverse = inverse.wrapping_mul(2u32.wrapping_sub(N[0].wrapping_mul(inverse)));
        step += 1;
    }
    inverse.wrapping_neg()
};

/// `2^512 mod n`, which takes a Montgomery product back to a plain one.
const R_SQUARED: U256 = {
    let mut r = uint::ONE;
    let mut doubling = 0;
    while doubling < 512 {
        r = uint::add_mod(&r, &r, &N);
        doubling += 1;
    }
    r
};

/// Whether `a` is in [1, n - 1], the range of ECDSA's r and s.
pub const fn is_nonzero_scalar(a: &U256) -> bool {
    !uint::is_zero(a) && uint::lt(a, &N)
}

/// `a mod n` for any 256-bit `a` (below 2n).
pub const fn reduce(a: &U256) -> U256 {
    if uint::lt(a, &N) {
        *a
    } else {
        uint::sub(a, &N).0
    }
}

/// `a^-1 mod n` for `a` in [1, n - 1].
pub const fn invert(a: &U256) -> U256 {
    uint::invert_mod(a, &N)
}

/// `a * b mod n` for `a, b < n`.
pub const fn mul(a: &U256, b: &U256) -> U256 {
    montgomery(&montgomery(a, b), &R_SQUARED)
}

/// `a * b * 2^-256 mod n` for `a, b < n` (CIOS: multiply and reduce a limb at a time).
const fn montgomery(a: &U256, b: &U256) -> U256 {
    let mut t = [0u32; 10];
    let mut i = 0;
    while i < 8 {
        let mut carry = 0u64;
        let mut j = 0;
        while j < 8 {
            let sum = t[j] as u64 + a[i] as u64 * b[j] as u64 + carry;
            t[j] = sum as u32;
            carry = sum >> 32;
            j += 1;
        }
        let sum = t[8] as u64 + carry;
        t[8] = sum as u32;
        t[9] = (sum >> 32) as u32;
        // Adding m * n clears the lowest limb, which the shift then drops.
        let m = t[0].wrapping_mul(N_PRIME);
        let mut carry = (t[0] as u64 + m as u64 * N[0] as u64) >> 32;
        let mut j = 1;
        while j < 8 {
            let sum = t[j] as u64 + m as u64 * N[j] as u64 + carry;
            t[j - 1] = sum as u32;
            carry = sum >> 32;
            j += 1;
        }
        let sum = t[8] as u64 + carry;
        t[7] = sum as u32;
        t[8] = t[9] + (sum >> 32) as u32;
        i += 1;
    }
    let result = [t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7]];
    // Below 2n: one subtraction at most.
    if t[8] != 0 || !uint::lt(&result, &N) {
        uint::sub(&result, &N).0
    } else {
        result
    }
}
