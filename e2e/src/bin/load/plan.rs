//! Which SSE clients drop and reconnect in a run with `--reconnects`, after which messages,
//! and for how long they stay away: drawn from a seed, so that a run can be repeated.

use std::time::Duration;

/// What `--reconnects PERCENT` asks for.
#[derive(Clone, Copy, Debug)]
pub struct Reconnects {
    /// The share of the SSE clients that drop and reconnect, in percent.
    pub percent: u32,
    /// How many times each of them drops.
    pub drops: u32,
    /// The longest a client stays away before reconnecting; each drop draws up to it.
    pub away: Duration,
    pub seed: u64,
}

/// One disconnection: the client closes its connection once it has taken in the message numbered
/// `after` (or a later one), waits `away`, and reconnects with `Last-Event-ID`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Disconnect {
    pub after: u32,
    pub away: Duration,
}

/// splitmix64: small, and enough to spread drops over clients and messages.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (`bound` > 0).
    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

/// The drops of each of `clients` (empty for a client that stays connected): `percent` of
/// `sse_clients` (indices into `clients`) drop, each `drops` times at distinct messages
/// before the last of `publishes`, in order.
pub fn drops(
    reconnects: &Reconnects,
    clients: usize,
    sse_clients: &[usize],
    publishes: u32,
) -> Vec<Vec<Disconnect>> {
    let mut random = Random(reconnects.seed);
    let mut plans = vec![Vec::new(); clients];
    let wanted = (sse_clients.len() * reconnects.percent as usize).div_ceil(100);
    // The first `wanted` of a partial Fisher-Yates shuffle.
    let mut chosen = sse_clients.to_vec();
    for i in 0..wanted.min(chosen.len()) {
        let j = i + random.below((chosen.len() - i) as u64) as usize;
        chosen.swap(i, j);
    }
    // A drop after the last message would leave nothing to miss.
    let points = publishes.saturating_sub(1);
    let drops = reconnects.drops.min(points);
    let away_ms = reconnects.away.as_millis() as u64;
    for &client in chosen.iter().take(wanted) {
        let mut after: Vec<u32> = Vec::new();
        while after.len() < drops as usize {
            let point = random.below(u64::from(points)) as u32;
            if !after.contains(&point) {
                after.push(point);
            }
        }
        after.sort_unstable();
        plans[client] = after
            .into_iter()
            .map(|after| Disconnect {
                after,
                away: Duration::from_millis(random.below(away_ms + 1)),
            })
            .collect();
    }
    plans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_share_of_sse_clients_drops_at_distinct_points_before_the_last_message() {
        let reconnects = Reconnects {
            percent: 20,
            drops: 3,
            away: Duration::from_millis(500),
            seed: 7,
        };
        let sse: Vec<usize> = (1..300).step_by(3).collect();
        let plans = drops(&reconnects, 300, &sse, 50);
        let dropping: Vec<usize> = (0..300).filter(|&i| !plans[i].is_empty()).collect();
        assert_eq!(dropping.len(), 20);
        assert!(dropping.iter().all(|i| sse.contains(i)));
        for plan in plans.iter().filter(|plan| !plan.is_empty()) {
            assert_eq!(plan.len(), 3);
            assert!(plan.windows(2).all(|pair| pair[0].after < pair[1].after));
            assert!(plan.iter().all(|disconnect| disconnect.after < 49));
            assert!(
                plan.iter()
                    .all(|disconnect| disconnect.away <= reconnects.away)
            );
        }
        assert_eq!(drops(&reconnects, 300, &sse, 50), plans);
    }
}
