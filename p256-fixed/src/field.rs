//! Arithmetic modulo P-256's prime p = 2^256 - 2^224 + 2^192 + 2^96 - 1, on values in
//! [0, p). A product is reduced with p's special form (FIPS 186-4 D.2.3, Solinas): its upper
//! 32-bit words are added to and subtracted from the lower ones, no division.

use super::uint::{self, U256};

pub const P: U256 = [
    0xffff_ffff,
    0xffff_ffff,
    0xffff_ffff,
    0,
    0,
    0,
    1,
    0xffff_ffff,
];

pub const fn add(a: &U256, b: &U256) -> U256 {
    uint::add_mod(a, b, &P)
}

pub const fn sub(a: &U256, b: &U256) -> U256 {
    uint::sub_mod(a, b, &P)
}

pub const fn neg(a: &U256) -> U256 {
    uint::sub_mod(&uint::ZERO, a, &P)
}

pub const fn mul(a: &U256, b: &U256) -> U256 {
    reduce(&uint::mul_wide(a, b))
}

pub const fn square(a: &U256) -> U256 {
    mul(a, a)
}

/// `a^-1` for `a != 0`.
pub const fn invert(a: &U256) -> U256 {
    uint::invert_mod(a, &P)
}

/// `c mod p` for a 512-bit `c`, as s1 + 2 s2 + 2 s3 + s4 + s5 - s6 - s7 - s8 - s9 of
/// FIPS 186-4 D.2.3, word by word.
const fn reduce(c: &[u32; 16]) -> U256 {
    let c: [i64; 16] = {
        let mut wide = [0i64; 16];
        let mut i = 0;
        while i < 16 {
            wide[i] = c[i] as i64;
            i += 1;
        }
        wide
    };
    // Each word is within (-2^35, 2^35): carries stay far from i64's range.
    let mut words = [
        c[0] + c[8] + c[9] - c[11] - c[12] - c[13] - c[14],
        c[1] + c[9] + c[10] - c[12] - c[13] - c[14] - c[15],
        c[2] + c[10] + c[11] - c[13] - c[14] - c[15],
        c[3] + 2 * c[11] + 2 * c[12] + c[13] - c[15] - c[8] - c[9],
        c[4] + 2 * c[12] + 2 * c[13] + c[14] - c[9] - c[10],
        c[5] + 2 * c[13] + 2 * c[14] + c[15] - c[10] - c[11],
        c[6] + 3 * c[14] + 2 * c[15] + c[13] - c[8] - c[9],
        c[7] + 3 * c[15] + c[8] - c[10] - c[11] - c[12] - c[13],
    ];
    let mut limbs = uint::ZERO;
    loop {
        let mut carry = 0i64;
        let mut i = 0;
        while i < 8 {
            let t = words[i] + carry;
            limbs[i] = t as u32;
            carry = t >> 32;
            i += 1;
        }
        if carry == 0 {
            break;
        }
        // carry * 2^256 = carry * (2^224 - 2^192 - 2^96 + 1) (mod p).
        words = [
            limbs[0] as i64 + carry,
            limbs[1] as i64,
            limbs[2] as i64,
            limbs[3] as i64 - carry,
            limbs[4] as i64,
            limbs[5] as i64,
            limbs[6] as i64 - carry,
            limbs[7] as i64 + carry,
        ];
    }
    // Now below 2^256 < 2p.
    if uint::lt(&limbs, &P) {
        limbs
    } else {
        uint::sub(&limbs, &P).0
    }
}
