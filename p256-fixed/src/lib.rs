//! ES256 verification under a P-256 key fixed at build time, as Grip-Sig's signers are:
//! the comb tables of the generator and of the key are built by const evaluation, so a
//! verification is about 50 doublings and 100 additions of table points, on 32-bit limbs.
//! Keys read at run time (`[auth]` JWK Sets) use p256 through fanout-router-core's
//! `jwt::ES256` instead.

mod comb;
mod field;
mod point;
mod scalar;
mod uint;
mod verify;

pub use verify::{ENTRIES, VerifyingKey};

#[cfg(test)]
mod tests;
