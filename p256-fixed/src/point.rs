//! Points of P-256 (y^2 = x^3 - 3x + b): affine ones, as tables store them, and Jacobian
//! ones (x = X/Z^2, y = Y/Z^3; Z = 0 the identity), in which sums are computed without
//! inversions.

use super::field;
use super::uint::{self, U256};

/// The curve's b.
const B: U256 = uint::from_be_bytes(&[
    0x5a, 0xc6, 0x35, 0xd8, 0xaa, 0x3a, 0x93, 0xe7, 0xb3, 0xeb, 0xbd, 0x55, 0x76, 0x98, 0x86, 0xbc,
    0x65, 0x1d, 0x06, 0xb0, 0xcc, 0x53, 0xb0, 0xf6, 0x3b, 0xce, 0x3c, 0x3e, 0x27, 0xd2, 0x60, 0x4b,
]);

/// A point other than the identity (which has no affine form).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Affine {
    pub x: U256,
    pub y: U256,
}

#[derive(Clone, Copy, Debug)]
pub struct Jacobian {
    pub x: U256,
    pub y: U256,
    pub z: U256,
}

/// The generator G.
pub const GENERATOR: Affine = Affine {
    x: uint::from_be_bytes(&[
        0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40,
        0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98,
        0xc2, 0x96,
    ]),
    y: uint::from_be_bytes(&[
        0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e,
        0x16, 0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf,
        0x51, 0xf5,
    ]),
};

impl Affine {
    /// The point of an uncompressed SEC1 encoding (`0x04`, x, y), if it is one on the
    /// curve. P-256 has prime order, so every such point generates the group.
    pub const fn from_sec1(bytes: &[u8; 65]) -> Option<Affine> {
        if bytes[0] != 0x04 {
            return None;
        }
        let (mut x, mut y) = ([0u8; 32], [0u8; 32]);
        let mut i = 0;
        while i < 32 {
            x[i] = bytes[1 + i];
            y[i] = bytes[33 + i];
            i += 1;
        }
        let (x, y) = (uint::from_be_bytes(&x), uint::from_be_bytes(&y));
        if !uint::lt(&x, &field::P) || !uint::lt(&y, &field::P) {
            return None;
        }
        let point = Affine { x, y };
        if point.is_on_curve() {
            Some(point)
        } else {
            None
        }
    }

    const fn is_on_curve(&self) -> bool {
        let x3 = field::mul(&field::square(&self.x), &self.x);
        let three_x = field::add(&field::add(&self.x, &self.x), &self.x);
        let rhs = field::add(&field::sub(&x3, &three_x), &B);
        uint::eq(&field::square(&self.y), &rhs)
    }

    pub const fn neg(&self) -> Affine {
        Affine {
            x: self.x,
            y: field::neg(&self.y),
        }
    }

    pub const fn to_jacobian(self) -> Jacobian {
        Jacobian {
            x: self.x,
            y: self.y,
            z: uint::ONE,
        }
    }
}

impl Jacobian {
    pub const IDENTITY: Jacobian = Jacobian {
        x: uint::ONE,
        y: uint::ONE,
        z: uint::ZERO,
    };

    pub const fn is_identity(&self) -> bool {
        uint::is_zero(&self.z)
    }

    /// `2 self` (dbl-2001-b, for a = -3: 3 multiplications, 5 squarings). The identity
    /// stays the identity (Z3 = 2 Y Z); P-256 has no point of order 2.
    pub const fn double(&self) -> Jacobian {
        let delta = field::square(&self.z);
        let gamma = field::square(&self.y);
        let beta = field::mul(&self.x, &gamma);
        let alpha = field::mul(&field::sub(&self.x, &delta), &field::add(&self.x, &delta));
        let alpha = field::add(&field::add(&alpha, &alpha), &alpha);
        let four_beta = times_4(&beta);
        let x = field::sub(&field::square(&alpha), &field::add(&four_beta, &four_beta));
        let y_plus_z = field::add(&self.y, &self.z);
        let z = field::sub(&field::sub(&field::square(&y_plus_z), &gamma), &delta);
        let gamma_squared = field::square(&gamma);
        let eight_gamma_squared = times_4(&field::add(&gamma_squared, &gamma_squared));
        let y = field::sub(
            &field::mul(&alpha, &field::sub(&four_beta, &x)),
            &eight_gamma_squared,
        );
        Jacobian { x, y, z }
    }

    /// `self + other` (madd-2004-hmv: 8 multiplications, 3 squarings), the identity and
    /// `self = ±other` included.
    pub const fn add_affine(&self, other: &Affine) -> Jacobian {
        if self.is_identity() {
            return other.to_jacobian();
        }
        let z_squared = field::square(&self.z);
        let u2 = field::mul(&other.x, &z_squared);
        let s2 = field::mul(&other.y, &field::mul(&z_squared, &self.z));
        let h = field::sub(&u2, &self.x);
        let r = field::sub(&s2, &self.y);
        if uint::is_zero(&h) {
            return if uint::is_zero(&r) {
                self.double()
            } else {
                Jacobian::IDENTITY
            };
        }
        let z = field::mul(&self.z, &h);
        let h_squared = field::square(&h);
        let h_cubed = field::mul(&h_squared, &h);
        let v = field::mul(&h_squared, &self.x);
        let x = field::sub(
            &field::sub(&field::square(&r), &field::add(&v, &v)),
            &h_cubed,
        );
        let y = field::sub(
            &field::mul(&r, &field::sub(&v, &x)),
            &field::mul(&self.y, &h_cubed),
        );
        Jacobian { x, y, z }
    }
}

const fn times_4(a: &U256) -> U256 {
    let twice = field::add(a, a);
    field::add(&twice, &twice)
}

/// The affine forms of `points`, none the identity, with one inversion for all
/// (Montgomery's trick: invert the product of the Z, then peel each inverse off it).
pub const fn to_affine<const COUNT: usize>(points: &[Jacobian; COUNT]) -> [Affine; COUNT] {
    // prefix[i] = Z_0 * ... * Z_i.
    let mut prefix = [uint::ONE; COUNT];
    let mut i = 0;
    while i < COUNT {
        assert!(!points[i].is_identity(), "the identity has no affine form");
        prefix[i] = if i == 0 {
            points[0].z
        } else {
            field::mul(&prefix[i - 1], &points[i].z)
        };
        i += 1;
    }
    let mut affine = [Affine {
        x: uint::ZERO,
        y: uint::ZERO,
    }; COUNT];
    // Inverse of Z_0 * ... * Z_(i-1) once step i is done.
    let mut inverse = field::invert(&prefix[COUNT - 1]);
    let mut i = COUNT;
    while i > 0 {
        i -= 1;
        let z_inverse = if i == 0 {
            inverse
        } else {
            field::mul(&inverse, &prefix[i - 1])
        };
        inverse = field::mul(&inverse, &points[i].z);
        let z_inverse_squared = field::square(&z_inverse);
        affine[i] = Affine {
            x: field::mul(&points[i].x, &z_inverse_squared),
            y: field::mul(&points[i].y, &field::mul(&z_inverse_squared, &z_inverse)),
        };
    }
    affine
}
