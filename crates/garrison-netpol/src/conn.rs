//! Sets of connections (protocol × port) and of IPv4 addresses, as sorted disjoint intervals.

use std::fmt;

/// The protocols NetworkPolicy knows, in the order netpol-analyzer prints them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    Sctp,
    Tcp,
    Udp,
}

impl Protocol {
    pub const ALL: [Protocol; 3] = [Protocol::Sctp, Protocol::Tcp, Protocol::Udp];

    /// Parses `TCP`, `UDP` or `SCTP` in any case.
    pub fn parse(text: &str) -> Option<Protocol> {
        match text.to_ascii_uppercase().as_str() {
            "TCP" => Some(Protocol::Tcp),
            "UDP" => Some(Protocol::Udp),
            "SCTP" => Some(Protocol::Sctp),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Protocol::Sctp => "SCTP",
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

pub const MIN_PORT: u32 = 1;
pub const MAX_PORT: u32 = 65535;

/// Sorted, disjoint, non-adjacent closed intervals of `u32`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Intervals(Vec<(u32, u32)>);

impl Intervals {
    pub fn empty() -> Intervals {
        Intervals(Vec::new())
    }

    pub fn range(low: u32, high: u32) -> Intervals {
        if low > high {
            Intervals::empty()
        } else {
            Intervals(vec![(low, high)])
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn ranges(&self) -> &[(u32, u32)] {
        &self.0
    }

    pub fn contains(&self, value: u32) -> bool {
        self.0
            .iter()
            .any(|(low, high)| *low <= value && value <= *high)
    }

    /// Whether every value of `other` is in `self`.
    pub fn covers(&self, other: &Intervals) -> bool {
        other.subtract(self).is_empty()
    }

    pub fn union(&self, other: &Intervals) -> Intervals {
        if other.0.is_empty() {
            return self.clone();
        }
        if self.0.is_empty() {
            return other.clone();
        }
        let mut all: Vec<(u32, u32)> = self.0.iter().chain(other.0.iter()).copied().collect();
        all.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(all.len());
        for (low, high) in all {
            match merged.last_mut() {
                Some(last) if u64::from(low) <= u64::from(last.1) + 1 => last.1 = last.1.max(high),
                _ => merged.push((low, high)),
            }
        }
        Intervals(merged)
    }

    pub fn intersect(&self, other: &Intervals) -> Intervals {
        let mut out = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < self.0.len() && j < other.0.len() {
            let (a_low, a_high) = self.0[i];
            let (b_low, b_high) = other.0[j];
            let low = a_low.max(b_low);
            let high = a_high.min(b_high);
            if low <= high {
                out.push((low, high));
            }
            if a_high < b_high {
                i += 1;
            } else {
                j += 1;
            }
        }
        Intervals(out)
    }

    pub fn subtract(&self, other: &Intervals) -> Intervals {
        if other.0.is_empty() || self.0.is_empty() {
            return self.clone();
        }
        let mut out = Vec::new();
        for &(low, high) in &self.0 {
            let mut start = u64::from(low);
            let end = u64::from(high);
            for &(cut_low, cut_high) in &other.0 {
                let (cut_low, cut_high) = (u64::from(cut_low), u64::from(cut_high));
                if cut_high < start || cut_low > end {
                    continue;
                }
                if cut_low > start {
                    out.push((start as u32, (cut_low - 1) as u32));
                }
                start = cut_high + 1;
                if start > end {
                    break;
                }
            }
            if start <= end {
                out.push((start as u32, end as u32));
            }
        }
        Intervals(out)
    }
}

/// Allowed connections: for each protocol, a set of ports.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ConnSet {
    ports: [Intervals; 3],
}

impl ConnSet {
    pub fn none() -> ConnSet {
        ConnSet::default()
    }

    pub fn all() -> ConnSet {
        let full = Intervals::range(MIN_PORT, MAX_PORT);
        ConnSet {
            ports: [full.clone(), full.clone(), full],
        }
    }

    /// All ports of one protocol.
    pub fn protocol(protocol: Protocol) -> ConnSet {
        ConnSet::ports(protocol, MIN_PORT, MAX_PORT)
    }

    /// A port range of one protocol (clamped to 1-65535).
    pub fn ports(protocol: Protocol, low: u32, high: u32) -> ConnSet {
        let mut set = ConnSet::none();
        set.ports[protocol.index()] = Intervals::range(low.max(MIN_PORT), high.min(MAX_PORT));
        set
    }

    pub fn of(&self, protocol: Protocol) -> &Intervals {
        &self.ports[protocol.index()]
    }

    pub fn is_empty(&self) -> bool {
        self.ports.iter().all(Intervals::is_empty)
    }

    pub fn is_all(&self) -> bool {
        self.ports
            .iter()
            .all(|ports| ports.ranges() == [(MIN_PORT, MAX_PORT)])
    }

    pub fn contains(&self, protocol: Protocol, port: u32) -> bool {
        self.ports[protocol.index()].contains(port)
    }

    pub fn union(&self, other: &ConnSet) -> ConnSet {
        self.zip(other, Intervals::union)
    }

    pub fn intersect(&self, other: &ConnSet) -> ConnSet {
        self.zip(other, Intervals::intersect)
    }

    pub fn subtract(&self, other: &ConnSet) -> ConnSet {
        self.zip(other, Intervals::subtract)
    }

    pub fn union_with(&mut self, other: &ConnSet) {
        if other.is_empty() {
            return;
        }
        *self = self.union(other);
    }

    fn zip(&self, other: &ConnSet, op: impl Fn(&Intervals, &Intervals) -> Intervals) -> ConnSet {
        ConnSet {
            ports: [
                op(&self.ports[0], &other.ports[0]),
                op(&self.ports[1], &other.ports[1]),
                op(&self.ports[2], &other.ports[2]),
            ],
        }
    }
}

/// `All Connections`, `No Connections`, or `SCTP 1-9002,9004-65535,TCP 80` as netpol-analyzer writes it.
impl fmt::Display for ConnSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            return f.write_str("All Connections");
        }
        if self.is_empty() {
            return f.write_str("No Connections");
        }
        let mut first = true;
        for protocol in Protocol::ALL {
            let ports = self.of(protocol);
            if ports.is_empty() {
                continue;
            }
            if !first {
                f.write_str(",")?;
            }
            first = false;
            write!(f, "{} ", protocol.name())?;
            for (index, (low, high)) in ports.ranges().iter().enumerate() {
                if index > 0 {
                    f.write_str(",")?;
                }
                if low == high {
                    write!(f, "{low}")?;
                } else {
                    write!(f, "{low}-{high}")?;
                }
            }
        }
        Ok(())
    }
}

/// An IPv4 CIDR (`10.0.0.0/8`) as an interval; `None` for IPv6 or a malformed CIDR.
pub fn parse_cidr(text: &str) -> Option<(u32, u32)> {
    let (address, prefix) = text.trim().split_once('/')?;
    let address: std::net::Ipv4Addr = address.parse().ok()?;
    let prefix: u32 = prefix.parse().ok()?;
    if prefix > 32 {
        return None;
    }
    let address = u32::from(address);
    let mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    };
    let low = address & mask;
    Some((low, low | !mask))
}

/// `a.b.c.d-e.f.g.h`.
pub fn format_ip_range(low: u32, high: u32) -> String {
    format!(
        "{}-{}",
        std::net::Ipv4Addr::from(low),
        std::net::Ipv4Addr::from(high)
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn strings_match_netpol_analyzer() {
        assert_eq!(ConnSet::all().to_string(), "All Connections");
        assert_eq!(ConnSet::none().to_string(), "No Connections");
        let set = ConnSet::ports(Protocol::Tcp, 10053, 10054).union(&ConnSet::ports(
            Protocol::Udp,
            10053,
            10053,
        ));
        assert_eq!(set.to_string(), "TCP 10053-10054,UDP 10053");
        let holes = ConnSet::all().subtract(&ConnSet::ports(Protocol::Sctp, 9003, 9003));
        assert_eq!(
            holes.to_string(),
            "SCTP 1-9002,9004-65535,TCP 1-65535,UDP 1-65535"
        );
    }

    #[test]
    fn interval_algebra() {
        let a = Intervals::range(0, 10).union(&Intervals::range(20, 30));
        let b = Intervals::range(5, 25);
        assert_eq!(a.intersect(&b).ranges(), &[(5, 10), (20, 25)]);
        assert_eq!(a.subtract(&b).ranges(), &[(0, 4), (26, 30)]);
        assert_eq!(
            Intervals::range(0, u32::MAX)
                .subtract(&Intervals::range(0, 0))
                .ranges(),
            &[(1, u32::MAX)]
        );
        assert_eq!(
            Intervals::range(1, 2)
                .union(&Intervals::range(3, 4))
                .ranges(),
            &[(1, 4)]
        );
    }

    #[test]
    fn cidrs() {
        assert_eq!(
            parse_cidr("10.0.0.0/8").map(|(l, h)| format_ip_range(l, h)),
            Some("10.0.0.0-10.255.255.255".to_string())
        );
        assert_eq!(parse_cidr("0.0.0.0/0"), Some((0, u32::MAX)));
        assert_eq!(parse_cidr("fe80::/10"), None);
        assert_eq!(parse_cidr("10.1.2.3/32"), parse_cidr("10.1.2.3/32"));
    }
}
