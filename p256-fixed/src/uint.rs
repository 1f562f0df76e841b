//! 256-bit unsigned integers as eight 32-bit limbs, least significant first: the one
//! representation of field elements and scalars. 32-bit limbs because wasm32 multiplies
//! 32 x 32 -> 64 bits natively and has no 64 x 64 -> 128. Everything is `const fn`, so
//! tables can be built by const evaluation, and variable time: all it handles is public.

pub type U256 = [u32; 8];

pub const ZERO: U256 = [0; 8];
pub const ONE: U256 = [1, 0, 0, 0, 0, 0, 0, 0];

/// The big-endian 32 bytes `bytes` as an integer.
pub const fn from_be_bytes(bytes: &[u8; 32]) -> U256 {
    let mut limbs = ZERO;
    let mut i = 0;
    while i < 8 {
        let at = 28 - 4 * i;
        limbs[i] = u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
        i += 1;
    }
    limbs
}

pub const fn is_zero(a: &U256) -> bool {
    let mut i = 0;
    while i < 8 {
        if a[i] != 0 {
            return false;
        }
        i += 1;
    }
    true
}

pub const fn eq(a: &U256, b: &U256) -> bool {
    let mut i = 0;
    while i < 8 {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// `a < b`.
pub const fn lt(a: &U256, b: &U256) -> bool {
    let mut i = 8;
    while i > 0 {
        i -= 1;
        if a[i] != b[i] {
            return a[i] < b[i];
        }
    }
    false
}

/// `a + b` modulo 2^256, and the carry out.
pub const fn add(a: &U256, b: &U256) -> (U256, bool) {
    let mut sum = ZERO;
    let mut carry = 0u64;
    let mut i = 0;
    while i < 8 {
        let t = a[i] as u64 + b[i] as u64 + carry;
        sum[i] = t as u32;
        carry = t >> 32;
        i += 1;
    }
    (sum, carry != 0)
}

/// `a - b` modulo 2^256, and the borrow out.
pub const fn sub(a: &U256, b: &U256) -> (U256, bool) {
    let mut difference = ZERO;
    let mut borrow = 0u64;
    let mut i = 0;
    while i < 8 {
        let t = (a[i] as u64).wrapping_sub(b[i] as u64 + borrow);
        difference[i] = t as u32;
        borrow = t >> 63;
        i += 1;
    }
    (difference, borrow != 0)
}

/// Bit `index` (0 the least significant); 0 from 256 up.
pub const fn bit(a: &U256, index: usize) -> bool {
    index < 256 && (a[index / 32] >> (index % 32)) & 1 == 1
}

/// `(a + b) mod m` for `a, b < m`.
pub const fn add_mod(a: &U256, b: &U256, m: &U256) -> U256 {
    let (sum, carry) = add(a, b);
    if carry || !lt(&sum, m) {
        sub(&sum, m).0
    } else {
        sum
    }
}

/// `(a - b) mod m` for `a, b < m`.
pub const fn sub_mod(a: &U256, b: &U256, m: &U256) -> U256 {
    let (difference, borrow) = sub(a, b);
    if borrow {
        add(&difference, m).0
    } else {
        difference
    }
}

/// `a / 2 mod m` for `a < m`, `m` odd.
const fn half_mod(a: &U256, m: &U256) -> U256 {
    let (sum, carry) = if a[0] & 1 == 0 {
        (*a, false)
    } else {
        add(a, m)
    };
    let mut half = ZERO;
    let mut i = 0;
    while i < 8 {
        let above = if i == 7 { carry as u32 } else { sum[i + 1] };
        half[i] = (sum[i] >> 1) | (above << 31);
        i += 1;
    }
    half
}

const fn shift_right_1(a: &U256) -> U256 {
    half_mod(a, &ZERO)
}

/// `a^-1 mod m` for a prime `m` and `0 < a < m`, by the binary extended Euclidean
/// algorithm: no multiplication at all.
pub const fn invert_mod(a: &U256, m: &U256) -> U256 {
    assert!(!is_zero(a) && lt(a, m), "no inverse");
    // Invariants: x1 * a = u and x2 * a = v (mod m).
    let (mut u, mut v) = (*a, *m);
    let (mut x1, mut x2) = (ONE, ZERO);
    while !eq(&u, &ONE) && !eq(&v, &ONE) {
        while u[0] & 1 == 0 {
            u = shift_right_1(&u);
            x1 = half_mod(&x1, m);
        }
        while v[0] & 1 == 0 {
            v = shift_right_1(&v);
            x2 = half_mod(&x2, m);
        }
        if lt(&u, &v) {
            v = sub(&v, &u).0;
            x2 = sub_mod(&x2, &x1, m);
        } else {
            u = sub(&u, &v).0;
            x1 = sub_mod(&x1, &x2, m);
        }
    }
    if eq(&u, &ONE) { x1 } else { x2 }
}

/// The full 512-bit product `a * b`, 16 limbs.
pub const fn mul_wide(a: &U256, b: &U256) -> [u32; 16] {
    let mut product = [0u32; 16];
    let mut i = 0;
    while i < 8 {
        let mut carry = 0u64;
        let mut j = 0;
        while j < 8 {
            // At most (2^32 - 1)^2 + 2 (2^32 - 1) = 2^64 - 1: no overflow.
            let t = a[i] as u64 * b[j] as u64 + product[i + j] as u64 + carry;
            product[i + j] = t as u32;
            carry = t >> 32;
            j += 1;
        }
        product[i + 8] = carry as u32;
        i += 1;
    }
    product
}
