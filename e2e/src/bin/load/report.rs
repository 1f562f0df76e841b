//! What the load found, as printed at its end.

use std::time::Duration;

use crate::clients::{KINDS, Kind, Record};
use crate::system::Usage;

#[derive(Default)]
pub struct Report {
    /// The options, in words.
    pub options: String,
    pub publishes: u32,
    pub open_time: Duration,
    pub warm_up_time: Duration,
    pub publish_time: Duration,
    pub delivery_time: Duration,
    /// How long each call to the publish endpoint took, and what it refused.
    pub publish_calls: Vec<Duration>,
    pub publish_errors: Vec<String>,
    /// The id the demo origin gave each numbered message, when it published them.
    pub ids: Vec<String>,
    /// Reconnections the plan asked for, and hints published after the last message.
    pub planned_reconnects: usize,
    pub hints: usize,
    pub records: Vec<Record>,
    pub panics: Vec<String>,
    /// The processes measured, and each one's usage at each moment measured.
    pub processes: Vec<String>,
    pub memory: Vec<(String, Vec<Usage>)>,
}

/// What one client, or all of one kind, got of the publishes.
#[derive(Default)]
struct Tally {
    clients: usize,
    delivered: usize,
    lost: usize,
    out_of_order: usize,
    duplicated: usize,
    /// Messages whose event id is not the one they were published with.
    wrong_ids: usize,
    latencies_us: Vec<u64>,
    recovered_us: Vec<u64>,
    reconnects: usize,
    /// Per reconnection: messages missed while away, received of them after reconnecting,
    /// and the time from reconnecting to the last of them (µs).
    missed: Vec<u64>,
    recovered: Vec<u64>,
    caught_up_us: Vec<u64>,
}

impl Tally {
    fn add(&mut self, record: &Record, publishes: u32, ids: &[String]) {
        let mut seen = vec![false; publishes as usize];
        for &sequence in &record.sequence {
            if let Some(seen) = seen.get_mut(sequence as usize) {
                self.duplicated += usize::from(*seen);
                *seen = true;
            }
        }
        self.clients += 1;
        self.delivered += record.sequence.len();
        self.lost += seen.iter().filter(|&&seen| !seen).count();
        self.out_of_order += record
            .sequence
            .windows(2)
            .filter(|pair| pair[1] < pair[0])
            .count();
        self.wrong_ids += record
            .sequence
            .iter()
            .zip(&record.ids)
            .filter_map(|(&sequence, id)| Some((ids.get(sequence as usize)?, id.as_ref()?)))
            .filter(|(published, received)| published != received)
            .count();
        self.latencies_us.extend(&record.latencies_us);
        self.recovered_us.extend(&record.recovered_us);
        self.reconnects += record.reconnects.len();
        for reconnect in &record.reconnects {
            self.missed.push(reconnect.missed().into());
            self.recovered.push(reconnect.recovered.into());
            let caught_up = reconnect.caught_up.unwrap_or_default();
            self.caught_up_us.push(caught_up.as_micros() as u64);
        }
    }

    fn latency(&mut self) -> String {
        milliseconds(&mut self.latencies_us)
    }
}

/// The value at `percent` of `values`, once sorted.
fn at(values: &[u64], percent: usize) -> u64 {
    let index = (values.len() * percent / 100).min(values.len().saturating_sub(1));
    values.get(index).copied().unwrap_or(0)
}

/// p50, p99 and max of microseconds, in milliseconds.
fn milliseconds(values: &mut [u64]) -> String {
    values.sort_unstable();
    let ms = |percent| at(values, percent) as f64 / 1000.0;
    format!(
        "p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms(50),
        ms(99),
        ms(100)
    )
}

/// Total, min, p50 and max of counts.
fn counts(values: &mut [u64]) -> String {
    values.sort_unstable();
    format!(
        "{} in all, per reconnection min {}, p50 {}, max {}",
        values.iter().sum::<u64>(),
        values.first().copied().unwrap_or(0),
        at(values, 50),
        at(values, 100)
    )
}

impl Report {
    fn tally(&self, kind: Option<Kind>) -> Tally {
        self.tally_of(|record| kind.is_none_or(|kind| record.kind == kind))
    }

    /// The clients that opened and that `which` picks.
    fn tally_of(&self, which: impl Fn(&Record) -> bool) -> Tally {
        let mut tally = Tally::default();
        self.records
            .iter()
            .filter(|record| record.opened && which(record))
            .for_each(|record| tally.add(record, self.publishes, &self.ids));
        tally
    }

    /// Clients that failed to open, or ended before being told to stop.
    fn failures(&self) -> Vec<&Record> {
        self.records
            .iter()
            .filter(|record| record.failure.is_some())
            .collect()
    }

    pub fn passed(&self) -> bool {
        let all = self.tally(None);
        self.failures().is_empty()
            && self.panics.is_empty()
            && self.publish_errors.is_empty()
            && all.lost == 0
            && all.out_of_order == 0
            && all.duplicated == 0
            && all.wrong_ids == 0
            && all.reconnects == self.planned_reconnects
    }
}

impl Report {
    /// The run's reconnections: how many, what the clients missed while away and got back,
    /// and how long it took them.
    fn reconnects(&self, out: &mut std::fmt::Formatter, all: &mut Tally) -> std::fmt::Result {
        let mut dropping = self.tally_of(|record| !record.reconnects.is_empty());
        writeln!(
            out,
            "reconnects: {} of {} planned, by {} SSE clients, each with Last-Event-ID",
            all.reconnects, self.planned_reconnects, dropping.clients
        )?;
        writeln!(
            out,
            "reconnecting clients: {} of {} messages delivered; {} lost, {} out of order, {} \
             duplicated, {} with another id than published",
            dropping.delivered,
            dropping.clients * self.publishes as usize,
            dropping.lost,
            dropping.out_of_order,
            dropping.duplicated,
            dropping.wrong_ids
        )?;
        let figures = [
            (
                "missed while away (published before the client reconnected)",
                counts(&mut dropping.missed),
            ),
            (
                "of those, received after reconnecting (from the history)",
                counts(&mut dropping.recovered),
            ),
            (
                "reconnect to the last missed message received",
                milliseconds(&mut dropping.caught_up_us),
            ),
            (
                "publish to receive, messages missed while away",
                milliseconds(&mut dropping.recovered_us),
            ),
        ];
        for (what, figure) in figures {
            writeln!(out, "{what}: {figure}")?;
        }
        writeln!(
            out,
            "messages with another id than published, all clients: {}; hints after the last \
             publish: {}",
            all.wrong_ids, self.hints
        )?;
        writeln!(
            out,
            "(the latencies below are of the messages received live, the missed ones apart)"
        )
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, out: &mut std::fmt::Formatter) -> std::fmt::Result {
        let mut all = self.tally(None);
        let opened = all.clients;
        let held = self
            .records
            .iter()
            .filter(|record| record.opened && record.failure.is_none())
            .count();
        writeln!(out, "\nload: {}", self.options)?;
        let per_kind: Vec<String> = KINDS
            .iter()
            .map(|&kind| format!("{} {kind:?}", self.tally(Some(kind)).clients))
            .collect();
        writeln!(
            out,
            "connections: {opened} opened ({}) in {:.1?}, {} failed to open; {held} still \
             held at the end",
            per_kind.join(", "),
            self.open_time,
            self.records.len() - opened,
        )?;
        let warmed_up = self.records.iter().filter(|r| r.warmed_up).count();
        writeln!(
            out,
            "subscribed: {warmed_up} of {opened} received the warm-up message within {:.1?}",
            self.warm_up_time
        )?;
        let expected = opened * self.publishes as usize;
        writeln!(
            out,
            "messages: {} of {expected} delivered; {} lost, {} out of order, {} duplicated",
            all.delivered, all.lost, all.out_of_order, all.duplicated
        )?;
        if self.planned_reconnects > 0 {
            self.reconnects(out, &mut all)?;
        }
        writeln!(out, "publish to receive, all: {}", all.latency())?;
        for kind in KINDS {
            let mut tally = self.tally(Some(kind));
            writeln!(
                out,
                "publish to receive, {kind:?}: {} ({} delivered, {} lost)",
                tally.latency(),
                tally.delivered,
                tally.lost
            )?;
        }
        let mut calls = self.publish_calls.clone();
        calls.sort_unstable();
        writeln!(
            out,
            "publishing: {} in {:.1?}; the publish call took p50 {:.1?}, max {:.1?}",
            self.publishes,
            self.publish_time,
            calls.get(calls.len() / 2).copied().unwrap_or_default(),
            calls.last().copied().unwrap_or_default(),
        )?;
        for error in &self.publish_errors {
            writeln!(out, "  a publish was refused: {error}")?;
        }
        let outcome = if all.delivered >= expected {
            "everything delivered"
        } else {
            "gave up waiting"
        };
        writeln!(
            out,
            "{outcome} {:.1?} after the first publish",
            self.delivery_time
        )?;
        let failures = self.failures();
        writeln!(
            out,
            "connections that failed or ended early: {}",
            failures.len()
        )?;
        for record in failures.iter().take(5) {
            writeln!(
                out,
                "  {:?}: {}",
                record.kind,
                record.failure.as_deref().unwrap_or("")
            )?;
        }
        for panic in &self.panics {
            writeln!(out, "  a client panicked: {panic}")?;
        }
        writeln!(
            out,
            "\nprocess (pid) | RSS MiB: {} | peak RSS MiB | CPU s during the load",
            self.memory
                .iter()
                .map(|(moment, _)| moment.as_str())
                .collect::<Vec<_>>()
                .join(" / ")
        )?;
        let mib = |kib: u64| kib as f64 / 1024.0;
        for (index, process) in self.processes.iter().enumerate() {
            let rss: Vec<String> = self
                .memory
                .iter()
                .map(|(_, usages)| format!("{:.1}", mib(usages[index].rss_kib)))
                .collect();
            let usage = |moment: Option<&(String, Vec<Usage>)>| {
                moment.map(|(_, usages)| usages[index]).unwrap_or_default()
            };
            let (first, last) = (usage(self.memory.first()), usage(self.memory.last()));
            writeln!(
                out,
                "{process} | {} | {:.1} | {:.1}",
                rss.join(" / "),
                mib(last.peak_kib),
                last.cpu.saturating_sub(first.cpu).as_secs_f64()
            )?;
        }
        write!(
            out,
            "\nresult: {}",
            if self.passed() { "PASS" } else { "FAIL" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn received(sequence: &[u32]) -> Record {
        Record {
            opened: true,
            warmed_up: true,
            sequence: sequence.to_vec(),
            ids: vec![None; sequence.len()],
            latencies_us: vec![1000; sequence.len()],
            ..Record::new(Kind::Stream)
        }
    }

    #[test]
    fn counts_losses_reordering_and_duplicates() {
        let mut tally = Tally::default();
        tally.add(&received(&[0, 2, 1, 1]), 4, &[]);
        let counts = (
            tally.delivered,
            tally.lost,
            tally.out_of_order,
            tally.duplicated,
        );
        assert_eq!(counts, (4, 1, 1, 1));
    }

    #[test]
    fn passes_only_when_every_client_got_every_message_in_order() {
        let report = |sequence: &[u32]| Report {
            publishes: 3,
            records: vec![received(&[0, 1, 2]), received(sequence)],
            ..Report::default()
        };
        assert!(report(&[0, 1, 2]).passed());
        assert!(!report(&[0, 2]).passed());
        assert!(!report(&[0, 2, 1]).passed());
        assert!(!report(&[0, 1, 1, 2]).passed());
    }

    #[test]
    fn a_message_must_carry_the_id_it_was_published_with() {
        let ids: Vec<String> = ["4", "5", "6"].map(String::from).to_vec();
        let mut record = received(&[0, 1, 2]);
        record.ids = vec![Some("4".into()), None, Some("7".into())];
        let mut tally = Tally::default();
        tally.add(&record, 3, &ids);
        assert_eq!((tally.lost, tally.wrong_ids), (0, 1));
        let report = Report {
            publishes: 3,
            ids,
            records: vec![record],
            ..Report::default()
        };
        assert!(!report.passed());
    }
}
